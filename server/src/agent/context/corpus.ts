/**
 * Everything the engine knows about the indexed files at one moment: each file's facts and where
 * it lives, the BM25 index over contents, paths and definition names, which files define each
 * name, and (built on demand, after changes) the reference graph. Files come and go one at a
 * time, so an edit costs the work for that file, not for the repository.
 */
import { Bm25Index } from "./bm25.js";
import type { Definition, FileFacts } from "./facts.js";
import { buildGraph, personalizedPageRank, type ReferenceGraph } from "./graph.js";
import { addIdentifierTerms, pathTerms } from "./words.js";

export interface IndexedFile {
  abs: string;
  root: string;
  rel: string;
  /** How the file is named to callers: relative to its root when there is one root, else absolute. */
  display: string;
  mtimeMs: number;
  bytes: number;
  hash: string;
  facts: FileFacts;
}

/** Field order in the BM25 index. */
export const CONTENT = 0;
export const PATH = 1;
export const DEFS = 2;

/** Kinds that name something other files can use (a Markdown heading cannot be referenced). */
const LINKABLE = (def: Definition): boolean => def.kind !== "heading";

export class Corpus {
  readonly files = new Map<string, IndexedFile>();
  readonly bm25 = new Bm25Index([
    { name: "content", weight: 1, b: 0.75 },
    { name: "path", weight: 1, b: 0.3 },
    { name: "defs", weight: 1, b: 0.5 },
  ]);
  private readonly definers = new Map<string, Set<string>>();
  private graphCache: ReferenceGraph | null = null;
  private centralityCache: Float64Array | null = null;

  set(file: IndexedFile): void {
    const old = this.files.get(file.abs);
    if (old && old.hash === file.hash && old.display === file.display) {
      this.files.set(file.abs, file);
      return;
    }
    this.delete(file.abs);
    this.files.set(file.abs, file);
    for (const def of file.facts.defs) {
      if (!LINKABLE(def)) continue;
      let where = this.definers.get(def.name);
      if (!where) {
        where = new Set();
        this.definers.set(def.name, where);
      }
      where.add(file.abs);
    }
    this.bm25.set(file.abs, [contentTerms(file.facts), pathTerms(file.rel), definitionTerms(file.facts)]);
    this.graphCache = null;
    this.centralityCache = null;
  }

  delete(abs: string): void {
    const old = this.files.get(abs);
    if (!old) return;
    for (const def of old.facts.defs) {
      const where = this.definers.get(def.name);
      if (!where) continue;
      where.delete(abs);
      if (where.size === 0) this.definers.delete(def.name);
    }
    this.files.delete(abs);
    this.bm25.delete(abs);
    this.graphCache = null;
    this.centralityCache = null;
  }

  /** The files that define `name` (exact spelling). */
  definersOf(name: string): ReadonlySet<string> | undefined {
    return this.definers.get(name);
  }

  /** How fully `abs` defines `name`: 1 with a body, 0.5 when it only declares it (a prototype). */
  definitionWeight(abs: string, name: string): number {
    const defs = this.files.get(abs)?.facts.defs ?? [];
    let weight = 0;
    for (const def of defs) if (def.name === name) weight = Math.max(weight, def.kind === "prototype" ? 0.5 : 1);
    return weight;
  }

  /**
   * How central each file is to the repository as a whole (PageRank with a uniform restart), scaled
   * so the most central file has 1; indexed like `graph().keys`. With a vague task, the core files
   * are the best guess, and it is what the map shows when the task names nothing.
   */
  centrality(): Float64Array {
    if (!this.centralityCache) {
      const rank = personalizedPageRank(this.graph(), new Map());
      let max = 0;
      for (const value of rank) max = Math.max(max, value);
      if (max > 0) for (let i = 0; i < rank.length; i++) rank[i] = rank[i]! / max;
      this.centralityCache = rank;
    }
    return this.centralityCache;
  }

  graph(): ReferenceGraph {
    this.graphCache ??= buildGraph(
      [...this.files.values()].map((f) => ({ key: f.abs, idents: f.facts.idents })),
      (name) => this.definers.get(name),
    );
    return this.graphCache;
  }
}

/**
 * Content terms come from the identifiers (code and the words of comments and strings alike).
 * Splitting an identifier is the costly part, so splits are memoised across files: most
 * identifiers recur throughout a repository.
 */
const splitMemo = new Map<string, Array<[string, number]>>();
const MEMO_LIMIT = 200_000;

function contentTerms(facts: FileFacts): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [ident, count] of facts.idents) {
    let terms = splitMemo.get(ident);
    if (!terms) {
      const one = new Map<string, number>();
      addIdentifierTerms(ident, one);
      terms = [...one];
      if (splitMemo.size >= MEMO_LIMIT) splitMemo.clear();
      splitMemo.set(ident, terms);
    }
    for (const [term, n] of terms) counts.set(term, (counts.get(term) ?? 0) + n * count);
  }
  return counts;
}

function definitionTerms(facts: FileFacts): Map<string, number> {
  const counts = new Map<string, number>();
  for (const def of facts.defs) addIdentifierTerms(def.kind === "heading" ? def.name.replace(/\W+/g, " ") : def.name, counts);
  return counts;
}
