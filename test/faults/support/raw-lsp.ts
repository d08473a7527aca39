/**
 * A language-server client for fault tests that owns the bytes on the wire. It frames and parses
 * `Content-Length` messages itself, so a test can write anything at all to the server's stdin
 * (broken headers, half a message, invalid JSON) and then carry on as an ordinary client on the same
 * pipes: send requests, answer the server's own requests, and wait for `burrow/taskUpdate`.
 *
 * It also polices the server's side: every byte on stdout must be a well-framed JSON-RPC message,
 * and anything else is recorded in `stdoutViolations` for the test to assert on.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/**
 * How the server is started: the build (`node bin/burrow.js --stdio`, what users run) when it is up
 * to date with server/src, otherwise the TypeScript sources through tsx, so a test never runs stale
 * code. BURROW_TEST_SERVER=built or =source forces one.
 */
export function serverCommand(): string[] {
  const built = [process.execPath, path.join(repoRoot, "bin", "burrow.js"), "--stdio"];
  const source = [process.execPath, "--import", import.meta.resolve("tsx"), path.join(repoRoot, "server", "src", "cli.ts"), "--stdio"];
  const choice = process.env.BURROW_TEST_SERVER;
  if (choice === "source") return source;
  const builtCli = path.join(repoRoot, "dist", "cli.js");
  if (choice === "built") {
    if (!existsSync(builtCli)) throw new Error('BURROW_TEST_SERVER=built but dist/cli.js is missing: run "npm run build" first.');
    return built;
  }
  return existsSync(builtCli) && newestSourceMtime(path.join(repoRoot, "server", "src")) <= statSync(builtCli).mtimeMs ? built : source;
}

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

