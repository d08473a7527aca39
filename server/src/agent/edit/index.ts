/**
 * The edit engine's public face: what the task pipeline, the language server and `burrow edits`
 * call. Model text goes in through `parseEdits`, becomes proposed files through `applyEdits` (in
 * memory, all or nothing), a previewable changeset through `buildChangeset`, file texts for the
 * hunks the user accepted through `applyHunks`, and editor edits through `lineEdits`.
 */
export type * from "./types.js";
export { chooseEditFormat, formatInstructions, SMALL_FILE_LINES, SEARCH_REPLACE_MIN_SIZE_B, FAILED_MATCHES_BEFORE_WHOLE_FILE } from "./instructions.js";
export { parseEdits, type ParseOptions, type ParseResult } from "./parse/index.js";
export { applyEdits, failureMessage, type ApplyResult } from "./apply.js";
export { buildChangeset, applyHunks, unknownHunkIds, tierLabel, DIFF_CONTEXT } from "./changeset.js";
export { lineEdits } from "./line-edits.js";
export {
  saveUndoSnapshot,
  loadUndoSnapshot,
  removeUndoSnapshot,
  planUndo,
  undoSnapshotPath,
  type UndoFile,
  type UndoSnapshot,
  type UndoRestore,
  type UndoPlan,
} from "./undo.js";
