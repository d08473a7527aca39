/**
 * The all-or-nothing applier: edit blocks in, proposed files out, in memory only.
 *
 * Blocks are applied in the order the model wrote them, each to the text the blocks before it
 * left, so a second block may edit what a first one wrote. If any block fails, nothing is proposed:
 * the caller gets every failure and one message for the model that says which block failed, why,
 * and which lines of the file it probably meant. Nothing here touches the disk.
 */
import { isElision, matchBlock, matchLiteral, type LineRange, type LineSplice, type MatchResult } from "./match.js";
import { nameFromLine, resolveInPlay } from "./names.js";
import { nearestLines } from "./similar.js";
import { emptyLineDoc, fromLineDoc, indexOf, isBlank, modelLines, spliceLines, toLineDoc, type LineDoc } from "./text.js";
import type { BlockFailure, EditBlock, FileInPlay, MatchTier, Placement, ProposedFile } from "./types.js";
import { parsePatchHunks } from "./unified.js";

export type ApplyResult =
  | { ok: true; files: ProposedFile[] }
  | { ok: false; failures: BlockFailure[]; message: string };

interface FileState {
  file: FileInPlay;
  doc: LineDoc | null;
  tiers: MatchTier[];
  placements: Placement[];
  notes: string[];
  /** The window the model was shown, 0-based half-open, kept current as blocks change its length. */
  window?: LineRange;
}

class BlockError extends Error {
  constructor(
    message: string,
    readonly nearest?: string,
  ) {
    super(message);
  }
}

/** Apply every block to an in-memory copy of the files in play; all of them or none. */
export function applyEdits(files: FileInPlay[], blocks: EditBlock[]): ApplyResult {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const states = new Map<string, FileState>();
  const failures: BlockFailure[] = [];

  for (const block of blocks) {
    const file = byPath.get(block.path);
    if (!file) {
      failures.push({
        index: block.index,
        path: block.path,
        reason: `${block.path} is not among the files this task may change (${files.map((f) => f.path).join(", ") || "none"}).`,
      });
      continue;
    }
    let state = states.get(block.path);
    if (!state) {
      state = {
        file,
        doc: file.text === null ? null : toLineDoc(file.text),
        tiers: [],
        placements: [],
        notes: [],
        window: file.window ? { from: file.window.startLine - 1, to: file.window.endLine } : undefined,
      };
      states.set(block.path, state);
    }
    try {
      applyBlock(state, block);
    } catch (err) {
      if (!(err instanceof BlockError)) throw err;
      failures.push({ index: block.index, path: block.path, reason: err.message, ...(err.nearest ? { nearest: err.nearest } : {}) });
    }
  }

  if (failures.length > 0) return { ok: false, failures, message: failureMessage(failures, blocks) };

  const proposed: ProposedFile[] = [];
  for (const [path, state] of states) {
    const before = state.file.text;
    const after = state.doc ? fromLineDoc(state.doc) : null;
    if (after === before) continue;
    proposed.push({
      path,
      before,
      after,
      tiers: state.tiers,
      placements: state.placements,
      ...(state.notes.length > 0 ? { notes: state.notes } : {}),
    });
  }
  return { ok: true, files: proposed };
}

function applyBlock(state: FileState, block: EditBlock): void {
  switch (block.kind) {
    case "whole-file":
      return applyListing(state, modelLines(block.content));
    case "search-replace":
      return applySearchReplace(state, modelLines(block.search), modelLines(block.replace));
    case "unified-diff":
      return applyDiff(state, block.patch);
    case "delete":
      if (!state.doc) throw new BlockError(`${state.file.path} does not exist, so it cannot be deleted.`);
      state.doc = null;
      state.placements = [];
      state.tiers.push("delete");
      return;
  }
}

// ---- whole file ------------------------------------------------------------------------------

