/**
 * The diff document a user reads at gate 2 (Helix opens it; any client can): one unified diff of
 * every proposed file, preceded by comment lines that list each hunk with how the edit engine placed
 * it and anything the engine wants the user to check. Tools that apply patches skip such leading
 * lines, so the file stays a valid patch.
 */
import { promptTitle, TITLE_WIDTH } from "../../protocol/title.js";
import { tierLabel } from "../edit/index.js";
import type { Changeset } from "../edit/types.js";

export function renderDiffDocument(taskId: string, prompt: string, changeset: Changeset): string {
  const lines = [`# Burrow proposal for task ${taskId}: ${promptTitle(prompt, TITLE_WIDTH.document)}`, "#"];
  for (const h of changeset.hunks) {
    const end = h.oldStart + Math.max(0, h.oldLines - 1);
    lines.push(`# ${h.hunkId}  ${h.path}  lines ${h.oldStart}-${end}: ${tierLabel(h.tier)}`);
  }
  for (const f of changeset.files) for (const note of f.notes ?? []) lines.push(`# note: ${note}`);
  lines.push("#", "# Apply all, or some hunks by id, with burrow.changes.apply; reject with burrow.changes.reject.", "");
  return `${lines.join("\n")}\n${changeset.diff}`;
}

/** How a declined hunk is described to the model on a retry: by place, never by its rejected text. */
export function describeDeclined(h: { path: string; oldStart: number; oldLines: number; kind?: "modify" | "create" | "delete" }): string {
  if (h.kind === "create") return `the new file ${h.path}`;
  if (h.kind === "delete") return `deleting ${h.path}`;
  return `${h.path} lines ${h.oldStart}-${h.oldStart + Math.max(0, h.oldLines - 1)}`;
}
