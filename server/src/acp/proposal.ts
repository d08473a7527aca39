/**
 * A task's proposal, file by file, in the shape ACP shows it: whole texts before and after (ACP's
 * `diff` content carries whole files, and clients draw the diff themselves), plus each hunk's text
 * alone for clients that choose change by change.
 *
 * The task update carries one unified diff and the hunk list; the texts are rebuilt from that diff
 * and the text the proposal was made against (the buffer or file the core read, through the same
 * reader). Rebuilding cannot invent anything: a diff that no longer applies (the file changed since)
 * is reported, and the core's own conflict check refuses to apply it anyway.
 */
import { applyPatch, FILE_HEADERS_ONLY, formatPatch, parsePatch, type StructuredPatch } from "diff";
import type { Outcome } from "../agent/outcome.js";
import type { TaskUpdate } from "../protocol/index.js";

export interface ProposedHunk {
  hunkId: string;
  /** 1-based line in the proposed text where the hunk starts (for "follow along"). */
  line: number;
}

export interface ProposedFileView {
  /** The name the model and the plan use (relative to its granted folder). */
  path: string;
  abs: string;
  kind: "create" | "modify" | "delete";
  before: string | null;
  after: string | null;
  hunks: ProposedHunk[];
  /** This file's part of the task's unified diff, byte for byte. */
  patch: string;
  /** The parsed patch, to rebuild the text for a subset of hunks. */
  structured: StructuredPatch;
}

export interface ProposalReader {
  /** Where the sandbox puts this path for writing; undefined when it refuses. */
  locate(path: string): Promise<string | undefined>;
  /** The text the proposal was made against: buffer over disk; null when the file does not exist. */
  currentText(abs: string): Promise<string | null | undefined>;
}

export async function readProposal(update: TaskUpdate, reader: ProposalReader): Promise<Outcome<{ files: ProposedFileView[] }>> {
  const diff = update.diff ?? "";
  const files: ProposedFileView[] = [];
  for (const structured of parsePatch(diff)) {
    const path = pathOf(structured);
    if (path === undefined) continue;
    const abs = await reader.locate(path);
    if (abs === undefined) return { ok: false, reason: `Burrow can no longer write ${path}.` };
    const kind = structured.oldFileName === "/dev/null" ? "create" : structured.newFileName === "/dev/null" ? "delete" : "modify";
    const current = kind === "create" ? null : await reader.currentText(abs);
    if (current === undefined || (kind !== "create" && current === null)) return { ok: false, reason: `Burrow can no longer read ${path}.` };
    const after = kind === "delete" ? null : applyPatch(current ?? "", structured);
    if (after === false) return { ok: false, reason: `${path} changed after Burrow read it; the proposal no longer applies to it.` };
    const changes = (update.changes ?? []).filter((c) => c.path === path);
    const hunks = changes.map((c, i) => ({ hunkId: c.hunkId, line: Math.max(1, structured.hunks[i]?.newStart ?? c.newStart) }));
    files.push({ path, abs, kind, before: current, after, hunks, patch: formatPatch(structured, FILE_HEADERS_ONLY), structured });
  }
  return { ok: true, files };
}

/** The file's text when only the hunks in `taken` are applied (a create or delete is all or nothing). */
export function textWithHunks(file: ProposedFileView, taken: readonly string[]): string | null {
  if (file.kind !== "modify") return taken.length > 0 ? file.after : file.before;
  const hunks = file.structured.hunks.filter((_, i) => taken.includes(file.hunks[i]?.hunkId ?? ""));
  const text = applyPatch(file.before ?? "", { ...file.structured, hunks });
  return text === false ? file.before : text;
}

/** "a/src/x.ts" or "b/src/x.ts" to "src/x.ts", whichever side exists. */
function pathOf(patch: StructuredPatch): string | undefined {
  const name = patch.newFileName !== "/dev/null" ? patch.newFileName : patch.oldFileName;
  if (!name || name === "/dev/null") return undefined;
  return name.replace(/^[ab]\//, "");
}

