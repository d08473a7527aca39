/**
 * What the context engine answers: the files most relevant to a task, best first, and a compact
 * outline of their definitions that fits a token budget. The pipeline puts the map in the plan
 * request and uses `fileView` to send large files as windows around what the task needs.
 */

export interface ContextQuery {
  task: string;
  budgetTokens: number;
  /** The document the user is in, with the selection if any (1-based inclusive lines). */
  openDocument?: { path: string; text: string; selection?: { startLine: number; endLine: number } };
}

export interface RankedFile {
  path: string;
  score: number;
}

export interface RepoContext {
  files: RankedFile[];
  map: string;
  tokens: number;
}

/** A file as sent to the model: whole, or a window of lines with its position. */
export interface FileView {
  text: string;
  window?: { startLine: number; endLine: number };
  tokens: number;
  /** With a window: how many lines the whole file has, so the prompt can say "lines 120–220 of 900". */
  totalLines?: number;
}

export interface ContextEngine {
  build(query: ContextQuery): Promise<RepoContext>;
  /**
   * The definitions that the given files use from other files (the functions they call, the types
   * they name), as a map within `budgetTokens`: what an edit request needs next to the files it
   * edits. `files` lists the defining files, most used first.
   */
  related(paths: string[], budgetTokens: number): Promise<RepoContext>;
  /** The file's text within `budgetTokens`: whole when it fits, else a window around `focus` identifiers. */
  fileView(path: string, text: string, focus: string[], budgetTokens: number): FileView;
  /** Record that a file changed (from didChange, didSave or the disk watcher). Must return at once. */
  noteChange(abs: string, text?: string): void;
  dispose(): void;
}