function applyListing(state: FileState, content: string[]): void {
  const path = state.file.path;
  if (!state.doc) {
    if (state.file.text !== null) throw new BlockError(`${path} was deleted by an earlier block of this answer.`);
    state.doc = emptyLineDoc();
    replaceLines(state, 0, 0, content, "new-file");
    return;
  }
  const doc = state.doc;
  const range = state.window ?? { from: 0, to: doc.lines.length };
  const current = doc.lines.slice(range.from, range.to);
  const lazy = lazyLine(content, current);
  if (lazy !== undefined) {
    throw new BlockError(
      `the listing of ${path} leaves code out ("${content[lazy]!.trim()}", line ${lazy + 1} of the listing). A listing replaces the ${state.window ? "window" : "file"} exactly as written, so write every line, including the ones you did not change.`,
    );
  }
  if (content.length === 0 && current.some((line) => !isBlank(line))) {
    throw new BlockError(
      `the listing of ${path} is empty, which would erase the ${state.window ? "window" : "file"}. Write the complete new content.`,
    );
  }
  if (state.window) {
    const { from, to } = state.window;
    if (to > doc.lines.length || from < 0 || from > to) {
      throw new BlockError(
        `${path} no longer has the lines ${from + 1}-${to} you were shown, so the listing cannot be placed.`,
      );
    }
    const before = doc.lines[from - 1];
    const after = doc.lines[to];
    if (from > 0 && content.length > 0 && before !== undefined && !isBlank(before) && content[0] === before && current[0] !== before) {
      throw new BlockError(
        `the listing of ${path} starts with line ${from}, which is outside the window (lines ${from + 1}-${to}) you were shown. Write only the lines of the window.`,
      );
    }
    if (after !== undefined && content.length > 0 && !isBlank(after) && content[content.length - 1] === after && current[current.length - 1] !== after) {
      throw new BlockError(
        `the listing of ${path} ends with line ${to + 1}, which is outside the window (lines ${from + 1}-${to}) you were shown. Write only the lines of the window.`,
      );
    }
    // A model that rewrote the whole file instead of the window repeats the lines around it;
    // splicing that in would duplicate most of the file.
    const outside = containsRun(content, doc.lines.slice(Math.max(0, from - SEAM_LINES), from), current)
      ? `the ${SEAM_LINES} lines before it`
      : containsRun(content, doc.lines.slice(to, to + SEAM_LINES), current)
        ? `the ${SEAM_LINES} lines after it`
        : undefined;
    if (outside) {
      throw new BlockError(
        `the listing of ${path} contains ${outside}, outside the window (lines ${from + 1}-${to}) you were shown. Write only the lines of the window, not the whole file.`,
      );
    }
    replaceLines(state, from, to, content, "whole-file");
    return;
  }
  noteLostLines(state, current, content);
  state.placements = [];
  replaceLines(state, 0, doc.lines.length, content, "whole-file");
}

/** How many lines on each side of a window are looked for in a window listing. */
const SEAM_LINES = 3;

/**
 * True when `run` (lines just outside a window) appears, in order and unbroken, in `content` but
 * not in the window's own text: the listing reaches outside the window. Runs too plain to tell
 * anything (shorter than the seam, or without a line of substance) never count.
 */
function containsRun(content: readonly string[], run: readonly string[], window: readonly string[]): boolean {
  if (run.length < SEAM_LINES || !run.some((line) => line.trim().length >= 4)) return false;
  const occurs = (lines: readonly string[]) => {
    for (let i = 0; i + run.length <= lines.length; i++) {
      let k = 0;
      while (k < run.length && lines[i + k] === run[k]) k++;
      if (k === run.length) return true;
    }
    return false;
  };
  return occurs(content) && !occurs(window);
}

/** Below this share of a file's lines kept, a whole-file listing gets a note in the preview. */
const KEPT_SHARE_NOTE = 0.5;
/** Files shorter than this (in non-blank lines) are rewritten freely without a note. */
const NOTE_MIN_LINES = 20;

/**
 * A listing that keeps few of the file's lines is often a model that wrote only the part it
 * changed. That can be what the plan asked for, so it is not refused; the preview says it plainly.
 */
