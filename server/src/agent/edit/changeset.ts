/**
 * From proposed files to what gate 2 shows and applies: one unified diff, hunks with stable ids
 * (h1, h2, … in path and position order, the same for the same input), and the text of each file
 * when only some hunks are taken. Every hunk carries the tier of the block that produced it, so the
 * preview can say "placed by ignoring indentation" next to the lines it placed that way.
 */
import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from "diff";
import type { Changeset, Hunk, MatchTier, Placement, ProposedFile } from "./types.js";

/** Lines of context around each hunk, as `diff -u` uses. */
export const DIFF_CONTEXT = 3;

/** Looser tiers rank higher; a hunk touched by several blocks shows the loosest. */
const TIER_RANK: Record<MatchTier, number> = {
  exact: 0,
  "unified-diff": 1,
  "new-file": 1,
  delete: 1,
  "whole-file": 2,
  "trailing-whitespace": 3,
  "leading-blank-line": 4,
  "unwrapped-fence": 5,
  indentation: 6,
  elision: 7,
};

/** Split text into lines that keep their "\n" (and any "\r" before it), as the diff package counts them. */
export function splitKeepingEnds(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function buildChangeset(files: ProposedFile[]): Changeset {
  // A file whose text does not change has nothing to show or apply, not even diff headers.
  const sorted = files.filter((f) => f.before !== f.after).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hunks: Hunk[] = [];
  const diffs: string[] = [];
  for (const file of sorted) {
    const before = file.before ?? "";
    const after = file.after ?? "";
    const oldName = file.before === null ? "/dev/null" : `a/${file.path}`;
    const newName = file.after === null ? "/dev/null" : `b/${file.path}`;
    const patch = structuredPatch(oldName, newName, before, after, undefined, undefined, { context: DIFF_CONTEXT });
    diffs.push(formatPatch(patch, FILE_HEADERS_ONLY));
    const id = () => `h${hunks.length + 1}`;
    if (file.before === null || file.after === null) {
      // Creating or deleting a file is one decision, whatever its length.
      const creates = file.before === null;
      const count = splitKeepingEnds(creates ? after : before).length;
      hunks.push({
        hunkId: id(),
        path: file.path,
        oldStart: creates || count === 0 ? 0 : 1,
        oldLines: creates ? 0 : count,
        newStart: !creates || count === 0 ? 0 : 1,
        newLines: creates ? count : 0,
        tier: creates ? (file.tiers.includes("whole-file") ? "whole-file" : "new-file") : "delete",
        kind: creates ? "create" : "delete",
      });
      continue;
    }
    for (const h of patch.hunks) {
      hunks.push({
        hunkId: id(),
        path: file.path,
        oldStart: h.oldLines === 0 ? h.oldStart - 1 : h.oldStart,
        oldLines: h.oldLines,
        newStart: h.newLines === 0 ? h.newStart - 1 : h.newStart,
        newLines: h.newLines,
        tier: tierOfHunk(file, h.newStart - 1, h.lines),
        kind: "modify",
      });
    }
  }
  return { files: sorted, hunks, diff: diffs.join("") };
}

/** The loosest tier among the blocks whose lines this hunk changes. */
function tierOfHunk(file: ProposedFile, newIndex: number, lines: string[]): MatchTier {
  let first = Infinity;
  let last = -Infinity;
  let index = newIndex;
  for (const line of lines) {
    const mark = line[0];
    if (mark === " ") index++;
    else if (mark === "+") {
      first = Math.min(first, index);
      last = Math.max(last, index + 1);
      index++;
    } else if (mark === "-") {
      first = Math.min(first, index);
      last = Math.max(last, index);
    }
  }
  const fallback: MatchTier = file.tiers[file.tiers.length - 1] ?? "exact";
  if (!Number.isFinite(first)) return fallback;
  const touching = (file.placements ?? []).filter((p: Placement) =>
    first === last ? p.startLine <= first && first <= p.endLine : p.startLine < last && first < p.endLine,
  );
  if (touching.length === 0) return fallback;
  return touching.reduce((loosest, p) => (TIER_RANK[p.tier] > TIER_RANK[loosest] ? p.tier : loosest), touching[0]!.tier);
}

/** 0-based index of the first line a hunk covers, from its printed start. */
function startIndex(start: number, count: number): number {
  return count === 0 ? start : start - 1;
}

/**
 * The text of each touched file when only the hunks `hunkIds` are taken (undefined: all of them).
 * A file none of whose hunks is taken is absent; a deleted file maps to null. Unknown ids are
 * ignored: check them first with `unknownHunkIds`.
 */
export function applyHunks(changeset: Changeset, hunkIds: string[] | undefined): Map<string, string | null> {
  const wanted = hunkIds ? new Set(hunkIds) : undefined;
  const out = new Map<string, string | null>();
  for (const file of changeset.files) {
    const taken = changeset.hunks.filter((h) => h.path === file.path && (!wanted || wanted.has(h.hunkId)));
    if (taken.length === 0) continue;
    if (file.before === null || file.after === null) {
      out.set(file.path, file.after);
      continue;
    }
    const before = splitKeepingEnds(file.before);
    const after = splitKeepingEnds(file.after);
    const parts: string[] = [];
    let cursor = 0;
    for (const hunk of [...taken].sort((a, b) => a.oldStart - b.oldStart)) {
      const oldIndex = startIndex(hunk.oldStart, hunk.oldLines);
      const newIndex = startIndex(hunk.newStart, hunk.newLines);
      parts.push(...before.slice(cursor, oldIndex), ...after.slice(newIndex, newIndex + hunk.newLines));
      cursor = oldIndex + hunk.oldLines;
    }
    parts.push(...before.slice(cursor));
    out.set(file.path, parts.join(""));
  }
  return out;
}

/** The ids in `hunkIds` that are not hunks of this changeset (a client's typo or a stale preview). */
export function unknownHunkIds(changeset: Changeset, hunkIds: readonly string[]): string[] {
  const known = new Set(changeset.hunks.map((h) => h.hunkId));
  return hunkIds.filter((id) => !known.has(id));
}

/**
 * How a hunk was placed, in words for a preview ("placed ignoring indentation"), so a user can see
 * at a glance which changes needed a forgiving match and deserve a closer look.
 */
export function tierLabel(tier: MatchTier): string {
  switch (tier) {
    case "exact":
      return "exact match";
    case "trailing-whitespace":
      return "placed ignoring trailing spaces";
    case "indentation":
      return "placed ignoring indentation (re-indented)";
    case "leading-blank-line":
      return "placed ignoring a blank first line";
    case "elision":
      return "placed around elided code (...)";
    case "unwrapped-fence":
      return "placed after removing a stray code fence";
    case "whole-file":
      return "whole file rewritten";
    case "new-file":
      return "new file";
    case "unified-diff":
      return "placed by the model's diff";
    case "delete":
      return "file deleted";
  }
}
