/**
 * The exit codes every `burrow` subcommand shares, and how the terminal clients turn what the
 * server reports (a task's `error.code`, a failed request, a server that stopped) into one of them
 * and into one sentence for the user.
 */
import { ResponseError } from "vscode-jsonrpc/node";
import type { ErrorCode } from "../../protocol/index.js";
import type { ExitStatus } from "../spawn-server.js";

export const EXIT = {
  done: 0,
  rejectedOrFailed: 1,
  usage: 2,
  noModel: 3,
} as const;

/** The providers that run on this machine (no `--provider` means Ollama); the rest are cloud providers. */
export function isLocalProvider(provider: string | undefined): boolean {
  const name = (provider ?? "ollama").trim().toLowerCase();
  return name === "ollama" || name === "lmstudio";
}

/**
 * Error codes the server uses when no model can answer: nothing listening, or the model not
 * installed. ("unreachable" is the model layer's own name for the first, kept for older servers.)
 */
const NO_MODEL_CODES = new Set<string>(["runtime-unreachable", "model-missing", "unreachable"] satisfies Array<ErrorCode | "unreachable">);

export function exitCodeForError(code: string | undefined): number {
  return code !== undefined && NO_MODEL_CODES.has(code) ? EXIT.noModel : EXIT.rejectedOrFailed;
}

/** The error code and sentence carried by a failed request (the server puts `{code}` in `data`). */
export function describeRequestError(err: unknown): { code?: string; message: string } {
  if (err instanceof ResponseError) {
    const data = err.data as { code?: unknown } | undefined;
    const code = typeof data?.code === "string" ? data.code : undefined;
    return { code, message: sentence(err.message) };
  }
  return { message: sentence(err instanceof Error ? err.message : String(err)) };
}

/** One sentence on a server that ended while we still needed it, with its last stderr line. */
export function describeServerEnd(status: ExitStatus | undefined, stderrTail: string): string {
  const how =
    status === undefined
      ? "closed its connection"
      : status.signal
        ? `was stopped by ${status.signal}`
        : status.code === null
          ? "could not be started"
          : `exited with code ${status.code}`;
  const lastLine = stderrTail.split("\n").filter((line) => line.trim() !== "").pop();
  const detail = lastLine ? ` Its last words: ${lastLine.trim()}` : " Run again with --verbose to see its log.";
  return `The Burrow server ${how} before the work was done.${detail}`;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return "The server reported an error without a message.";
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
