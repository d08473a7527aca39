/**
 * Ranking: word-level search and the reference graph together. BM25 over contents, paths and
 * definition names finds the files that talk about what the task says; files that define an
 * identifier the task names, or that the task names by path, are lifted above those that merely
 * use it; and a personalised PageRank seeded from all of these spreads relevance along references
 * to the files the likely ones depend on. Each signal is scaled to [0, 1] before mixing so no
 * single one's units dominate.
 */
import { CONTENT, type Corpus, DEFS, PATH } from "./corpus.js";
import { personalizedPageRank } from "./graph.js";
import type { TaskSignals } from "./query.js";

export interface RankWeights {
  content: number;
  path: number;
  defs: number;
  identifier: number;
  mentionedPath: number;
  openFile: number;
  pageRank: number;
  /** Weight of how central a file is to the whole repository (a prior that matters when the task is vague). */
  prior: number;
  /** Share of each reference's weight that also flows backwards, from a definition to its users. */
  reverse: number;
  /** How many of the best text matches seed PageRank. */
  seedCount: number;
  /** Share of a file's direct score given to its test or implementation counterpart (`foo.go` ↔ `foo_test.go`). */
  companion: number;
  /** Multiplier for files that are not code (prose, data, configuration): the map is for changing code. */
  nonCode: number;
}

export const DEFAULT_WEIGHTS: RankWeights = {
  content: 1,
  path: 1,
  defs: 0.5,
  identifier: 1.2,
  mentionedPath: 2,
  openFile: 0.6,
  pageRank: 0.5,
  reverse: 0,
  prior: 0.05,
  seedCount: 10,
  nonCode: 0.4,
  companion: 0.3,
};

/** How many of the most central files a task that names little still gets. */
const CENTRAL_FALLBACK = 100;

export interface Scored {
  abs: string;
  score: number;
}

export function rankFiles(corpus: Corpus, signals: TaskSignals, weights: RankWeights = DEFAULT_WEIGHTS): Scored[] {
  // The fields are scored on one BM25 scale (same collection, same idf), so they add up directly,
  // like BM25F; only the total is scaled to [0, 1].
  const text = new Map<string, number>();
  for (const [abs, fields] of corpus.bm25.search(signals.terms)) {
    text.set(abs, weights.content * (fields[CONTENT] ?? 0) + weights.path * (fields[PATH] ?? 0) + weights.defs * (fields[DEFS] ?? 0));
  }
  let maxText = 0;
  for (const value of text.values()) maxText = Math.max(maxText, value);
  maxText ||= 1;

  // Defining a named identifier: shared among the files that define it.
  const defining = new Map<string, number>();
  for (const [name, strength] of signals.identifiers) {
    const where = corpus.definersOf(name);
    if (!where) continue;
    for (const abs of where) defining.set(abs, (defining.get(abs) ?? 0) + (strength * corpus.definitionWeight(abs, name)) / where.size);
  }

  const direct = new Map<string, number>();
  const add = (abs: string, value: number) => direct.set(abs, (direct.get(abs) ?? 0) + value);
  for (const [abs, value] of text) add(abs, value / maxText);
  // Several named identifiers in one file add up, but saturate: three weak hints are not a proof.
  for (const [abs, value] of defining) add(abs, weights.identifier * (1 - Math.exp(-2 * value)));
  for (const [abs, value] of signals.paths) add(abs, weights.mentionedPath * value);
  if (signals.openFile && corpus.files.has(signals.openFile)) add(signals.openFile, weights.openFile);

  if (weights.companion > 0) addCompanions(corpus, direct, weights.companion);

  const scores = new Map(direct);
  if (weights.pageRank > 0 && direct.size > 0) {
    const graph = corpus.graph();
    const seeds = new Map<number, number>();
    const best = [...direct].sort((a, b) => b[1] - a[1]).slice(0, weights.seedCount);
    for (const [abs, value] of best) {
      const node = graph.index.get(abs);
      if (node !== undefined) seeds.set(node, value);
    }
    if (seeds.size > 0) {
      const rank = personalizedPageRank(graph, seeds, { reverse: weights.reverse });
      // Each seed keeps part of its own restart mass; only what flows on says anything new.
      let maxRank = 0;
      for (let i = 0; i < rank.length; i++) maxRank = Math.max(maxRank, rank[i]!);
      if (maxRank > 0) {
        for (let i = 0; i < rank.length; i++) {
          const value = rank[i]!;
          if (value <= 0) continue;
          const abs = graph.keys[i]!;
          scores.set(abs, (scores.get(abs) ?? 0) + (weights.pageRank * value) / maxRank);
        }
      }
    }
  }

  if (weights.prior > 0) {
    // Every file with a score gets its share of the prior, and so do the most central files, so a
    // task that names nothing still gets the repository's core.
    const graph = corpus.graph();
    const centrality = corpus.centrality();
    for (const abs of scores.keys()) {
      const node = graph.index.get(abs);
      if (node !== undefined) scores.set(abs, scores.get(abs)! + weights.prior * centrality[node]!);
    }
    for (const [abs, value] of corpus.mostCentral(CENTRAL_FALLBACK)) if (!scores.has(abs)) scores.set(abs, weights.prior * value);
  }

  const ranked: Scored[] = [];
  for (const [abs, score] of scores) {
    if (score <= 0) continue;
    ranked.push({ abs, score: corpus.isCode(abs) ? score : score * weights.nonCode });
  }
  ranked.sort((a, b) => b.score - a.score || (a.abs < b.abs ? -1 : 1));
  return ranked;
}

/**
 * Changes to code usually come with changes to its tests and the other way round, and the two
 * rarely share the task's words equally; so each file passes a share of its score to the files
 * that carry the same name up to a test marker.
 */
function addCompanions(corpus: Corpus, direct: Map<string, number>, share: number): void {
  const { byCompanion } = corpus.lookups();
  const gifts = new Map<string, number>();
  for (const [abs, score] of direct) {
    const group = byCompanion.get(corpus.companionOf(abs));
    if (!group || group.length < 2 || group.length > 6) continue;
    const test = corpus.isTest(abs);
    for (const other of group) {
      // Only a test and what it tests are companions, not two same-named files in different packages.
      if (other === abs || corpus.isTest(other) === test) continue;
      gifts.set(other, Math.max(gifts.get(other) ?? 0, share * score));
    }
  }
  for (const [abs, gift] of gifts) direct.set(abs, (direct.get(abs) ?? 0) + gift);
}
