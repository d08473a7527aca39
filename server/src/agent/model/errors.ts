/**
 * Turning whatever a provider's request threw (a refused connection, an HTTP status, a stream cut,
 * a timeout, an abort) into one `ModelError` whose message tells the user what to do next, and whose
 * `retryable` flag tells the pipeline whether trying again a moment later could help.
 */
import { HttpCutError, HttpTimeoutError } from "./http-client.js";
import { ModelError } from "./types.js";

/** What the message should name: the runtime or provider, its address, and how to start or fix it. */
export interface ErrorScene {
  /** "Ollama", "LM Studio", "OpenAI" … */
  label: string;
  baseUrl: string;
  model: string;
  /** The sentence telling a user how to get an unreachable runtime going. */
  unreachableHint: string;
  /** The sentence telling a user how to get a missing model. */
  missingModelHint: string;
  /** The key variable, for cloud providers (a 401 names it). */
  keyVariable?: string;
}

const unreachableCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNRESET"]);

function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isAbortError(err: unknown): boolean {
  return (
    typeof err === "object" &&
    err !== null &&
    ((err as { name?: unknown }).name === "AbortError" || (err instanceof ModelError && err.kind === "aborted"))
  );
}

/** A ModelError for an HTTP error status, with the server's own message when it sent one. */
export function httpStatusError(scene: ErrorScene, status: number, serverMessage: string | undefined): ModelError {
  const detail = serverMessage ? `: ${serverMessage.trim().slice(0, 300)}` : "";
  if (status === 401 || status === 403) {
    return new ModelError(
      "config",
      `${scene.label} refused the request (HTTP ${status})${detail}. ${scene.keyVariable ? `Check the key in ${scene.keyVariable}.` : "Check the runtime's authentication settings."}`,
    );
  }
  if (status === 404 && /model|not found|does not exist/i.test(serverMessage ?? "model")) {
    return new ModelError("model-missing", `${scene.label} does not have the model "${scene.model}" installed. ${scene.missingModelHint}`);
  }
  if (status === 408 || status === 425 || status === 429 || status === 499 || status === 529 || status >= 500) {
    const why = status === 429 ? "is rate-limiting requests" : status === 503 || status === 529 ? "is overloaded" : "had a server error";
    return new ModelError("http", `${scene.label} ${why} (HTTP ${status})${detail}. Try again in a moment.`, true);
  }
  return new ModelError("http", `${scene.label} rejected the request (HTTP ${status})${detail}.`);
}

function duration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** Normalise anything a request threw; a ModelError passes through unchanged. */
export function normaliseError(err: unknown, scene: ErrorScene): ModelError {
  if (err instanceof ModelError) return err;
  if (isAbortError(err)) return new ModelError("aborted", "The model request was cancelled.");
  if (err instanceof HttpTimeoutError) {
    return new ModelError(
      "timeout",
      err.phase === "first-byte"
        ? `${scene.label} did not start answering within ${duration(err.ms)} (the model "${scene.model}" may still be loading on a slow machine). Try again, or raise timeouts.firstByteSeconds.`
        : `${scene.label} stopped in the middle of an answer: ${err.message}. Try again; if it keeps happening, raise timeouts.stallSeconds.`,
      true,
    );
  }
  if (err instanceof HttpCutError) {
    return new ModelError("stream-cut", `${scene.label} closed the connection before the answer was complete. Try again.`, true);
  }
  const code = errorCode(err);
  if (code && unreachableCodes.has(code)) {
    return new ModelError("unreachable", `${scene.label} is not running at ${scene.baseUrl}. ${scene.unreachableHint}`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ModelError("bad-response", `${scene.label} failed: ${message}.`.replace(/\.\.$/, "."), false);
}
