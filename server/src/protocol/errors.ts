/**
 * How Burrow says "no" on the wire. A request that cannot be served answers a JSON-RPC error with
 * one of the standard numbers below and a sentence; where a client can act on the cause (start the
 * runtime, pull the model, send a valid session id) the error's `data` carries a stable `code`,
 * and a failed task carries the same codes in its snapshot's `error.code`.
 *
 * Inside the server, a refusal that carries such a code is a `CodedRefusal`: the agent's ordinary
 * `{ok: false, reason}` with the code added, so a front end can pass it on unchanged.
 */
import type { Refusal } from "../agent/outcome.js";
import type { ModelErrorKind } from "../agent/model/types.js";

/**
 * The JSON-RPC error numbers Burrow answers with. They are the protocol's own (JSON-RPC 2.0 and
 * LSP), written out here so a front end that does not use vscode-languageserver answers the same.
 */
export const RPC_ERROR = {
  /** The argument is missing or malformed, or names a task that does not exist. */
  invalidParams: -32602,
  /** The request is well formed but cannot run now (undo of a changed file, no granted folder, shutting down). */
  invalidRequest: -32600,
  /** Something broke, or the model failed; `data.code` says which. */
  internalError: -32603,
  /** A request arrived before `initialize`. */
  serverNotInitialized: -32002,
  /** The client cancelled the request (`$/cancelRequest`). */
  requestCancelled: -32800,
} as const;

/** Every code a client may branch on, with what it means (docs/protocol.md lists them too). */
export const ERROR_CODES = {
  "runtime-unreachable": "nothing answers at the model runtime's address",
  "model-missing": "the runtime answers but the model is not installed",
  conflict: "a file changed after the model read it; nothing was applied",
  "model-stuck": "the model gave the same unusable answer twice",
  "edits-failed": "the model's edits could not be placed after every retry",
  "bad-plan": "the model did not return a usable plan",
  "nothing-to-edit": "the approved plan names no file Burrow may change",
  refused: "the sandbox refused a file the task needs",
  "apply-failed": "the approved changes could not be written",
  internal: "a defect in Burrow; the log has details",
  http: "the model runtime answered with an HTTP error",
  "stream-cut": "the model's answer stopped before its end",
  timeout: "the model said nothing for too long",
  aborted: "the request was cancelled",
  "bad-response": "the model's answer could not be read",
  truncated: "the prompt did not fit the model's context",
  "consent-denied": "the user did not allow sending files to a cloud host",
  "egress-denied": "the host is not allowed at all",
  config: "a provider or key is not configured",
  "empty-prompt": "a chat question was empty",
  "invalid-session": "the chat session id is not one Burrow gave",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A normal "no" that also says which kind, so a client can offer the fix. */
export interface CodedRefusal extends Refusal {
  code: ErrorCode;
}

/** The code a model failure is reported with: the kind, except "unreachable", which names the runtime. */
export function codeOfModelError(kind: ModelErrorKind): ErrorCode {
  return kind === "unreachable" ? "runtime-unreachable" : kind;
}
