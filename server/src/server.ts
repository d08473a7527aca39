/**
 * The LSP composition root: it creates the features, wires each LSP method to one of them in the
 * handler table below, and starts building the services when `initialize` arrives. Nothing here
 * knows how a task, a chat or a model works; services/ builds the agent core, and features/
 * translate between it and the protocol.
 *
 * The services are built after `initialize` has been answered (services/build.ts is imported
 * lazily), so the editor is not kept waiting for the model, context and sandbox modules; requests
 * that need them wait for the build (features/lifecycle.ts).
 *
 * `startBurrowServer(connection)` runs on any connection, which is how tests drive the server in
 * process; `startStdioServer()` is what `burrow --stdio` runs.
 */
import {
  CancellationTokenSource,
  ErrorCodes,
  MessageType,
  ResponseError,
  ShowMessageNotification,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from "vscode-languageserver";
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { parseSettings, type Settings } from "./agent/settings.js";
import { answerCodeAction } from "./features/code-actions.js";
import { commandHandlers } from "./features/commands.js";
import { refreshConfiguration, watchConfiguration } from "./features/configuration.js";
import { OpenDocuments } from "./features/documents.js";
import { GateDelivery } from "./features/gates.js";
import { Lifecycle, type Running } from "./features/lifecycle.js";
import { TaskProgressReporter } from "./features/progress.js";
import { followWorkspaceFolders } from "./features/workspace-folders.js";
import { serverCapabilities } from "./lsp/capabilities.js";
import { clientProfile, type ClientProfile } from "./lsp/client-profile.js";
import { FrameGuard } from "./lsp/frame-guard.js";
import { rootsOf } from "./lsp/roots.js";
import { isBurrowCommand } from "./protocol/index.js";

export interface ServerOptions {
  env?: NodeJS.ProcessEnv;
}

const VERSION = "0.1.0";

export function startBurrowServer(connection: Connection, options: ServerOptions = {}): void {
  const env = options.env ?? process.env;
  const lifecycle = new Lifecycle();
  const documents = new OpenDocuments(() => lifecycle.current()?.services.workspace);

  // Logs carry counts, paths and timings only, never file text, prompts or model output
  // (docs/security.md, "Logs hold no code, prompts or answers", says why).
  const log = (message: string) => {
    try {
      connection.console.log(message);
    } catch {
      // The connection is gone (the editor exited); the log file below still gets the line.
    }
    void lifecycle
      .current()
      ?.services.state.append("logs/burrow.log", `${new Date().toISOString()} ${message}`)
      .catch(() => undefined);
  };

  const profile = () => lifecycle.needNow().profile;
  const progress = new TaskProgressReporter(connection, profile);
  const gates = new GateDelivery(connection, profile, () => lifecycle.current()?.services.tasks, log);
  const commands = commandHandlers({ services: () => lifecycle.needNow().services, connection, progress, documents });

  async function build(params: InitializeParams, client: ClientProfile, settings: Settings): Promise<Running> {
    const [{ buildServices }, { editorHost }] = await Promise.all([import("./services/build.js"), import("./features/apply.js")]);
    const services = await buildServices({
      roots: rootsOf(params),
      settings,
      env,
      log,
      documents,
      editorHost: (workspace) => editorHost({ connection, profile: () => client, documents, workspace: () => workspace, log }),
    });
    services.tasks.onUpdate((s) => {
      gates.deliver(s);
      progress.onUpdate(s);
    });
    services.tasks.onProgress((p) => progress.onProgress(p));
    return { profile: client, services };
  }

  // ---- the handler table ----------------------------------------------------------------------

  connection.onInitialize((params): InitializeResult => {
    const client = clientProfile(params);
    const raw = (params.initializationOptions ?? {}) as Record<string, unknown>;
    const parsed = parseSettings(raw.burrow ?? raw.settings ?? raw);
    if (!parsed.ok) throw new ResponseError(ErrorCodes.InvalidParams, parsed.reason);
    void lifecycle
      .start(
        build(params, client, parsed.settings).catch((err: unknown) => {
          const message = `Burrow could not start: ${err instanceof Error ? err.message : String(err)}`;
          void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message });
          throw new ResponseError(ErrorCodes.InternalError, message);
        }),
      )
      .then(
        (r) => {
          documents.reindex();
          const version = r.profile.version ? ` ${r.profile.version}` : "";
          log(`Burrow ${VERSION} serving ${r.profile.name}${version} with ${r.services.workspace.roots().length} granted folder(s).`);
        },
        () => undefined,
      );
    return { capabilities: serverCapabilities(), serverInfo: { name: "burrow", version: VERSION } };
  });

  connection.onInitialized(async () => {
    const r = await lifecycle.settled();
    if (!r) return;
    if (r.profile.configuration) {
      if (r.profile.configurationRegistration) watchConfiguration(connection);
      void refreshConfiguration(connection, r, log);
    }
    if (r.profile.workspaceFolders) followWorkspaceFolders(connection, r.services.workspace, log);
  });

  connection.onDidChangeConfiguration(() => void refreshConfiguration(connection, lifecycle.current(), log));

  connection.onCodeAction(async (params) => {
    lifecycle.refuseAfterShutdown();
    // Only the very first requests, sent while the agent core loads, wait here; after that this
    // handler reads the task list in memory and answers at once.
    return answerCodeAction(params, lifecycle.current() ?? (await lifecycle.settled()));
  });

  connection.onExecuteCommand(async (params, token) => {
    if (!isBurrowCommand(params.command)) {
      throw new ResponseError(ErrorCodes.InvalidParams, `Burrow has no command "${params.command}".`);
    }
    await lifecycle.need();
    return commands[params.command](params.arguments?.[0], token ?? new CancellationTokenSource().token);
  });

  connection.onShutdown(() => lifecycle.shutdown());

  documents.listen(connection);
  connection.listen();
}

/** `burrow --stdio`: the server on this process's stdin and stdout. */
export function startStdioServer(): void {
  // Only the JSON-RPC writer may use stdout; anything else printed there would corrupt the stream.
  console.log = console.error;
  console.info = console.error;
  const input = process.stdin.pipe(new FrameGuard((problem) => process.stderr.write(`burrow: ${problem}\n`)));
  const connection = createConnection(ProposedFeatures.all, input, process.stdout);
  startBurrowServer(connection);
}