export interface JsonRpcError {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcMessage {
  jsonrpc?: string;
  id?: number | string | null;
  method?: string;
  params?: any;
  result?: any;
  error?: JsonRpcError;
}

export interface TaskUpdate {
  taskId: string;
  state: string;
  plan?: any;
  changes?: any[];
  diff?: string;
  error?: { code: string; message: string };
  documents?: { plan?: string; diff?: string };
  declinedHunks?: string[];
  warnings?: string[];
}

type ServerRequestHandler = (params: any) => unknown;

export interface SpawnOptions {
  /** Added to the test runner's environment. */
  env?: Record<string, string>;
  cwd?: string;
  command?: string[];
}

export class RawLspClient {
  /** Every message read from stdout, in order. */
  readonly received: JsonRpcMessage[] = [];
  /** Bytes on stdout that were not a well-framed JSON message (there must be none). */
  readonly stdoutViolations: string[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly handlers = new Map<string, ServerRequestHandler>();
  private readonly pending = new Map<number, (message: JsonRpcMessage) => void>();
  private nextId = 1;
  private buffer = Buffer.alloc(0);
  private stderrText = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcessByStdio<Writable, Readable, Readable>) {
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    this.exited.then(() => this.wake());
    child.stdout.on("data", (chunk: Buffer) => this.read(chunk));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      this.stderrText = (this.stderrText + chunk).slice(-50_000);
    });
    // Writing to a server that died is reported by the assertions, not as an unhandled stream error.
    child.stdin.on("error", () => undefined);
  }

  static spawn(options: SpawnOptions = {}): RawLspClient {
    const [program, ...args] = options.command ?? serverCommand();
    const child = spawn(program!, args, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    return new RawLspClient(child);
  }

  get stderr(): string {
    return this.stderrText;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Answer a request the server sends to its client (e.g. `workspace/applyEdit`). */
  handle(method: string, handler: ServerRequestHandler): void {
    this.handlers.set(method, handler);
  }

  // -- writing -----------------------------------------------------------------------------

  /** Write bytes exactly as given: the test is responsible for framing (or for breaking it). */
  writeRaw(bytes: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (!this.alive) return resolve();
      this.child.stdin.write(bytes, () => resolve());
    });
  }

  /** Frame a body (any text, valid JSON or not) with a correct Content-Length header. */
  writeBody(body: string | Buffer): Promise<void> {
    const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    return this.writeRaw(Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, "ascii"), bytes]));
  }

  send(message: JsonRpcMessage): Promise<void> {
    return this.writeBody(JSON.stringify({ jsonrpc: "2.0", ...message }));
  }

  /** Send a request and resolve with the whole response (result or error), whatever it is. */
  async requestRaw(method: string, params?: unknown, timeoutMs = 20_000): Promise<JsonRpcMessage> {
    const id = this.nextId++;
    const response = new Promise<JsonRpcMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`No response to ${method} (id ${id}) within ${timeoutMs} ms. Server stderr:\n${this.stderrText}`));
      }, timeoutMs);
      this.pending.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.exited.then(({ code, signal }) => {
        if (!this.pending.has(id)) return;
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new Error(`The server exited (code ${code}, signal ${signal}) before answering ${method}. Stderr:\n${this.stderrText}`));
      });
    });
    await this.send(params === undefined ? { id, method } : { id, method, params });
    return response;
  }

  /** Send a request and resolve with its result; an error response is thrown. */
  async request<R = any>(method: string, params?: unknown, timeoutMs?: number): Promise<R> {
    const response = await this.requestRaw(method, params, timeoutMs);
    if (response.error) {
      throw new Error(`${method} failed with ${response.error.code}: ${response.error.message}`);
    }
    return response.result as R;
  }

  /**
   * A request that is still answered after broken framing. vscode-jsonrpc's reader stops reading a
   * chunk at a framing error and resumes only when more bytes arrive, one error per arrival, so a
   * request that shared a chunk with broken bytes waits for the messages after it. An editor always
   * sends more (the next keystroke); the test sends a harmless `$/` notification every few
   * milliseconds while the answer is outstanding. A server that never recovers still fails: the
   * request times out.
   */
  async requestAfterFault<R = any>(method: string, params?: unknown, timeoutMs = 10_000): Promise<R> {
    let settled = false;
    const answer = this.request<R>(method, params, timeoutMs).finally(() => {
      settled = true;
    });
    answer.catch(() => undefined);
    while (!settled && this.alive) {
      await Promise.race([answer.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5))]);
      if (!settled) await this.notify("$/burrowFaultTestPoke", {});
    }
    return answer;
  }

  notify(method: string, params?: unknown): Promise<void> {
    return this.send(params === undefined ? { method } : { method, params });
  }

  executeCommand<R = any>(command: string, argument?: unknown, timeoutMs?: number): Promise<R> {
    return this.request<R>("workspace/executeCommand", { command, arguments: argument === undefined ? [] : [argument] }, timeoutMs);
  }

  // -- waiting -----------------------------------------------------------------------------

  /**
   * Resolve with the first received message (already here or still to come) that matches, looking
   * only at messages from index `since` on (pass `client.received.length` to ignore the past).
   */
  waitFor(predicate: (m: JsonRpcMessage) => boolean, timeoutMs = 20_000, what = "a message", since = 0): Promise<JsonRpcMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.received.slice(since).find(predicate);
        if (found) {
          finish();
          resolve(found);
        } else if (!this.alive) {
          finish();
          reject(new Error(`The server exited while the test waited for ${what}. Stderr:\n${this.stderrText}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}. Stderr:\n${this.stderrText}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Every `burrow/taskUpdate` received for a task, in order. */
  taskUpdates(taskId: string): TaskUpdate[] {
    return this.received
      .filter((m) => m.method === "burrow/taskUpdate" && m.params?.taskId === taskId)
      .map((m) => m.params as TaskUpdate);
  }

  /**
   * Wait until a task reaches one of `states`; a task that ends otherwise rejects with its error.
   * `since` (an index into `received`) ignores earlier updates, e.g. those before a retry.
   */
  async waitForTaskState(taskId: string, states: string[], timeoutMs = 20_000, since = 0): Promise<TaskUpdate> {
    const terminal = ["failed", "rejected", "cancelled", "applied"];
    const message = await this.waitFor(
      (m) =>
        m.method === "burrow/taskUpdate" &&
        m.params?.taskId === taskId &&
        (states.includes(m.params.state) || (terminal.includes(m.params.state) && !states.includes(m.params.state))),
      timeoutMs,
      `task ${taskId} to reach ${states.join(" or ")}`,
      since,
    );
    const update = message.params as TaskUpdate;
    if (!states.includes(update.state)) {
      throw new Error(
        `Task ${taskId} ended as "${update.state}" while the test waited for ${states.join(" or ")}` +
          (update.error ? `: ${update.error.code}: ${update.error.message}` : "."),
      );
    }
    return update;
  }

  // -- ending ------------------------------------------------------------------------------

  /** An orderly shutdown and exit; the process is killed if it has not gone within `graceMs`. */
  async close(graceMs = 5_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.alive) {
      try {
        await this.requestRaw("shutdown", undefined, graceMs);
        await this.notify("exit");
      } catch {
        // A server that no longer answers is killed below.
      }
    }
    return this.kill(graceMs);
  }

  /** Wait up to `graceMs` for the process to end by itself, then kill it. */
  async kill(graceMs = 0): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }

  // -- reading -----------------------------------------------------------------------------

  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd === -1) return;
      const header = this.buffer.subarray(0, headerEnd).toString("ascii");
      const length = /^Content-Length:\s*(\d+)\s*$/im.exec(header);
      const otherLines = header.split("\r\n").filter((line) => !/^Content-(Length|Type):/i.test(line));
      if (!length || otherLines.length > 0) {
        // Not a header: the server wrote something else to stdout. Record it and skip past it.
        this.stdoutViolations.push(header.slice(0, 500));
        this.buffer = this.buffer.subarray(headerEnd + 4);
        continue;
      }
      const bodyLength = Number(length[1]);
      if (this.buffer.length < headerEnd + 4 + bodyLength) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + bodyLength).toString("utf8");
      this.buffer = this.buffer.subarray(headerEnd + 4 + bodyLength);
      let message: JsonRpcMessage;
      try {
        message = JSON.parse(body) as JsonRpcMessage;
      } catch {
        this.stdoutViolations.push(`invalid JSON body: ${body.slice(0, 500)}`);
        continue;
      }
      this.dispatch(message);
    }
  }

  private dispatch(message: JsonRpcMessage): void {
    this.received.push(message);
    if (message.method !== undefined && message.id !== undefined && message.id !== null) {
      this.answerServerRequest(message);
    } else if (message.method === undefined && typeof message.id === "number") {
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.(message);
    }
    this.wake();
  }

  private answerServerRequest(message: JsonRpcMessage): void {
    const handler = this.handlers.get(message.method!) ?? defaultServerRequestHandlers[message.method!];
    const reply = (body: Partial<JsonRpcMessage>) => void this.send({ id: message.id, ...body });
    if (!handler) {
      reply({ error: { code: -32601, message: `The test client does not handle ${message.method}.` } });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.params))
      .then(
        (result) => reply({ result: result ?? null }),
        (err: unknown) => reply({ error: { code: -32603, message: err instanceof Error ? err.message : String(err) } }),
      );
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }
}

// What a plain editor says to the server's bookkeeping requests.
const defaultServerRequestHandlers: Record<string, ServerRequestHandler> = {
  "workspace/configuration": (params) => (params?.items ?? []).map(() => null),
  "window/workDoneProgress/create": () => null,
  "client/registerCapability": () => null,
  "client/unregisterCapability": () => null,
  "window/showMessageRequest": () => null,
  "window/showDocument": () => ({ success: true }),
  "workspace/workspaceFolders": () => null,
};

export interface InitializeOptions {
  root: string;
  /** Declare `workspace.applyEdit`; without it the server writes approved changes to disk itself. */
  applyEdit?: boolean;
  /** Merged into initializationOptions after the default model setting. */
  settings?: Record<string, unknown>;
}

/** The initialize request of a client that handles Burrow's notifications itself (no prompts). */
export function initializeParams(options: InitializeOptions): Record<string, unknown> {
  const rootUri = pathToFileURL(options.root).href;
  return {
    processId: process.pid,
    clientInfo: { name: "burrow-fault-tests", version: "1.0.0" },
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: path.basename(options.root) }],
    initializationOptions: { models: { coder: "qwen2.5-coder:1.5b" }, ...options.settings },
    capabilities: {
      workspace: {
        applyEdit: options.applyEdit ?? false,
        workspaceEdit: { documentChanges: true },
        configuration: false,
        workspaceFolders: true,
      },
      textDocument: {
        synchronization: { didSave: true },
        codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["", "quickfix", "refactor"] } } },
      },
      window: { workDoneProgress: false },
      experimental: { burrow: { taskUpdate: true, chatDelta: true } },
    },
  };
}

/** Spawn the server and complete the initialize handshake. */
export async function startInitialized(
  init: InitializeOptions,
  env: Record<string, string>,
): Promise<{ client: RawLspClient; capabilities: any }> {
  const client = RawLspClient.spawn({ env, cwd: init.root });
  try {
    const result = await client.request("initialize", initializeParams(init), 30_000);
    await client.notify("initialized", {});
    return { client, capabilities: result.capabilities };
  } catch (err) {
    await client.kill();
    throw err;
  }
}
