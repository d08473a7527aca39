/**
 * "Did you mean these lines?" When a block does not match, the message back to the model quotes
 * the stretch of the file that looks most like its SEARCH text, so it can copy the real lines.
 * Similarity is per line (equal after trimming, else a character-bigram overlap), averaged over a
 * window as long as the SEARCH text.
 */
import { isBlank } from "./text.js";

export interface NearestLines {
  /** 1-based first line of the stretch. */
  startLine: number;
  lines: string[];
  score: number;
}

/** Below this average similarity nothing is quoted: unrelated lines would only mislead. */
const MIN_SCORE = 0.5;
/** Long files are only scored around lines that share text with the SEARCH, to keep failures cheap. */
const FULL_SCAN_LIMIT = 4000;

export function nearestLines(file: readonly string[], search: readonly string[], range?: { from: number; to: number }): NearestLines | undefined {
  const wanted = search.filter((line) => !isBlank(line)).map((line) => line.trim());
  if (wanted.length === 0 || file.length === 0) return undefined;
  const from = range?.from ?? 0;
  const to = range?.to ?? file.length;
  const size = Math.min(search.length, to - from);
  if (size <= 0) return undefined;

  let starts: number[];
  if (to - from <= FULL_SCAN_LIMIT) {
    starts = [];
    for (let i = from; i + size <= to; i++) starts.push(i);
  } else {
    const anchors = new Set(wanted);
    const set = new Set<number>();
    for (let i = from; i < to; i++) {
      if (!anchors.has(file[i]!.trim())) continue;
      for (let s = Math.max(from, i - size + 1); s <= i && s + size <= to; s++) set.add(s);
    }
    starts = [...set].sort((a, b) => a - b);
  }

  const cache = new Map<string, Set<string>>();
  let best: NearestLines | undefined;
  for (const start of starts) {
    let total = 0;
    for (let k = 0; k < size; k++) total += lineSimilarity(search[k]!.trim(), file[start + k]!.trim(), cache);
    const score = total / size;
    if (!best || score > best.score) best = { startLine: start + 1, lines: file.slice(start, start + size), score };
  }
  return best && best.score >= MIN_SCORE ? best : undefined;
}

function lineSimilarity(a: string, b: string, cache: Map<string, Set<string>>): number {
  if (a === b) return 1;
  if (a === "" || b === "") return 0;
  const ga = bigrams(a, cache);
  const gb = bigrams(b, cache);
  if (ga.size === 0 || gb.size === 0) return 0;
  let shared = 0;
  for (const g of ga) if (gb.has(g)) shared++;
  return (2 * shared) / (ga.size + gb.size);
}

function bigrams(text: string, cache: Map<string, Set<string>>): Set<string> {
  let set = cache.get(text);
  if (!set) {
    set = new Set();
    for (let i = 0; i + 1 < text.length; i++) set.add(text.slice(i, i + 2));
    cache.set(text, set);
  }
  return set;
}
