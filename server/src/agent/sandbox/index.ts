/**
 * The sandbox's public face: the only module the rest of Burrow imports to reach the file system.
 * It creates the `Workspace` (the granted folders, seen through containment, ignore and secret
 * rules) and the `StateStore` (Burrow's own files), recovers applies a crash interrupted, and offers
 * the small helpers every layer needs to speak about files the same way (URIs and hashes).
 */
export { createWorkspace, type WorkspaceOptions } from "./workspace.js";
export { createStateStore, stateDirectory } from "./state.js";
export { recoverJournals, type CommitHooks } from "./commit.js";
export { fileUriToPath, pathToFileUri } from "./uri.js";
export { hashText, hashBytes } from "./hash.js";
export { skippedOf } from "./skipped.js";
export { SECRET_PATTERNS } from "./rules.js";
export type * from "./types.js";
