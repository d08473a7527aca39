/**
 * Starting a Burrow language server as a child process and talking to it over its stdio, for the
 * terminal commands (`burrow run`, `burrow chat`) that are themselves plain JSON-RPC clients. It is
 * the one product module allowed to import node:child_process, and it starts nothing but this same
 * installed Burrow: the compiled `bin/burrow.js`, or, when running from the TypeScript sources,
 * `cli.ts` under tsx.
 *
 * The client it initializes declares what a terminal can honestly do: it handles
 * `burrow/taskUpdate` and `burrow/chatDelta` itself (so the server sends it no gate prompts and no
 * documents to show), and it has no `workspace.applyEdit`, so after gate 2 the server writes the
 * approved files atomically itself.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createRequire } from "node:module";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from "vscode-jsonrpc/node";

export interface SpawnServerOptions {
  /** The workspace folder to grant; the server reads and writes only inside it. */
  root: string;
  /** The child's environment (defaults to ours): `OLLAMA_HOST`, `XDG_STATE_HOME`, provider keys. */
  env?: NodeJS.ProcessEnv;
  /** Sent as `initializationOptions` and as the answer to `workspace/configuration` section `burrow`. */
  settings?: object;
  /** Pass the server's stderr through to ours, and its log messages too. */
  verbose?: boolean;
  /** The name the server sees in `clientInfo`. */
  clientName?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedServer {
  connection: MessageConnection;
  process: ChildProcessWithoutNullStreams;
  /** Resolves with the server's initialize result once `initialized` has been sent. */
  ready: Promise<unknown>;
  /** Resolves when the child process has ended, however it ended. */
  exited: Promise<ExitStatus>;
  /** The last few kilobytes the server wrote to stderr, to explain an unexpected end. */
  stderrTail(): string;
  /** Shut the server down politely, then firmly; safe to call more than once. */
  dispose(): Promise<void>;
}

const STDERR_TAIL_BYTES = 4096;
const SHUTDOWN_GRACE_MS = 2000;

export function spawnServer(options: SpawnServerOptions): SpawnedServer {
  const root = resolve(options.root);
  const settings = options.settings ?? {};
  const { command, args } = serverCommand();
  const child = spawn(command, [...args, "--stdio"], {
    env: options.env ?? process.env,
    stdio: ["pipe", "pipe", "pipe"],
    windowsHide: true,
  });

  let tail = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_BYTES);
    if (options.verbose) process.stderr.write(chunk);
  });

  const exited = new Promise<ExitStatus>((resolveExit) => {
    child.once("exit", (code, signal) => resolveExit({ code, signal }));
    // A failure to start at all (no such executable) comes as "error" without "exit".
    child.once("error", (err) => {
      tail = (tail + `\n${err.message}`).slice(-STDERR_TAIL_BYTES);
      resolveExit({ code: null, signal: null });
    });
  });
  let running = true;
  void exited.then(() => {
    running = false;
  });

  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  // Writes to a pipe whose reader has died raise EPIPE; the exit status tells that story better.
  child.stdin.on("error", () => undefined);

  const folder = { uri: pathToFileURL(root).href, name: basename(root) || root };
  connection.onRequest("workspace/configuration", (params: { items?: Array<{ section?: string }> }) =>
    (params.items ?? []).map((item) => (item.section === undefined || item.section === "burrow" ? settings : null)),
  );
  connection.onRequest("workspace/workspaceFolders", () => [folder]);
  connection.onRequest("client/registerCapability", () => null);
  connection.onRequest("client/unregisterCapability", () => null);
  connection.onRequest("window/workDoneProgress/create", () => null);
  // Declined politely should a server ask anyway: the terminal answers gates through taskUpdate.
  connection.onRequest("window/showMessageRequest", () => null);
  connection.onRequest("window/showDocument", () => ({ success: false }));
  connection.onRequest("workspace/applyEdit", () => ({
    applied: false,
    failureReason: "The terminal client has no editor buffers; the server writes approved files itself.",
  }));
  connection.onNotification("window/logMessage", (params: { message?: string }) => {
    if (options.verbose && params.message) process.stderr.write(`[server] ${params.message}\n`);
  });
  connection.listen();

  const ready = (async () => {
    const result = await connection.sendRequest("initialize", {
      processId: process.pid,
      clientInfo: { name: options.clientName ?? "burrow-terminal", version: "0.1.0" },
      locale: "en",
      rootPath: root,
      rootUri: folder.uri,
      workspaceFolders: [folder],
      initializationOptions: settings,
      capabilities: {
        workspace: { workspaceFolders: true, configuration: true },
        window: { workDoneProgress: true },
        general: { positionEncodings: ["utf-16"] },
        experimental: { burrow: { taskUpdate: true, chatDelta: true } },
      },
      trace: "off",
    });
    await connection.sendNotification("initialized", {});
    return result;
  })();
  // The caller awaits `ready`; this keeps an early server death from being an unhandled rejection.
  ready.catch(() => undefined);

  let disposing: Promise<void> | undefined;
  const dispose = () => {
    disposing ??= (async () => {
      if (running) {
        try {
          await withTimeout(connection.sendRequest("shutdown"), SHUTDOWN_GRACE_MS);
          await connection.sendNotification("exit");
        } catch {
          // A server that cannot answer shutdown is ended below.
        }
        child.stdin.end();
        if (!(await withTimeout(exited, SHUTDOWN_GRACE_MS).then(() => true, () => false))) {
          child.kill("SIGTERM");
          if (!(await withTimeout(exited, SHUTDOWN_GRACE_MS).then(() => true, () => false))) child.kill("SIGKILL");
        }
      }
      connection.dispose();
    })();
    return disposing;
  };

  return { connection, process: child, ready, exited, stderrTail: () => tail.trim(), dispose };
}

/**
 * How to start this same Burrow: the compiled entry point next to this module's compiled location
 * (dist/cli/ → bin/burrow.js), or the TypeScript entry point under tsx when running from source.
 */
function serverCommand(): { command: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".ts")) {
    const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    return { command: process.execPath, args: ["--import", tsxLoader, resolve(dirname(here), "..", "cli.ts")] };
  }
  return { command: process.execPath, args: [resolve(dirname(here), "..", "..", "bin", "burrow.js")] };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out")), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolvePromise(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
