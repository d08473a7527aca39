/**
 * The strict matcher: where, in a file's lines, does a SEARCH text belong?
 *
 * Tiers are tried from the most literal to the most forgiving, and each tolerates one kind of
 * mistake small models make when copying code (docs/model-protocol.md, "Where an edit goes"). A
 * tier that finds the text in more than one place stops the search with an ambiguity: a later,
 * looser tier could only guess. Matching is always by whole lines, so a SEARCH never lands in the
 * middle of a line.
 */
import type { LineIndex } from "./line-index.js";
import { indentOf, isBlank } from "./text.js";
import type { MatchTier } from "./types.js";

/** One replacement of lines [start, end) of the file by `lines`. */
export interface LineSplice {
  start: number;
  end: number;
  lines: string[];
}

export type MatchResult =
  | { ok: true; tier: MatchTier; splices: LineSplice[] }
  | { ok: false; kind: "none"; detail?: string }
  | { ok: false; kind: "ambiguous"; tier: MatchTier; lines: number[] }
  | { ok: false; kind: "invalid"; detail: string };

/** The part of the file a block may touch: lines [from, to). A window narrows it. */
export interface LineRange {
  from: number;
  to: number;
}

interface Candidate {
  start: number;
  lines: string[];
}

/** A tier: the windows among `starts` (first lines of candidate places) where it accepts `search`. */
type Tier = (file: readonly string[], starts: readonly number[], search: string[], replace: string[]) => Candidate[];

// The tiers scan every line of the file for every block, so they are written as plain loops that
// allocate nothing per line: on a 1 MB file that is the difference between milliseconds and a
// garbage-collection storm.

const exact: Tier = (file, starts, search, replace) => {
  const out: Candidate[] = [];
  const n = search.length;
  if (n === 0) return out;
  const first = search[0]!;
  for (const i of starts) {
    if (file[i] !== first) continue;
    let k = 1;
    while (k < n && file[i + k] === search[k]) k++;
    if (k === n) out.push({ start: i, lines: replace });
  }
  return out;
};

/** Length of a line without its trailing spaces and tabs. */
function trimmedLength(line: string): number {
  let end = line.length;
  while (end > 0) {
    const c = line.charCodeAt(end - 1);
    if (c !== 32 && c !== 9 && c !== 13) break;
    end--;
  }
  return end;
}

/** `line` equals `core` once trailing whitespace is ignored (`core` is already trimmed). */
function equalsTrimmed(line: string, core: string): boolean {
  return trimmedLength(line) === core.length && line.startsWith(core);
}

const trailingWhitespace: Tier = (file, starts, search, replace) => {
  const out: Candidate[] = [];
  const n = search.length;
  if (n === 0) return out;
  const cores = search.map((line) => line.trimEnd());
  for (const i of starts) {
    let k = 0;
    while (k < n && equalsTrimmed(file[i + k]!, cores[k]!)) k++;
    if (k === n) out.push({ start: i, lines: replace });
  }
  return out;
};

/** The whitespace in front of `core` at the end of `line` (trailing whitespace ignored), or undefined. */
function leadBefore(line: string, core: string): string | undefined {
  const end = trimmedLength(line);
  if (end < core.length || !line.endsWith(core, end)) return undefined;
  const leadLength = end - core.length;
  for (let j = 0; j < leadLength; j++) {
    const c = line.charCodeAt(j);
    if (c !== 32 && c !== 9) return undefined;
  }
  return line.slice(0, leadLength);
}

/**
 * Every non-blank SEARCH line is off from the file by the same leading whitespace (too little or
 * too much). The REPLACE lines are shifted by that same amount, so the new code lands at the
 * file's indentation. Trailing whitespace is ignored here too; blank lines must stay blank.
 */
const indentation: Tier = (file, starts, search, replace) => {
  const out: Candidate[] = [];
  const n = search.length;
  const common = Math.min(
    ...[...search, ...replace].filter((line) => !isBlank(line)).map((line) => indentOf(line).length),
  );
  if (n === 0 || !Number.isFinite(common)) return out;
  const cores = search.map((line) => (isBlank(line) ? "" : line.slice(common).trimEnd()));
  const anchor = cores.findIndex((core) => core !== "");
  for (const i of starts) {
    // The first non-blank line decides the prefix; most windows fail right there.
    const prefix = leadBefore(file[i + anchor]!, cores[anchor]!);
    if (prefix === undefined) continue;
    let k = 0;
    for (; k < n; k++) {
      const line = file[i + k]!;
      const core = cores[k]!;
      if (core === "") {
        if (trimmedLength(line) !== 0) break;
      } else if (k !== anchor) {
        if (trimmedLength(line) !== prefix.length + core.length || !line.startsWith(prefix) || !line.startsWith(core, prefix.length)) break;
      }
    }
    if (k < n) continue;
    out.push({ start: i, lines: replace.map((line) => (isBlank(line) ? "" : prefix + line.slice(common))) });
  }
  return out;
};

