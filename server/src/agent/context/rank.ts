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
  /** How many of the best text matches seed PageRank. */
  seedCount: number;
}

export const DEFAULT_WEIGHTS: RankWeights = {
  content: 1,
  path: 0.6,
  defs: 0.5,
  identifier: 1.2,
  mentionedPath: 2,
  openFile: 0.6,
  pageRank: 0.5,
  seedCount: 10,
};

export interface Scored {
  abs: string;
  score: number;
}

export function rankFiles(corpus: Corpus, signals: TaskSignals, weights: RankWeights = DEFAULT_WEIGHTS): Scored[] {
  const text = new Map<string, number>();
  const hits = corpus.bm25.search(signals.terms);
  const maxField = [0, 0, 0];
  for (const { fields } of hits.values()) for (let f = 0; f < 3; f++) maxField[f] = Math.max(maxField[f]!, fields[f] ?? 0);
  for (const [abs, { fields }] of hits) {
    const score =
      (weights.content * (fields[CONTENT] ?? 0)) / (maxField[CONTENT] || 1) +
      (weights.path * (fields[PATH] ?? 0)) / (maxField[PATH] || 1) +
      (weights.defs * (fields[DEFS] ?? 0)) / (maxField[DEFS] || 1);
    text.set(abs, score);
  }
  const maxText = Math.max(0, ...text.values()) || 1;

  // Defining a named identifier: shared among the files that define it.
  const defining = new Map<string, number>();
  for (const [name, strength] of signals.identifiers) {
    const where = corpus.definersOf(name);
    if (!where) continue;
    for (const abs of where) defining.set(abs, (defining.get(abs) ?? 0) + (strength * corpus.definitionWeight(abs, name)) / where.size);
  }
  const maxDefining = Math.max(0, ...defining.values()) || 1;

  const direct = new Map<string, number>();
  const add = (abs: string, value: number) => direct.set(abs, (direct.get(abs) ?? 0) + value);
  for (const [abs, value] of text) add(abs, value / maxText);
  for (const [abs, value] of defining) add(abs, (weights.identifier * value) / maxDefining);
  for (const [abs, value] of signals.paths) add(abs, weights.mentionedPath * value);
  if (signals.openFile && corpus.files.has(signals.openFile)) add(signals.openFile, weights.openFile);

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
      const rank = personalizedPageRank(graph, seeds);
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

  const ranked: Scored[] = [];
  for (const [abs, score] of scores) if (score > 0) ranked.push({ abs, score });
  ranked.sort((a, b) => b.score - a.score || (a.abs < b.abs ? -1 : 1));
  return ranked;
}
