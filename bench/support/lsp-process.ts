/**
 * A language server started as a child process and driven over its stdin/stdout pipes with
 * vscode-jsonrpc, the way an editor drives it. Benchmarks use it for both Burrow and the minimal
 * baseline server so the two are measured through exactly the same client code; it also answers
 * the requests a server may send to its editor (configuration, progress, prompts, edits) with
 * neutral defaults that a benchmark can replace.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { readFile } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from "vscode-jsonrpc/node";

export interface LspProcessOptions {
  /** The program and its arguments, e.g. [process.execPath, "bin/burrow.js", "--stdio"]. */
  command: string[];
  cwd?: string;
  /** Added to (not replacing) the runner's environment. */
  env?: Record<string, string>;
}

export interface ReceivedNotification {
  method: string;
  params: unknown;
  /** performance.now() when the client read it. */
  at: number;
}

type RequestHandler = (params: unknown) => unknown;
type NotificationListener = (notification: ReceivedNotification) => void;

/** One running server and the client connection talking to it. */
export class LspProcess {
  readonly notifications: ReceivedNotification[] = [];
  private readonly listeners = new Set<NotificationListener>();
  private readonly requestHandlers = new Map<string, RequestHandler>();
  private stderrText = "";
  private exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcessByStdio<Writable, Readable, Readable>,
    readonly connection: MessageConnection,
  ) {
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      // Keep only the tail: a long benchmark must not grow the runner's memory with server logs.
      this.stderrText = (this.stderrText + chunk).slice(-20_000);
    });
    connection.onNotification((method, params) => {
      const received = { method, params, at: performance.now() };
      // Per-token chat deltas are counted by listeners, not stored, so a long stream costs nothing here.
      if (method !== "burrow/chatDelta") this.notifications.push(received);
      for (const listener of this.listeners) listener(received);
    });
    connection.onRequest((method, params) => {
      const handler = this.requestHandlers.get(method) ?? defaultRequestHandlers[method];
      return handler ? handler(params) : null;
    });
  }

  static start(options: LspProcessOptions): LspProcess {
    const [program, ...args] = options.command;
    if (!program) throw new Error("LspProcess needs a command to start.");
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.listen();
    return new LspProcess(child, connection);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error("The server process did not start.");
    return this.child.pid;
  }

  /** The last part of what the server wrote to stderr, for error messages. */
  get stderr(): string {
    return this.stderrText;
  }

  /** Replace the answer to a server-to-client request (e.g. `workspace/applyEdit`). */
  handleRequest(method: string, handler: RequestHandler): void {
    this.requestHandlers.set(method, handler);
  }

  onNotification(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolve with the first notification (already received or later) that matches. */
  waitForNotification(
    predicate: (n: ReceivedNotification) => boolean,
    timeoutMs = 30_000,
    what = "a notification",
  ): Promise<ReceivedNotification> {
    const already = this.notifications.find(predicate);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}. Server stderr:\n${this.stderrText}`));
      }, timeoutMs);
      const stop = this.onNotification((n) => {
        if (!predicate(n)) return;
        clearTimeout(timer);
        stop();
        resolve(n);
      });
    });
  }

  /** Wait for `burrow/taskUpdate` of this task reaching one of these states. */
  waitForTaskState(taskId: string, states: string[], timeoutMs = 30_000): Promise<TaskUpdate> {
    return this.waitForNotification(
      (n) => n.method === "burrow/taskUpdate" && isTaskUpdate(n.params, taskId, states),
      timeoutMs,
      `task ${taskId} to reach ${states.join(" or ")}`,
    ).then((n) => n.params as TaskUpdate);
  }

  request<R = unknown>(method: string, params?: unknown): Promise<R> {
    return params === undefined
      ? this.connection.sendRequest<R>(method)
      : this.connection.sendRequest<R>(method, params);
  }

  notify(method: string, params?: unknown): Promise<void> {
    return params === undefined ? this.connection.sendNotification(method) : this.connection.sendNotification(method, params);
  }

  executeCommand<R = unknown>(command: string, argument: unknown): Promise<R> {
    return this.request<R>("workspace/executeCommand", { command, arguments: [argument] });
  }

  /** The server's resident memory in bytes, read from /proc (Linux) at this moment. */
  async residentBytes(): Promise<number> {
    return residentBytesOf(this.pid);
  }

  /** Orderly shutdown and exit; kill the process if it does not go within the grace period. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      try {
        await withTimeout(this.request("shutdown"), graceMs, "shutdown");
        await this.notify("exit");
      } catch {
        // A server that no longer answers is killed below.
      }
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.connection.dispose();
  }
}

export interface TaskUpdate {
  taskId: string;
  state: string;
  plan?: unknown;
  changes?: unknown[];
  diff?: string;
  error?: { code: string; message: string };
}

function isTaskUpdate(params: unknown, taskId: string, states: string[]): boolean {
  const update = params as Partial<TaskUpdate> | undefined;
  return update?.taskId === taskId && typeof update.state === "string" && states.includes(update.state);
}

// A benchmark client behaves like a capable editor that says yes to bookkeeping and no to prompts.
const defaultRequestHandlers: Record<string, RequestHandler> = {
  "workspace/configuration": (params) => ((params as { items?: unknown[] })?.items ?? []).map(() => null),
  "window/workDoneProgress/create": () => null,
  "client/registerCapability": () => null,
  "client/unregisterCapability": () => null,
  "window/showMessageRequest": () => null,
  "window/showDocument": () => ({ success: true }),
  "workspace/applyEdit": () => ({ applied: false, failureReason: "The benchmark client does not apply edits." }),
  "workspace/workspaceFolders": () => null,
};

export async function residentBytesOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`Cannot read the resident memory of process ${pid} from /proc.`);
  return Number(match[1]) * 1024;
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}.`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