const basicTiers: [MatchTier, Tier][] = [
  ["exact", exact],
  ["trailing-whitespace", trailingWhitespace],
  ["indentation", indentation],
];

/**
 * The first lines of every place `search` could occupy in `range`. With an index, only the places
 * where the SEARCH's rarest non-blank line lines up with an equal line (once trimmed, which every
 * tier requires); without one, every line of the range.
 */
function candidateStarts(file: readonly string[], range: LineRange, search: string[], index?: LineIndex): number[] {
  const n = search.length;
  const out: number[] = [];
  let anchor = -1;
  let key = "";
  if (index) {
    let fewest = Infinity;
    search.forEach((line, k) => {
      const t = line.trim();
      if (t === "") return;
      const count = index.estimate(t);
      if (count < fewest) {
        fewest = count;
        anchor = k;
        key = t;
      }
    });
  }
  if (anchor < 0) {
    for (let i = range.from; i + n <= range.to && i + n <= file.length; i++) out.push(i);
    return out;
  }
  for (const p of index!.positions(key)) {
    const start = p - anchor;
    if (start >= range.from && start + n <= range.to && start + n <= file.length) out.push(start);
  }
  return out;
}

/**
 * Find one place for `search` with the literal tiers (exact, trailing whitespace, indentation).
 * Used directly for unified-diff hunks, whose text is never elided or fence-wrapped.
 */
export function matchLiteral(
  file: readonly string[],
  range: LineRange,
  search: string[],
  replace: string[],
  preferStart?: number,
  index?: LineIndex,
): MatchResult {
  if (search.length === 0) return { ok: false, kind: "none" };
  const starts = candidateStarts(file, range, search, index);
  for (const [tier, run] of basicTiers) {
    const found = run(file, starts, search, replace);
    if (found.length === 0) continue;
    let chosen = found.length === 1 ? found[0] : undefined;
    // A diff hunk's own line number may pick one of several equal places; nothing else may.
    if (!chosen && preferStart !== undefined) {
      const atHint = found.filter((c) => c.start === preferStart);
      if (atHint.length === 1) chosen = atHint[0];
    }
    if (!chosen) return { ok: false, kind: "ambiguous", tier, lines: found.map((c) => c.start + 1) };
    return { ok: true, tier, splices: [{ start: chosen.start, end: chosen.start + search.length, lines: chosen.lines }] };
  }
  return { ok: false, kind: "none" };
}

/** Find where a SEARCH/REPLACE block applies, trying every tier in order. */
export function matchBlock(
  file: readonly string[],
  range: LineRange,
  search: string[],
  replace: string[],
  isOwnName: (line: string) => boolean,
  index?: LineIndex,
): MatchResult {
  const direct = matchUnwrapped(file, range, search, replace, index);
  if (direct.ok || direct.kind !== "none") return direct;
  const unwrappedSearch = unwrapFence(search, isOwnName);
  if (!unwrappedSearch) return direct;
  const unwrappedReplace = unwrapFence(replace, isOwnName) ?? replace;
  const retried = matchUnwrapped(file, range, unwrappedSearch, unwrappedReplace, index);
  if (retried.ok) return { ...retried, tier: "unwrapped-fence" };
  if (retried.kind === "ambiguous") return { ...retried, tier: "unwrapped-fence" };
  return retried;
}

function matchUnwrapped(file: readonly string[], range: LineRange, search: string[], replace: string[], index?: LineIndex): MatchResult {
  const literal = matchLiteral(file, range, search, replace, undefined, index);
  if (literal.ok || literal.kind !== "none") return literal;

  // A blank line the model added at the top of SEARCH (and usually of REPLACE too).
  let lead = 0;
  while (lead < search.length && isBlank(search[lead]!)) lead++;
  if (lead > 0 && lead < search.length) {
    let replaceLead = 0;
    while (replaceLead < Math.min(lead, replace.length) && isBlank(replace[replaceLead]!)) replaceLead++;
    const trimmed = matchLiteral(file, range, search.slice(lead), replace.slice(replaceLead), undefined, index);
    if (trimmed.ok) return { ...trimmed, tier: "leading-blank-line" };
    if (trimmed.kind === "ambiguous") return { ...trimmed, tier: "leading-blank-line" };
  }

  if (search.some(isElision)) return matchElided(file, range, search, replace, index);
  return { ok: false, kind: "none" };
}

