/**
 * An ACP client for tests: the SDK's own client side (`client()` from @agentclientprotocol/sdk,
 * the current form of ClientSideConnection) over real pipes to a spawned `node bin/burrow.js acp`.
 * It plays an editor: it answers permission requests with a script, serves `fs/read_text_file`
 * and `fs/write_text_file` when the test gives it those capabilities (from the disk, with optional
 * unsaved buffers that win over it), and records everything in one ordered log, so a test can say
 * "no write before the last approval".
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Readable, Writable } from "node:stream";
import {
  client,
  ndJsonStream,
  PROTOCOL_VERSION,
  RequestError,
  type ClientContext,
  type ContentBlock,
  type InitializeResponse,
  type PromptResponse,
  type RequestPermissionRequest,
  type RequestPermissionResponse,
  type SessionNotification,
} from "@agentclientprotocol/sdk";
import { REPO_ROOT } from "./servers.js";

/**
 * An option id, "cancelled", or a function of the request giving one of those; undefined (or a
 * function returning undefined) leaves the request waiting until the test cancels the turn.
 */
export type PermissionAnswer = string | ((request: RequestPermissionRequest) => string | undefined | Promise<string | undefined>);

export type LoggedEvent =
  | { kind: "update"; notification: SessionNotification }
  | { kind: "asked"; request: RequestPermissionRequest }
  | { kind: "permission"; request: RequestPermissionRequest; answer: string }
  | { kind: "read"; path: string }
  | { kind: "write"; path: string; content: string };

export interface AcpClientOptions {
  env: NodeJS.ProcessEnv;
  /** The `fs` capabilities to declare; absent means none (Burrow writes the files itself). */
  fs?: { read?: boolean; write?: boolean };
  /** Unsaved editor buffers by absolute path: `fs/read_text_file` answers them before the disk. */
  buffers?: Map<string, string>;
  /**
   * How permission requests are answered: a fixed option id for every request, or a function of
   * the request. Unanswered by default: the request is logged and waits (tests of cancel).
   */
  answer?: PermissionAnswer;
  /** Paths whose `fs/write_text_file` fails, as an editor's failed save would. */
  refuseWrite?: (path: string) => boolean;
  /** Extra arguments after `acp`. */
  args?: string[];
}

export interface AcpTestClient {
  agent: ClientContext;
  initialized: InitializeResponse;
  log: LoggedEvent[];
  child: ChildProcess;
  stderr(): string;
  newSession(cwd: string, additionalDirectories?: string[]): Promise<string>;
  prompt(sessionId: string, prompt: string | ContentBlock[]): Promise<PromptResponse>;
  cancel(sessionId: string): Promise<void>;
  updates(sessionId?: string): SessionNotification["update"][];
  permissions(): RequestPermissionRequest[];
  /** The text of every agent_message_chunk, joined. */
  messageText(sessionId?: string): string;
  /** Resolves when an event the predicate accepts has been logged (already or later). */
  waitFor(predicate: (e: LoggedEvent) => boolean, what: string, timeoutMs?: number): Promise<LoggedEvent>;
  setAnswer(answer: PermissionAnswer | undefined): void;
  close(): Promise<void>;
}

