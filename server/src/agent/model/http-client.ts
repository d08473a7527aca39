/**
 * A `fetch` built on `node:http` and `node:https`, returning a standard `Response` whose body
 * streams as bytes arrive. Every model request Burrow makes goes through it (behind the egress gate),
 * for three reasons: the gate must not depend on the global `fetch`, which a test (or another
 * library) may replace; a model's first byte may take many minutes on a CPU, longer than the
 * built-in fetch's fixed five-minute header timeout allows; and the gate needs the exact number of
 * bytes sent and received for the ledger.
 *
 * Two timeouts replace the built-in one: a first-byte timeout (until the response headers arrive,
 * which for a streaming model request means until the model is loaded and has produced its first
 * token) and a stall timeout (the longest silence allowed between two pieces of the body).
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";

export interface HttpTimeouts {
  /** Milliseconds to wait for the response headers; 0 means no limit. */
  firstByteMs: number;
  /** Milliseconds of silence allowed between body pieces; 0 means no limit. */
  stallMs: number;
}

/** What a finished exchange cost, reported once the body has been read to its end (or abandoned). */
export interface ExchangeTally {
  url: URL;
  method: string;
  status: number | null;
  bytesSent: number;
  bytesReceived: number;
  durationMs: number;
  /** "complete", "aborted", "timeout", "cut" (the connection closed early) or "failed" (no response). */
  outcome: "complete" | "aborted" | "timeout" | "cut" | "failed";
}

export interface HttpFetchOptions {
  timeouts?: Partial<HttpTimeouts>;
  /** Called exactly once per request when it is over, whatever the outcome. */
  onDone?: (tally: ExchangeTally) => void;
}

/** Raised when a response does not start, or stops moving, within the allowed time. */
export class HttpTimeoutError extends Error {
  constructor(
    readonly phase: "first-byte" | "stall",
    readonly ms: number,
    url: URL,
  ) {
    super(
      phase === "first-byte"
        ? `${url.host} sent nothing for ${formatMs(ms)}`
        : `${url.host} stopped sending for ${formatMs(ms)} in the middle of an answer`,
    );
    this.name = "HttpTimeoutError";
  }
}

/** Raised when the connection closes before the response body is complete. */
export class HttpCutError extends Error {
  constructor(url: URL) {
    super(`The connection to ${url.host} closed before the answer was complete`);
    this.name = "HttpCutError";
  }
}

export const defaultTimeouts: HttpTimeouts = { firstByteMs: 10 * 60_000, stallMs: 3 * 60_000 };

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

function formatMs(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  return new DOMException("The request was aborted.", "AbortError");
}

/** Request bodies come from our own code as strings or bytes; anything else is a programming error. */
function bodyBytes(body: RequestInit["body"]): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(new Uint8Array(body));
  if (body instanceof URLSearchParams) return Buffer.from(body.toString(), "utf8");
  throw new TypeError("Burrow's HTTP client sends string or byte bodies only.");
}

