/**
 * Burrow's public contract as code, for every front end: the command names and their argument
 * schemas, the task-update type, the error codes and refusal shape, and prompt titles. Nothing here
 * depends on a protocol library, so the LSP server, the terminal clients and any other front end
 * share it; the LSP-only conversions sit apart in lsp-range.ts.
 */
export * from "./commands.js";
export * from "./arguments.js";
export * from "./errors.js";
export * from "./title.js";
export * from "./task-update.js";
export * from "./results.js";