export async function startAcpClient(options: AcpClientOptions): Promise<AcpTestClient> {
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "burrow.js"), "acp", ...(options.args ?? [])], {
    env: options.env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const log: LoggedEvent[] = [];
  const waiters = new Set<() => void>();
  const record = (e: LoggedEvent) => {
    log.push(e);
    for (const w of [...waiters]) w();
  };
  let answer = options.answer;
  // Permission requests still waiting for an answer; a cancel answers them "cancelled", as ACP asks.
  const pending = new Set<() => void>();
  const buffers = options.buffers ?? new Map<string, string>();
  const fs = options.fs ?? {};

  let app = client({ name: "burrow-test-client" })
    .onNotification("session/update", ({ params }) => record({ kind: "update", notification: params }))
    .onRequest("session/request_permission", async ({ params, signal }): Promise<RequestPermissionResponse> => {
      record({ kind: "asked", request: params });
      const chosen = await choose(params, answer, signal, pending);
      record({ kind: "permission", request: params, answer: chosen });
      return chosen === "cancelled" ? { outcome: { outcome: "cancelled" } } : { outcome: { outcome: "selected", optionId: chosen } };
    });
  if (fs.read) {
    app = app.onRequest("fs/read_text_file", ({ params }) => {
      record({ kind: "read", path: params.path });
      const buffered = buffers.get(params.path);
      if (buffered !== undefined) return { content: buffered };
      try {
        return { content: readFileSync(params.path, "utf8") };
      } catch {
        throw RequestError.resourceNotFound(params.path);
      }
    });
  }
  if (fs.write) {
    app = app.onRequest("fs/write_text_file", ({ params }) => {
      if (options.refuseWrite?.(params.path)) throw RequestError.internalError(undefined, "the disk is full");
      record({ kind: "write", path: params.path, content: params.content });
      mkdirSync(dirname(params.path), { recursive: true });
      writeFileSync(params.path, params.content);
      buffers.delete(params.path);
      return {};
    });
  }
  const stream = ndJsonStream(Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>, Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>);
  const connection = app.connect(stream);
  const agent = connection.agent;
  const initialized = await agent.request("initialize", {
    protocolVersion: PROTOCOL_VERSION,
    clientCapabilities: { fs: { readTextFile: fs.read === true, writeTextFile: fs.write === true } },
    clientInfo: { name: "burrow-test-client", version: "1.0.0" },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const updatesOf = (sessionId?: string) =>
    log.flatMap((e) => (e.kind === "update" && (sessionId === undefined || e.notification.sessionId === sessionId) ? [e.notification.update] : []));

  return {
    agent,
    initialized,
    log,
    child,
    stderr: () => stderr,
    async newSession(cwd, additionalDirectories) {
      const created = await agent.request("session/new", { cwd, mcpServers: [], ...(additionalDirectories ? { additionalDirectories } : {}) });
      return created.sessionId;
    },
    prompt(sessionId, prompt) {
      const blocks: ContentBlock[] = typeof prompt === "string" ? [{ type: "text", text: prompt }] : prompt;
      return agent.request("session/prompt", { sessionId, prompt: blocks });
    },
    async cancel(sessionId) {
      await agent.notify("session/cancel", { sessionId });
      for (const answerCancelled of [...pending]) answerCancelled();
    },
    updates: updatesOf,
    permissions: () => log.flatMap((e) => (e.kind === "permission" ? [e.request] : [])),
    messageText(sessionId) {
      return updatesOf(sessionId)
        .map((u) => (u.sessionUpdate === "agent_message_chunk" && u.content.type === "text" ? u.content.text : ""))
        .join("");
    },
    waitFor(predicate, what, timeoutMs = 15_000) {
      const found = log.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = log.find(predicate);
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Timed out waiting for ${what}. stderr:\n${stderr}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    setAnswer(next) {
      answer = next;
    },
    async close() {
      connection.close();
      child.stdin!.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The option a scripted answer picks; unanswered requests wait until the turn is cancelled. */
async function choose(request: RequestPermissionRequest, answer: PermissionAnswer | undefined, signal: AbortSignal, pending: Set<() => void>): Promise<string> {
  const given = typeof answer === "function" ? await answer(request) : answer;
  if (given !== undefined) return given;
  return new Promise((resolve) => {
    const done = () => {
      pending.delete(done);
      resolve("cancelled");
    };
    pending.add(done);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** The first option of a kind, the way a client answering by policy picks one. */
export function optionOfKind(request: RequestPermissionRequest, kind: "allow_once" | "reject_once"): string {
  const option = request.options.find((o) => o.kind === kind);
  if (!option) throw new Error(`No ${kind} option in ${JSON.stringify(request.options)}`);
  return option.optionId;
}

/** Read a file as the test's editor would save it (the helper for assertions on disk). */
export function readText(path: string): string {
  return readFileSync(path, "utf8");
}