/**
 * A line standing for code the model left out: `...` or `…` alone, or inside a line comment
 * (`// ... existing code ...`, `# ...`). The exact tier runs first, so a real `...` line (a Python
 * function body of `...`) that is in the file still matches as written.
 */
export function isElision(line: string): boolean {
  const t = line.trim();
  if (t === "..." || t === "…") return true;
  return /^(?:\/\/+|#+|--|;+|\/\*+|<!--)\s*(?:\.\.\.|…)(?:[^.…]{0,60}(?:\.\.\.|…))?\s*(?:\*\/|-->)?$/.test(t);
}

/** Split lines on elision lines: n separators give n+1 pieces. */
function splitOnElisions(lines: string[]): string[][] {
  const pieces: string[][] = [[]];
  for (const line of lines) {
    if (isElision(line)) pieces.push([]);
    else pieces[pieces.length - 1]!.push(line);
  }
  return pieces;
}

/**
 * SEARCH with `...` lines. When REPLACE elides the same number of places, each SEARCH piece is
 * replaced by its REPLACE piece and the elided code between them stays. When REPLACE elides
 * nothing, the whole stretch from the first piece to the last is replaced. Each piece must be found
 * exactly once, after the piece before it.
 */
function matchElided(file: readonly string[], range: LineRange, search: string[], replace: string[], index?: LineIndex): MatchResult {
  const searchPieces = splitOnElisions(search);
  const replaceHasElisions = replace.some(isElision);
  const replacePieces = replaceHasElisions ? splitOnElisions(replace) : undefined;
  if (replacePieces && replacePieces.length !== searchPieces.length) {
    return {
      ok: false,
      kind: "invalid",
      detail: `SEARCH leaves out code in ${searchPieces.length - 1} place(s) with "..." but REPLACE does so in ${replacePieces.length - 1}; use the same "..." lines in both, in the same places.`,
    };
  }
  if (searchPieces.every((piece) => piece.length === 0)) {
    return { ok: false, kind: "invalid", detail: `SEARCH holds nothing but "..." lines, so it cannot be placed.` };
  }
  if (!replacePieces && (searchPieces[0]!.length === 0 || searchPieces[searchPieces.length - 1]!.length === 0)) {
    return {
      ok: false,
      kind: "invalid",
      detail: `SEARCH starts or ends with "..." while REPLACE has none, so the extent of the code to replace is unknown; start and end SEARCH with real lines.`,
    };
  }
  const splices: LineSplice[] = [];
  let cursor = range.from;
  let firstStart = -1;
  let lastEnd = -1;
  for (let p = 0; p < searchPieces.length; p++) {
    const piece = searchPieces[p]!;
    const replacement = replacePieces ? replacePieces[p]! : [];
    if (piece.length === 0) {
      if (replacement.length > 0) {
        return {
          ok: false,
          kind: "invalid",
          detail: `REPLACE adds lines next to a "..." where SEARCH has none, so their place is unknown; put a real line from the file beside them in SEARCH.`,
        };
      }
      continue;
    }
    const found = matchLiteral(file, { from: cursor, to: range.to }, piece, replacement, undefined, index);
    if (!found.ok) {
      if (found.kind === "ambiguous") return { ...found, tier: "elision" };
      return found;
    }
    const splice = found.splices[0]!;
    if (firstStart < 0) firstStart = splice.start;
    lastEnd = splice.end;
    splices.push(splice);
    cursor = splice.end;
  }
  if (!replacePieces) return { ok: true, tier: "elision", splices: [{ start: firstStart, end: lastEnd, lines: replace }] };
  return { ok: true, tier: "elision", splices };
}

const fenceLine = /^\s*(`{3,}|~{3,})[^`]*$/;

/**
 * Lines wrapped in a fence pair (and perhaps the file's name line above it), as models write when
 * they copy a listing into SEARCH. Returns the inner lines, or undefined when not wrapped.
 */
export function unwrapFence(lines: string[], isOwnName: (line: string) => boolean): string[] | undefined {
  let start = 0;
  if (lines.length > 0 && !fenceLine.test(lines[0]!) && isOwnName(lines[0]!)) start = 1;
  if (lines.length - start < 2) return undefined;
  const open = fenceLine.exec(lines[start]!);
  const close = lines[lines.length - 1]!.trim();
  if (!open || !/^(`{3,}|~{3,})$/.test(close) || close[0] !== open[1]![0]) return undefined;
  return lines.slice(start + 1, -1);
}
