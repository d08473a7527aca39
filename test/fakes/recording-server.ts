/**
 * The plumbing every fake model server shares: a real HTTP server on 127.0.0.1 (port 0), a record of
 * every request it received (method, path, parsed body, arrival time, whether the client went away
 * before the answer was complete), `waitFor`, which lets a test wait on a request arriving or
 * being aborted instead of sleeping, and the chat script (queued replies, then a handler) by which a
 * test decides what each fake answers.
 *
 * The fakes exist because a model runtime or a cloud API cannot run in a test; each one speaks the
 * real wire protocol so that the real client code (ollama-js, our SSE readers) is what gets tested.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  /** Query string parameters, when the URL had any. */
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, the raw text when it was not JSON, or undefined when there was none. */
  body: any;
  /** Milliseconds since the epoch when the request arrived. */
  at: number;
  /** True once the client closed the connection before the response was complete. */
  aborted: boolean;
  /** True once the response was completely sent (or the fake deliberately cut it). */
  finished: boolean;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, record: RecordedRequest) => void | Promise<void>;

export interface RecordingServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Resolves with the first request (already received or still to come) the predicate accepts. */
  waitFor(predicate: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Resolves when `condition` returns something other than undefined/false, re-checked on every change. */
  waitUntil<T>(condition: () => T | undefined | false, timeoutMs?: number, what?: string): Promise<T>;
  /** Call after changing a record or other fake state so waiters re-check (the server does this itself on arrival, abort and finish). */
  notify(): void;
  close(): Promise<void>;
}

export async function startRecordingServer(handler: Handler): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const check of [...waiters]) check();
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const record: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: parseBody(raw),
        at: Date.now(),
        aborted: false,
        finished: false,
      };
      requests.push(record);
      res.on("close", () => {
        if (!res.writableFinished && !record.finished) record.aborted = true;
        record.finished = true;
        notify();
      });
      notify();
      Promise.resolve(handler(req, res, record)).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: `fake server failed: ${String(err)}` }));
        } else {
          res.destroy();
        }
      });
    });
  });
  // Keep-alive sockets would otherwise hold close() open until they time out.
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  function waitUntil<T>(condition: () => T | undefined | false, timeoutMs = 10_000, what = "condition"): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = condition();
        if (found === undefined || found === false) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `No ${what} within ${timeoutMs} ms; received: ${requests.map((r) => `${r.method} ${r.path}`).join(", ") || "nothing"}`,
          ),
        );
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    notify,
    waitUntil,
    waitFor(predicate, timeoutMs = 10_000) {
      return waitUntil(() => requests.find(predicate), timeoutMs, "matching request");
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** How a test scripts a fake's chat answers: queued replies first, in order, then the handler's. */
export interface ChatScript<Reply> {
  onChat(handler: (body: any, record: RecordedRequest) => Reply | Promise<Reply>): void;
  /** Replies used in order, before the `onChat` handler. */
  enqueueChat(...replies: Reply[]): void;
}

/**
 * The chat script of one fake: every fake answers a chat the same way (the next queued reply, else
 * what the handler set by `onChat` returns, else `defaultHandler`'s), and only the wire format of
 * the answer differs, so the choosing lives here once. `nextReply` is for the fake itself.
 */
export function chatScript<Reply>(
  defaultHandler: (body: any, record: RecordedRequest) => Reply | Promise<Reply>,
): ChatScript<Reply> & { nextReply(body: any, record: RecordedRequest): Promise<Reply> } {
  const queue: Reply[] = [];
  let handler = defaultHandler;
  return {
    onChat(newHandler) {
      handler = newHandler;
    },
    enqueueChat(...replies) {
      queue.push(...replies);
    },
    async nextReply(body, record) {
      return queue.length > 0 ? queue.shift()! : await handler(body, record);
    },
  };
}

function parseBody(raw: string): unknown {
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Resolves after `ms`, or at once when the client goes away first (so a fake never writes to a dead socket). */
export function pause(res: ServerResponse, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once("close", done);
    function done() {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    }
  });
}

/** Write and resolve once the bytes are handed to the socket (so a following cut does not discard them). */
export function writeFlushed(res: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.write(text, () => resolve());
  });
}

/** Drop the connection in the middle of a response, after what was written has gone out. */
export async function cut(res: ServerResponse): Promise<void> {
  await writeFlushed(res, "");
  res.socket?.destroySoon();
  res.destroy();
}

/** Resolves when the client closes the connection: the "hang" reply waits on this. */
export function untilClientCloses(res: ServerResponse): Promise<void> {
  if (res.destroyed || res.writableFinished) return Promise.resolve();
  return new Promise((resolve) => res.once("close", () => resolve()));
}

/** Split a text into small pieces the way a model streams tokens (words with their spacing). */
export function tokenise(text: string): string[] {
  const pieces = text.match(/\s*\S+|\s+/g);
  return pieces ?? (text === "" ? [] : [text]);
}

/** A rough token estimate for messages (four characters a token), the fake's prompt_eval_count. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
