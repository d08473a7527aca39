/**
 * What the task pipeline needs from whoever hosts it (the LSP server, or a test): the text of
 * documents the user has open, and a way to make approved changes land.
 *
 * The agent never decides how changes reach the files; the host does (`workspace/applyEdit` for an
 * editor that supports it, atomic disk writes through the sandbox otherwise). The pipeline only
 * calls `apply` after gate 2 has been passed, with files it has checked for conflicts.
 */
import { isAbsolute, relative, sep } from "node:path";
import type { Outcome, Refusal } from "../outcome.js";
import { skippedOf } from "../sandbox/skipped.js";
import type { Located, Workspace } from "../sandbox/types.js";
import { fileUriToPath } from "../sandbox/uri.js";

export interface OpenDocument {
  text: string;
  version: number;
}

export interface FileToApply extends Located {
  uri: string;
  /** The text Burrow proposed against (what the model saw); null when the file is created. */
  before: string | null;
  /** The approved text; null when the file is deleted. */
  after: string | null;
}

export interface ApplyReport {
  /** Files the editor said it applied but whose text Burrow could not confirm afterwards. */
  unverified: string[];
  /** How the changes landed: through the editor, or written to disk by Burrow. */
  via: "editor" | "disk";
}

export interface EditorHost {
  /** The editor's text of an open document; it wins over the file on disk. */
  openDocument(abs: string): OpenDocument | undefined;
  /** Make the files hold `after`. Called only after gate 2, for conflict-free files. */
  apply(files: FileToApply[], label: string): Promise<Outcome<ApplyReport>>;
}

/**
 * The text a file holds now: the open document's text wins over the disk (the user may have
 * unsaved changes). Null when the file does not exist; undefined when Burrow may not read it
 * (binary, too large), so it is never mistaken for a missing file.
 */
export async function currentText(
  abs: string,
  openDocument: (abs: string) => OpenDocument | undefined,
  workspace: Workspace,
): Promise<string | null | undefined> {
  const open = openDocument(abs);
  if (open) return open.text;
  const read = await workspace.read(abs);
  if (read.ok) return read.file.text;
  return skippedOf(read) ? undefined : null;
}

/** The document the user is in, as the model is shown it. */
export interface CurrentDocument {
  /** Relative to its granted folder. */
  path: string;
  text: string;
  /** The selection, 1-based inclusive lines. */
  selection?: { startLine: number; endLine: number };
}

/**
 * Read the document the user is in, for a task or a chat question: the sandbox decides whether it
 * may be read at all (a secret open in a buffer stays private), then the open buffer's text wins
 * over the disk. A refusal names the document as the user knows it, so it can be reported rather
 * than dropped.
 */
export async function readCurrentDocument(
  uri: string,
  selection: CurrentDocument["selection"],
  openDocument: (abs: string) => OpenDocument | undefined,
  workspace: Workspace,
): Promise<Outcome<{ document: CurrentDocument }, Refusal & { path: string }>> {
  const located = await workspace.locate(uri, "read");
  if (!located.ok) return { ok: false, reason: located.reason, path: nameForUser(uri, workspace) };
  let text = openDocument(located.abs)?.text;
  if (text === undefined) {
    const read = await workspace.read(located.abs);
    if (!read.ok) return { ok: false, reason: read.reason, path: located.rel };
    text = read.file.text;
  }
  return { ok: true, document: { path: located.rel, text, ...(selection ? { selection } : {}) } };
}

/** A refused document's name: relative to the granted folder it sits in, else as the client sent it. */
function nameForUser(uri: string, workspace: Workspace): string {
  const path = fileUriToPath(uri) ?? uri;
  for (const root of workspace.roots()) {
    const rel = relative(root, path);
    if (rel !== "" && !rel.startsWith("..") && !isAbsolute(rel)) return rel.split(sep).join("/");
  }
  return path;
}
