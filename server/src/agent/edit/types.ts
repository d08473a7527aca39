/**
 * The shapes that cross the edit engine's boundary: the files a model may edit, the blocks parsed
 * from its answer, the proposed files after matching, and the changeset (hunks with stable ids, one
 * unified diff) that gate 2 shows and `burrow.changes.apply` picks from.
 *
 * Paths here are the names the model sees (workspace-relative, `/`-separated); the pipeline maps
 * them back to sandbox locations.
 */

/** The format the model is asked to write. The parser reads every format whatever was asked. */
export type EditFormat = "whole-file" | "search-replace";

/** How a block was placed, shown next to its hunk in the preview. */
export type MatchTier =
  | "exact"
  | "trailing-whitespace"
  | "indentation"
  | "leading-blank-line"
  | "elision"
  | "unwrapped-fence"
  | "whole-file"
  | "new-file"
  | "unified-diff"
  | "delete";

export interface FileInPlay {
  path: string;
  /** Current text, or null when the file does not exist yet (the plan creates it). */
  text: string | null;
  /** When only a window of a large file was shown: 1-based inclusive line range. */
  window?: { startLine: number; endLine: number };
}

export type EditBlock =
  | { kind: "whole-file"; index: number; path: string; content: string }
  | { kind: "search-replace"; index: number; path: string; search: string; replace: string }
  | { kind: "unified-diff"; index: number; path: string; patch: string }
  | { kind: "delete"; index: number; path: string };

export interface BlockFailure {
  /** 0-based index of the block in the model's answer. */
  index: number;
  path: string;
  reason: string;
  /** The closest lines found in the file, to help the model correct itself. */
  nearest?: string;
}

export interface ProposedFile {
  path: string;
  before: string | null;
  after: string | null;
  /** The tier of each block applied to this file, in order. */
  tiers: MatchTier[];
  /**
   * Where each block's text landed in `after`: 0-based, half-open line ranges, kept up to date as
   * later blocks shift lines. The changeset uses them to give every hunk the tier that placed it.
   */
  placements?: Placement[];
  /**
   * Things the user should look at in the preview although nothing failed, as sentences: a
   * whole-file listing that drops most of the file, for instance.
   */
  notes?: string[];
}

/** The lines a block wrote into a proposed file (0-based, end exclusive) and how the block was placed. */
export interface Placement {
  tier: MatchTier;
  startLine: number;
  endLine: number;
}

export interface Hunk {
  hunkId: string;
  path: string;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  tier: MatchTier;
  /** `create` and `delete` hunks stand for the whole file; `modify` hunks are ranges of lines. */
  kind?: "modify" | "create" | "delete";
}

export interface Changeset {
  files: ProposedFile[];
  hunks: Hunk[];
  /** One unified diff of every proposed file. */
  diff: string;
}

/** A zero-based, UTF-16 range replacement: what an LSP `TextEdit` carries, without importing LSP types. */
export interface LineEdit {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
  newText: string;
}