function headerObject(headers: RequestInit["headers"]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  new Headers(headers ?? {}).forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

/** Response headers as a `Headers`, keeping repeated headers. */
function responseHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

/** Statuses that may not carry a body in a WHATWG `Response`. */
const nullBodyStatus = new Set([101, 103, 204, 205, 304]);

/**
 * Send one HTTP request and resolve with a streaming `Response` once the headers are in.
 * Aborting `init.signal` destroys the socket at any point (before or during the body), so the
 * server sees the client go away.
 */
export function httpFetch(input: string | URL | Request, init: RequestInit = {}, options: HttpFetchOptions = {}): Promise<Response> {
  if (input instanceof Request) throw new TypeError("Burrow's HTTP client takes a URL, not a Request object.");
  const url = new URL(String(input));
  const method = (init.method ?? "GET").toUpperCase();
  const timeouts = { ...defaultTimeouts, ...options.timeouts };
  const signal = init.signal ?? undefined;
  const payload = bodyBytes(init.body);
  const started = Date.now();
  let bytesReceived = 0;
  let status: number | null = null;
  let reported = false;
  const report = (outcome: ExchangeTally["outcome"]) => {
    if (reported) return;
    reported = true;
    options.onDone?.({
      url,
      method,
      status,
      bytesSent: (payload?.length ?? 0),
      bytesReceived,
      durationMs: Date.now() - started,
      outcome,
    });
  };

  return new Promise<Response>((resolve, reject) => {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      reject(new TypeError(`Burrow only speaks http and https, not ${url.protocol}`));
      return;
    }
    if (signal?.aborted) {
      report("aborted");
      reject(abortError(signal));
      return;
    }
    const headers = headerObject(init.headers);
    if (payload) headers["content-length"] = String(payload.length);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(url, { method, headers });

    let firstByteTimer: NodeJS.Timeout | undefined;
    let stallTimer: NodeJS.Timeout | undefined;
    let bodyController: ReadableStreamDefaultController<Uint8Array> | undefined;
    let settledHeaders = false;
    let finished = false;

    const clearTimers = () => {
      clearTimeout(firstByteTimer);
      clearTimeout(stallTimer);
    };
    const fail = (err: Error, outcome: ExchangeTally["outcome"]) => {
      if (finished) return;
      finished = true;
      clearTimers();
      signal?.removeEventListener("abort", onAbort);
      report(outcome);
      if (!settledHeaders) {
        settledHeaders = true;
        reject(err);
      } else {
        try {
          bodyController?.error(err);
        } catch {
          // The body was already closed or cancelled by its reader; nothing is waiting on it.
        }
      }
      req.destroy();
    };
    const onAbort = () => fail(abortError(signal!), "aborted");
    signal?.addEventListener("abort", onAbort, { once: true });

    if (timeouts.firstByteMs > 0) {
      firstByteTimer = setTimeout(() => fail(new HttpTimeoutError("first-byte", timeouts.firstByteMs, url), "timeout"), timeouts.firstByteMs);
    }
    const armStall = () => {
      if (timeouts.stallMs <= 0) return;
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => fail(new HttpTimeoutError("stall", timeouts.stallMs, url), "timeout"), timeouts.stallMs);
    };

    req.on("error", (err) => fail(err, settledHeaders ? "cut" : "failed"));
    req.on("response", (res) => {
      clearTimeout(firstByteTimer);
      status = res.statusCode ?? 0;
      armStall();
      const hasBody = !nullBodyStatus.has(status) && method !== "HEAD";
      const body = hasBody
        ? new ReadableStream<Uint8Array>({
            start(controller) {
              bodyController = controller;
            },
            pull() {
              res.resume();
            },
            cancel() {
              // The reader gave up on the rest of the body (it found what it needed, or it was aborted).
              if (!finished) {
                finished = true;
                clearTimers();
                signal?.removeEventListener("abort", onAbort);
                report(res.complete ? "complete" : "aborted");
              }
              res.destroy();
            },
          })
        : null;
      res.on("data", (chunk: Buffer) => {
        bytesReceived += chunk.length;
        armStall();
        if (!bodyController) return;
        try {
          bodyController.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((bodyController.desiredSize ?? 1) <= 0) res.pause();
        } catch {
          res.destroy();
        }
      });
      res.on("end", () => {
        if (finished) return;
        finished = true;
        clearTimers();
        signal?.removeEventListener("abort", onAbort);
        report("complete");
        try {
          bodyController?.close();
        } catch {
          // Already cancelled by the reader.
        }
      });
      res.on("close", () => {
        if (!res.complete) fail(new HttpCutError(url), "cut");
      });
      // A reset in the middle of a body is a cut answer, not an unreachable server.
      res.on("error", () => fail(new HttpCutError(url), "cut"));

      settledHeaders = true;
      resolve(
        new Response(body, {
          status: status >= 200 && status <= 599 ? status : 502,
          statusText: res.statusMessage ?? "",
          headers: responseHeaders(res),
        }),
      );
      if (!hasBody) res.resume();
    });
    req.end(payload);
  });
}