function noteLostLines(state: FileState, current: string[], content: string[]): void {
  const original = current.map((line) => line.trim()).filter((line) => line !== "");
  if (original.length < NOTE_MIN_LINES) return;
  const listed = new Set(content.map((line) => line.trim()));
  const kept = original.filter((line) => listed.has(line)).length;
  if (kept / original.length >= KEPT_SHARE_NOTE) return;
  state.notes.push(
    `The listing of ${state.file.path} keeps only ${kept} of its ${original.length} non-blank lines; check that the rest was meant to go.`,
  );
}

/**
 * The index of a line that stands for omitted code ("// ... rest unchanged ...") and is not in
 * the file already, or undefined. Models that are asked for a whole file often write one, and
 * taking the listing as written would delete the code it stands for.
 */
function lazyLine(content: string[], current: string[]): number | undefined {
  const existing = new Set(current.map((line) => line.trim()));
  for (let i = 0; i < content.length; i++) {
    const t = content[i]!.trim();
    if (existing.has(t)) continue;
    if (isElision(t)) return i;
    const comment = /^(?:\/\/+|#+|--|;+|\/\*+|<!--|\*)\s*(.*)$/.exec(t);
    if (
      comment &&
      /(?:\.\.\.|…)/.test(comment[1]!) &&
      /\b(?:existing|rest|remaining|unchanged|same|omitted|previous|other|code|here|etc)\b/i.test(comment[1]!)
    ) {
      return i;
    }
  }
  return undefined;
}

// ---- SEARCH/REPLACE --------------------------------------------------------------------------

function applySearchReplace(state: FileState, search: string[], replace: string[]): void {
  const path = state.file.path;
  const searchEmpty = search.every(isBlank);
  if (!state.doc) {
    if (state.file.text !== null) throw new BlockError(`${path} was deleted by an earlier block of this answer.`);
    if (!searchEmpty) {
      throw new BlockError(
        `${path} does not exist yet, so there is nothing to SEARCH in it. To create it, leave SEARCH empty and put the whole file in REPLACE.`,
      );
    }
    state.doc = emptyLineDoc();
    replaceLines(state, 0, 0, replace, "new-file");
    return;
  }
  const doc = state.doc;
  if (searchEmpty) {
    if (doc.lines.every(isBlank)) {
      replaceLines(state, 0, doc.lines.length, replace, "exact");
      return;
    }
    throw new BlockError(
      `the SEARCH part is empty, but ${path} already exists. An empty SEARCH only creates a new file; to add lines, put the lines next to them in SEARCH and repeat them in REPLACE.`,
    );
  }
  const range = state.window ?? { from: 0, to: doc.lines.length };
  const isOwnName = (line: string) => {
    const name = nameFromLine(line, new Set([path]));
    return name !== undefined && resolveInPlay(name, [state.file]).kind === "in-play";
  };
  const result = matchBlock(doc.lines, range, search, replace, isOwnName, indexOf(doc));
  if (!result.ok) throw explainMiss(result, state, search, replace);
  applySplices(state, result.splices, result.tier);
}

// ---- unified diff ----------------------------------------------------------------------------

function applyDiff(state: FileState, patch: string): void {
  const path = state.file.path;
  const hunks = parsePatchHunks(patch);
  if (hunks.length === 0) throw new BlockError(`the diff for ${path} changes nothing: it has no "+" or "-" lines.`);
  if (!state.doc) {
    if (state.file.text !== null) throw new BlockError(`${path} was deleted by an earlier block of this answer.`);
    if (hunks.some((h) => h.oldLines.length > 0)) {
      throw new BlockError(`${path} does not exist yet, so a diff for it can only add lines (from /dev/null).`);
    }
    state.doc = emptyLineDoc();
    replaceLines(state, 0, 0, hunks.flatMap((h) => h.newLines), "new-file");
    return;
  }
  const doc = state.doc;
  let delta = 0;
  let tier: MatchTier = "unified-diff";
  hunks.forEach((hunk, k) => {
    const range = state.window ?? { from: 0, to: doc.lines.length };
    const which = hunks.length > 1 ? `hunk ${k + 1} of the diff` : "the diff";
    if (hunk.oldLines.length === 0) {
      if (hunk.oldStart === undefined) {
        throw new BlockError(
          `${which} for ${path} only adds lines and gives neither context lines nor a line number, so its place is unknown. Include a few unchanged lines around the addition.`,
        );
      }
      const at = Math.min(Math.max(hunk.oldStart + delta, range.from), range.to);
      replaceLines(state, at, at, hunk.newLines, "unified-diff", false);
      delta += hunk.newLines.length;
      return;
    }
    const hint = hunk.oldStart !== undefined ? hunk.oldStart - 1 + delta : undefined;
    const result = matchLiteral(doc.lines, range, hunk.oldLines, hunk.newLines, hint, indexOf(doc));
    if (!result.ok) {
      const miss = explainMiss(result, state, hunk.oldLines, hunk.newLines);
      throw new BlockError(`${which}: ${miss.message}`, miss.nearest);
    }
    const hunkTier = result.tier === "exact" ? "unified-diff" : result.tier;
    for (const splice of result.splices) replaceLines(state, splice.start, splice.end, splice.lines, hunkTier, false);
    if (hunkTier !== "unified-diff") tier = hunkTier;
    delta += hunk.newLines.length - hunk.oldLines.length;
  });
  // One tier per block: the loosest any of its hunks needed.
  state.tiers.push(tier);
}

// ---- shared ----------------------------------------------------------------------------------

function applySplices(state: FileState, splices: LineSplice[], tier: MatchTier): void {
  const ordered = [...splices].sort((a, b) => b.start - a.start);
  for (const splice of ordered) replaceLines(state, splice.start, splice.end, splice.lines, tier, false);
  state.tiers.push(tier);
}

/** Replace lines [start, end) and keep the window and the placements of earlier blocks current. */
function replaceLines(state: FileState, start: number, end: number, lines: string[], tier: MatchTier, recordTier = true): void {
  const doc = state.doc!;
  spliceLines(doc, start, end, lines);
  const delta = lines.length - (end - start);
  for (const p of state.placements) {
    // Entirely before the change (touching its start): unchanged.
    if (p.endLine < start || (p.endLine === start && p.startLine < start)) continue;
    // Entirely after it (touching its end): shifted by the change in length.
    if (p.startLine > end || (p.startLine === end && p.endLine > end)) {
      p.startLine += delta;
      p.endLine += delta;
      continue;
    }
    // Overlapping: the earlier block's lines now include the new ones.
    p.startLine = Math.min(p.startLine, start);
    p.endLine = Math.max(p.endLine + delta, start + lines.length);
  }
  state.placements.push({ tier, startLine: start, endLine: start + lines.length });
  if (state.window) state.window.to += delta;
  if (recordTier) state.tiers.push(tier);
}

function explainMiss(result: Exclude<MatchResult, { ok: true }>, state: FileState, search: string[], replace: string[]): BlockError {
  const path = state.file.path;
  const doc = state.doc!;
  const where = state.window ? ` (within lines ${state.window.from + 1}-${state.window.to}, the part you were shown)` : "";
  if (result.kind === "ambiguous") {
    const tierNote = result.tier === "exact" ? "" : ` (allowing for ${tierWords(result.tier)})`;
    return new BlockError(
      `the SEARCH text matches ${result.lines.length} places in ${path}${where}${tierNote}, at lines ${listLines(result.lines)}. Add a few more lines around the change so it matches exactly one place.`,
    );
  }
  if (result.kind === "invalid") return new BlockError(result.detail);
  const range = state.window ?? { from: 0, to: doc.lines.length };
  const near = nearestLines(doc.lines, search, range);
  let message = `the SEARCH text does not match any lines of ${path}${where}.`;
  const replaceFound = replace.length > 0 && !replace.every(isBlank) && matchLiteral(doc.lines, range, replace, replace, undefined, indexOf(doc)).ok;
  if (replaceFound) message += ` Its REPLACE lines are already in ${path}: this change may already be made.`;
  const indentNote = indentationStyleNote(path, doc.lines, search);
  if (indentNote) message += ` ${indentNote}`;
  if (near) {
    const last = near.startLine + near.lines.length - 1;
    message += ` The closest text in ${path} is at ${near.startLine === last ? `line ${last}` : `lines ${near.startLine}-${last}`}; if you meant that place, copy it exactly:`;
    return new BlockError(message, near.lines.join("\n"));
  }
  return new BlockError(message);
}

/**
 * Tabs and spaces look alike in a quoted snippet, and mixing them up is a common reason a SEARCH
 * misses; say so plainly when the file indents one way and the SEARCH the other.
 */
function indentationStyleNote(path: string, file: readonly string[], search: string[]): string | undefined {
  const style = (lines: readonly string[]) => {
    let tabs = 0;
    let spaces = 0;
    for (const line of lines) {
      if (line.startsWith("\t")) tabs++;
      else if (line.startsWith(" ") && !isBlank(line)) spaces++;
    }
    return tabs > spaces ? "tabs" : spaces > tabs ? "spaces" : undefined;
  };
  const fileStyle = style(file);
  const searchStyle = style(search);
  if (!fileStyle || !searchStyle || fileStyle === searchStyle) return undefined;
  return `Note that ${path} indents with ${fileStyle}, but your SEARCH indents with ${searchStyle}.`;
}

function tierWords(tier: MatchTier): string {
  switch (tier) {
    case "trailing-whitespace":
      return "trailing spaces";
    case "indentation":
      return "different indentation";
    case "leading-blank-line":
      return "the blank first line";
    case "elision":
      return `the "..." lines`;
    case "unwrapped-fence":
      return "the fence around it";
    default:
      return tier;
  }
}

function listLines(lines: number[]): string {
  const shown = lines.slice(0, 5).map(String);
  if (lines.length > 5) shown.push("…");
  if (shown.length <= 2) return shown.join(" and ");
  return `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}

function describeBlock(block: EditBlock | undefined, failure: BlockFailure): string {
  const kind =
    block?.kind === "whole-file"
      ? "listing"
      : block?.kind === "unified-diff"
        ? "diff"
        : block?.kind === "delete"
          ? "deletion"
          : "SEARCH/REPLACE";
  return `Edit block ${failure.index + 1} (${kind} for ${failure.path})`;
}

function fenceFor(text: string): string {
  let fence = "```";
  while (text.includes(fence)) fence += "`";
  return fence;
}

/** The text sent back to the model when a response's edits cannot all be applied. */
export function failureMessage(failures: BlockFailure[], blocks: EditBlock[]): string {
  const parts: string[] = [];
  const total = blocks.length;
  parts.push(
    failures.length === 1 && total === 1
      ? "Your edit could not be applied, so no file was changed."
      : `${failures.length} of your ${total} edit blocks could not be applied, so no file was changed.`,
  );
  for (const failure of failures) {
    const block = blocks.find((b) => b.index === failure.index);
    let text = `${describeBlock(block, failure)}: ${failure.reason}`;
    if (failure.nearest !== undefined) {
      const fence = fenceFor(failure.nearest);
      text += `\n${fence}\n${failure.nearest}\n${fence}`;
    }
    parts.push(text);
  }
  const sawSearch = blocks.some((b) => b.kind === "search-replace" || b.kind === "unified-diff");
  parts.push(
    (sawSearch
      ? "A SEARCH part (or a diff's context and \"-\" lines) must copy the file's current lines exactly: every space, comment and blank line. "
      : "") + "Reply with all of your edits again, with these corrected: none of them was applied.",
  );
  return parts.join("\n\n");
}
