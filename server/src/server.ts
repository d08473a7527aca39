/**
 * The LSP composition root: `initialize` starts building the services from the client's roots and
 * settings, and a handler table wires each LSP method to its feature. Nothing here knows how a task
 * works; the agent core (agent/) does, and features/ translate between it and the protocol.
 *
 * The agent core is loaded after `initialize` has been answered (dynamic imports in `build`), so
 * the editor is not kept waiting for the model, context and sandbox modules; requests that need
 * them wait for the build.
 *
 * `startBurrowServer(connection)` runs on any connection, which is how tests drive the server in
 * process; `startStdioServer()` is what `burrow --stdio` runs.
 */
import {
  CancellationTokenSource,
  DidChangeConfigurationNotification,
  ErrorCodes,
  LSPErrorCodes,
  MessageType,
  ShowMessageNotification,
  ResponseError,
  type CancellationToken,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from "vscode-languageserver";
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { ChatRequestError, type ChatService } from "./agent/chat/index.js";
import { ModelError } from "./agent/model/types.js";
import type { ContextEngine } from "./agent/context/types.js";
import type { ModelAdmin, ModelRouterOptions } from "./agent/model/index.js";
import type { ModelRouter } from "./agent/model/types.js";
import { fileUriToPath } from "./agent/sandbox/uri.js";
import type { StateStore, Workspace } from "./agent/sandbox/types.js";
import { mergeSettings, parseSettings, type Settings } from "./agent/settings.js";
import type { TaskManager } from "./agent/task/manager.js";
import { codeActionsFor } from "./features/code-actions.js";
import { commandHandlers } from "./features/commands.js";
import { OpenDocuments } from "./features/documents.js";
import { GateDelivery } from "./features/gates.js";
import { TaskProgressReporter } from "./features/progress.js";
import type { ChatArgs, Services } from "./features/services.js";
import { serverCapabilities } from "./lsp/capabilities.js";
import { clientProfile, type ClientProfile } from "./lsp/client-profile.js";
import { FrameGuard } from "./lsp/frame-guard.js";
import { CHAT_DELTA, isBurrowCommand } from "./lsp/commands.js";

export interface ServerOptions {
  env?: NodeJS.ProcessEnv;
}

type Router = ModelRouter & ModelAdmin;

/**
 * The model router behind one stable object: settings from `workspace/configuration` may arrive
 * after the task manager and chat were built with it, and a new router then replaces the old one
 * for every later request.
 */
function swappableRouter(initial: Router): Router & { replace(next: Router): Router } {
  let current = initial;
  return {
    chat: (request) => current.chat(request),
    describe: (role, overrides) => current.describe(role, overrides),
    listModels: () => current.listModels(),
    pull: (name, onProgress, signal) => current.pull(name, onProgress, signal),
    doctor: () => current.doctor(),
    egressLedger: () => current.egressLedger(),
    recommend: () => current.recommend(),
    hardware: () => current.hardware(),
    runtimes: () => current.runtimes(),
    preflight: (role, overrides) => current.preflight(role, overrides),
    dispose: () => current.dispose(),
    replace(next) {
      const previous = current;
      current = next;
      return previous;
    },
  };
}

interface Running {
  profile: ClientProfile;
  createRouter: (options: ModelRouterOptions) => Router;
  settings: Settings;
  initSettings: Settings;
  state: StateStore;
  workspace: Workspace;
  models: Router & { replace(next: Router): Router };
  context: ContextEngine;
  tasks: TaskManager;
  chat: ChatService;
}

const VERSION = "0.1.0";

export function startBurrowServer(connection: Connection, options: ServerOptions = {}): void {
  const env = options.env ?? process.env;
  let running: Running | undefined;
  let building: Promise<Running> | undefined;
  let shuttingDown = false;
  let hardwareReady: Promise<void> = Promise.resolve();
  const documents = new OpenDocuments(() => running?.workspace);

  // Logs carry counts, paths and timings only: never file text, prompts or model output (DESIGN.md).
  const log = (message: string) => {
    try {
      connection.console.log(message);
    } catch {
      // The connection is gone (the editor exited); the log file below still gets the line.
    }
    void running?.state.append("logs/burrow.log", `${new Date().toISOString()} ${message}`).catch(() => undefined);
  };

  /** The running services, for a request that needs them; after shutdown every request is refused (LSP). */
  const need = (): Running => {
    if (shuttingDown) throw new ResponseError(ErrorCodes.InvalidRequest, "Burrow is shutting down: no request is served after shutdown.");
    if (!running) throw new ResponseError(ErrorCodes.ServerNotInitialized, "Burrow has not been initialized yet.");
    return running;
  };

  const progress = new TaskProgressReporter(connection, () => need().profile);
  const gates = new GateDelivery(connection, () => need().profile, () => running?.tasks, log);

  const services: Services = {
    tasks: () => need().tasks,
    workspace: () => need().workspace,
    models: () => need().models,
    ready: () => hardwareReady,
    chat: (args, token) => runChat(need(), args, token),
    pull: (name, token) => runPull(need(), name, token),
  };

  async function runChat(r: Running, args: ChatArgs, token: CancellationToken) {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    let document: { path: string; text: string; selection?: { startLine: number; endLine: number } } | undefined;
    if (args.uri) {
      const located = await r.workspace.locate(args.uri, "read");
      if (located.ok) {
        const open = documents.get(located.abs);
        const read = open ? undefined : await r.workspace.read(located.abs);
        const text = open?.text ?? (read?.ok ? read.file.text : undefined);
        if (text !== undefined) {
          document = { path: located.rel, text };
          if (args.range) document.selection = { startLine: args.range.start.line + 1, endLine: args.range.end.line + 1 };
        }
      }
    }
    const reporter = await progress.start("Burrow: chat");
    let received = 0;
    try {
      const answer = await r.chat.ask({
        prompt: args.prompt,
        ...(args.sessionId ? { sessionId: args.sessionId } : {}),
        ...(document ? { document } : {}),
        signal: abort.signal,
        onDelta: (delta: string, sessionId?: string) => {
          received += delta.length;
          void connection.sendNotification(CHAT_DELTA, { sessionId: sessionId ?? args.sessionId ?? "", delta });
          reporter.report(`${received} characters received`);
        },
      });
      return { sessionId: answer.sessionId, text: answer.text, document: answer.documentPath, unavailable: answer.unavailable };
    } catch (err) {
      if (abort.signal.aborted) throw new ResponseError(LSPErrorCodes.RequestCancelled, "The chat request was cancelled.");
      if (err instanceof ChatRequestError) throw new ResponseError(ErrorCodes.InvalidParams, err.message, { code: err.code });
      if (err instanceof ModelError) {
        throw new ResponseError(ErrorCodes.InternalError, err.message, { code: err.kind === "unreachable" ? "runtime-unreachable" : err.kind });
      }
      throw new ResponseError(ErrorCodes.InternalError, err instanceof Error ? err.message : String(err));
    } finally {
      reporter.done();
    }
  }

  async function runPull(r: Running, name: string, token: CancellationToken) {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const reporter = await progress.start(`Burrow: pulling ${name}`);
    try {
      const pulled = await r.models.pull(
        name,
        (p) => reporter.report(p.status, p.fraction === undefined ? undefined : Math.round(p.fraction * 100)),
        abort.signal,
      );
      if (!pulled.ok) throw new ResponseError(ErrorCodes.InvalidRequest, pulled.reason);
      return pulled;
    } finally {
      reporter.done();
    }
  }

  async function build(params: InitializeParams, profile: ClientProfile, settings: Settings): Promise<Running> {
    const [{ createStateStore, createWorkspace, recoverJournals, stateDirectory }, { createModelRouter }, { createContextEngine }, { createChatService }, { TaskManager }, { editorHost }] =
      await Promise.all([
        import("./agent/sandbox/index.js"),
        import("./agent/model/index.js"),
        import("./agent/context/index.js"),
        import("./agent/chat/index.js"),
        import("./agent/task/manager.js"),
        import("./features/apply.js"),
      ]);
    const state = createStateStore(stateDirectory(env));
    const recovered = await recoverJournals(state, log);
    const roots = rootsOf(params);
    const workspace = await createWorkspace({ roots, settings: settings.sandbox ?? {}, log, state, env });
    const models = swappableRouter(createModelRouter({ settings, env, state, log, onProgress: (e) => log(`models: ${e.message}`) }));
    // Hardware detection starts now and is awaited by the first task or chat, not by initialize:
    // the editor gets its answer at once, and the tier is known before a model is chosen.
    hardwareReady = models.hardware().then(
      () => undefined,
      (err: unknown) => log(`Hardware detection failed; the CPU tier is assumed: ${err instanceof Error ? err.message : String(err)}`),
    );
    const context = createContextEngine({ workspace, state, log });
    const tasks = new TaskManager({
      workspace,
      state,
      models,
      context,
      host: editorHost({ connection, profile: () => profile, documents, workspace: () => workspace, log }),
      settings: () => running?.settings ?? settings,
      log,
      ready: () => hardwareReady,
      preflight: (overrides) => models.preflight("coder", overrides),
    });
    const chat = createChatService({ models, workspace, state, log });
    tasks.onUpdate((s) => {
      gates.deliver(s);
      progress.onUpdate(s);
    });
    tasks.onProgress((p) => progress.onProgress(p));
    workspace.onRootsChanged(({ removed }) => {
      for (const root of removed) tasks.revokeRoot(root);
    });
    // Only the fact of a change is recorded. Handing over the buffer's text would re-parse a large
    // document at every pause in typing, which the code-action benchmark showed blocking the editor;
    // the pipeline reads open buffers directly for the files it plans to change.
    documents.onChange((abs) => context.noteChange(abs));
    workspace.watch((abs) => {
      if (!documents.get(abs)) context.noteChange(abs);
    });
    if (recovered.completed + recovered.rolledBack > 0) {
      log(`Recovered interrupted applies at start-up: ${recovered.completed} completed, ${recovered.rolledBack} rolled back.`);
    }
    return { profile, createRouter: createModelRouter, settings, initSettings: settings, state, workspace, models, context, tasks, chat };
  }

  async function refreshConfiguration(): Promise<void> {
    const r = running;
    if (!r || !r.profile.configuration) return;
    let section: unknown;
    try {
      section = await connection.workspace.getConfiguration("burrow");
    } catch (err) {
      log(`workspace/configuration failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const parsed = parseSettings(section ?? {});
    if (!parsed.ok) {
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: parsed.reason });
      return;
    }
    const next = mergeSettings(r.initSettings, parsed.settings);
    if (JSON.stringify(next) === JSON.stringify(r.settings)) return;
    r.settings = next;
    await r.workspace.configure?.(next.sandbox ?? {});
    const hardware = await r.models.hardware().catch(() => undefined);
    const previous = r.models.replace(
      r.createRouter({ settings: next, env, state: r.state, log, onProgress: (e) => log(`models: ${e.message}`), ...(hardware ? { hardware } : {}) }),
    );
    void previous.dispose();
    log("Settings updated from workspace/configuration.");
  }

  // ---- the handler table ----------------------------------------------------------------------

  connection.onInitialize((params): InitializeResult => {
    const profile = clientProfile(params);
    const raw = (params.initializationOptions ?? {}) as Record<string, unknown>;
    const parsed = parseSettings(raw.burrow ?? raw.settings ?? raw);
    if (!parsed.ok) throw new ResponseError(ErrorCodes.InvalidParams, parsed.reason);
    building = build(params, profile, parsed.settings).then(
      (r) => {
        running = r;
        documents.reindex();
        log(`Burrow ${VERSION} serving ${r.profile.name}${r.profile.version ? ` ${r.profile.version}` : ""} with ${r.workspace.roots().length} granted folder(s).`);
        return r;
      },
      (err: unknown) => {
        const message = `Burrow could not start: ${err instanceof Error ? err.message : String(err)}`;
        void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message });
        throw new ResponseError(ErrorCodes.InternalError, message);
      },
    );
    // Requests wait for the build; an unobserved failure is reported above, not as a crash.
    building.catch(() => undefined);
    return { capabilities: serverCapabilities(), serverInfo: { name: "burrow", version: VERSION } };
  });

  connection.onInitialized(async () => {
    const r = await building?.catch(() => undefined);
    if (!r) return;
    if (r.profile.configuration) {
      void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
      void refreshConfiguration();
    }
    if (r.profile.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders(async (event) => {
        for (const f of event.added) {
          const path = fileUriToPath(f.uri);
          if (path) {
            const granted = await r.workspace.grant(path);
            if (!granted.ok) log(`Workspace folder ${f.uri} was not granted: ${granted.reason}`);
          }
        }
        for (const f of event.removed) {
          const path = fileUriToPath(f.uri);
          if (path) r.workspace.revoke(path);
        }
      });
    }
  });

  connection.onDidChangeConfiguration(() => void refreshConfiguration());

  connection.onCodeAction(async (params) => {
    if (shuttingDown) throw new ResponseError(ErrorCodes.InvalidRequest, "Burrow is shutting down: no request is served after shutdown.");
    // Only the very first requests, sent while the agent core loads, wait here; after that this
    // handler reads the task list in memory and answers at once.
    const r = running ?? (await building?.catch(() => undefined));
    if (!r) return [];
    const p = params as Partial<typeof params> | undefined;
    if (typeof p?.textDocument?.uri !== "string" || !p.range?.start || !p.range.end) {
      throw new ResponseError(ErrorCodes.InvalidParams, "textDocument/codeAction needs a textDocument.uri and a range.");
    }
    return codeActionsFor(params, r.tasks.list(), r.profile);
  });

  const handlers = commandHandlers(services);
  connection.onExecuteCommand(async (params, token) => {
    if (!isBurrowCommand(params.command)) {
      throw new ResponseError(ErrorCodes.InvalidParams, `Burrow has no command "${params.command}".`);
    }
    if (!shuttingDown && building) await building;
    need();
    return handlers[params.command](params.arguments?.[0], token ?? new CancellationTokenSource().token);
  });

  connection.onShutdown(async () => {
    shuttingDown = true;
    await building?.catch(() => undefined);
    await running?.tasks.dispose();
    running?.context.dispose();
    running?.workspace.close?.();
    await running?.models.dispose();
  });

  documents.listen(connection);
  connection.listen();
}

/** The granted roots from `initialize`: the workspace folders, else the root URI or path. */
function rootsOf(params: InitializeParams): string[] {
  const folders = params.workspaceFolders ?? [];
  const fromFolders = folders.map((f) => fileUriToPath(f.uri)).filter((p): p is string => p !== null);
  if (fromFolders.length > 0) return fromFolders;
  if (params.rootUri) {
    const p = fileUriToPath(params.rootUri);
    if (p) return [p];
  }
  if (params.rootPath) return [params.rootPath];
  return [];
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
