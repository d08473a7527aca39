/**
 * Everything the engine knows about the indexed files at one moment: each file's facts and where
 * it lives, the BM25 index over contents, paths and definition names, which files define each
 * name, and (built on demand, after changes) the reference graph. Files come and go one at a
 * time, so an edit costs the work for that file, not for the repository.
 */
import { Bm25Index } from "./bm25.js";
import type { Definition, FileFacts } from "./facts.js";
import { assembleGraph, edgesOf, type FileEdges, MAX_DEFINERS, personalizedPageRank, specificity, type ReferenceGraph } from "./graph.js";
import { isCode } from "./languages.js";
import { companionKey, isTestPath } from "./paths.js";
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

/**
 * Definitions other files can refer to by name. A Markdown heading cannot be; nor, usefully, can a
 * top-level variable with a short plain name (`router`, `session` in an entry script), which
 * would link every file that has a parameter of that name.
 */
const LINKABLE = (def: Definition): boolean =>
  def.kind !== "heading" && !(def.kind === "variable" && def.name.length < 8 && /^[a-z][a-z0-9]*$/.test(def.name));

/** What the corpus derives once per file for ranking. */
interface FileMeta {
  code: boolean;
  test: boolean;
  companion: string;
  /** The identifiers the file uses, as ids into the corpus's dictionary, with counts. */
  identIds: Int32Array;
  identCounts: Uint16Array;
}

/** Lookups over all files that are rebuilt only after files change. */
export interface FileLookups {
  byDisplay: Map<string, string>;
  byBase: Map<string, string[]>;
  byCompanion: Map<string, string[]>;
}

export class Corpus {
  readonly files = new Map<string, IndexedFile>();
  readonly bm25 = new Bm25Index([
    { name: "content", b: 0.75 },
    { name: "path", b: 0.3 },
    { name: "defs", b: 0.5 },
  ]);
  private readonly meta = new Map<string, FileMeta>();
  private readonly definers = new Map<string, Set<string>>();
  /** Identifier dictionary shared by every file, so each name is stored once. */
  private readonly identIds = new Map<string, number>();
  private readonly identNames: string[] = [];
  private graphCache: ReferenceGraph | null = null;
  /** Per-file outgoing references, kept across changes; see `graph`. */
  private readonly edges = new Map<string, FileEdges>();
  private readonly referencedBy = new Map<string, number>();
  /** Files whose edges must be computed again, and names whose set of definers changed. */
  private readonly staleEdges = new Set<string>();
  private readonly movedNames = new Set<string>();
  private centralityCache: Float64Array | null = null;
  private lookupCache: FileLookups | null = null;
  private centralTop: Array<[string, number]> | null = null;

  /**
   * Index a file. The identifier list of its facts moves into the corpus's compact form, and the
   * stored `IndexedFile` keeps only what rendering needs (its definitions).
   */
  set(file: IndexedFile): void {
    const old = this.files.get(file.abs);
    if (old && old.hash === file.hash && old.display === file.display) {
      this.files.set(file.abs, { ...file, facts: old.facts });
      return;
    }
    const before = new Set(old ? old.facts.defs.filter(LINKABLE).map((d) => d.name) : []);
    this.remove(file.abs, false);
    this.staleEdges.add(file.abs);
    const idents = file.facts.idents;
    const identIds = new Int32Array(idents.length);
    const identCounts = new Uint16Array(idents.length);
    idents.forEach(([name, count], i) => {
      identIds[i] = this.intern(name);
      identCounts[i] = Math.min(count, 65535);
    });
    const stored: IndexedFile = { ...file, facts: { ...file.facts, idents: [] } };
    this.files.set(file.abs, stored);
    this.meta.set(file.abs, { code: isCode(file.rel), test: isTestPath(file.rel), companion: companionKey(file.rel), identIds, identCounts });
    const after = new Set<string>();
    for (const def of file.facts.defs) {
      if (!LINKABLE(def)) continue;
      after.add(def.name);
      let where = this.definers.get(def.name);
      if (!where) {
        where = new Set();
        this.definers.set(def.name, where);
      }
      where.add(file.abs);
    }
    this.bm25.set(file.abs, [contentTerms(idents), pathTerms(file.rel), definitionTerms(file.facts)]);
    // Only names the file started or stopped defining change other files' edges.
    for (const name of before) if (!after.has(name)) this.movedNames.add(name);
    for (const name of after) if (!before.has(name)) this.movedNames.add(name);
    // Path lookups depend only on which files exist and what they are called.
    this.changed(!old || old.display !== file.display);
  }

  delete(abs: string): void {
    this.remove(abs, true);
  }

  /** Take a file out; `markMoved` records its names as moved (not when `set` replaces it at once). */
  private remove(abs: string, markMoved: boolean): void {
    const old = this.files.get(abs);
    if (!old) return;
    for (const def of old.facts.defs) {
      const where = this.definers.get(def.name);
      if (!where) continue;
      if (markMoved) this.movedNames.add(def.name);
      where.delete(abs);
      if (where.size === 0) this.definers.delete(def.name);
    }
    this.files.delete(abs);
    this.meta.delete(abs);
    this.bm25.delete(abs);
    this.dropEdges(abs);
    this.staleEdges.delete(abs);
    this.changed(markMoved);
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

  isCode(abs: string): boolean {
    return this.meta.get(abs)?.code ?? false;
  }

  isTest(abs: string): boolean {
    return this.meta.get(abs)?.test ?? false;
  }

  companionOf(abs: string): string {
    return this.meta.get(abs)?.companion ?? "";
  }

  lookups(): FileLookups {
    if (!this.lookupCache) {
      const byDisplay = new Map<string, string>();
      const byBase = new Map<string, string[]>();
      const byCompanion = new Map<string, string[]>();
      const push = (map: Map<string, string[]>, key: string, abs: string) => {
        const list = map.get(key);
        if (list) list.push(abs);
        else map.set(key, [abs]);
      };
      for (const file of this.files.values()) {
        byDisplay.set(file.display.toLowerCase(), file.abs);
        push(byBase, file.rel.slice(file.rel.lastIndexOf("/") + 1).toLowerCase(), file.abs);
        const companion = this.companionOf(file.abs);
        if (companion.length >= 3) push(byCompanion, companion, file.abs);
      }
      this.lookupCache = { byDisplay, byBase, byCompanion };
    }
    return this.lookupCache;
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

  /**
   * What `abs` uses from other files: for each defining file, the names used and a weight (how
   * often and how specific), skipping names `abs` or `exclude` define themselves and names too
   * common to point anywhere.
   */
  usedFrom(abs: string, exclude: ReadonlySet<string>): Map<string, Map<string, number>> {
    const out = new Map<string, Map<string, number>>();
    const meta = this.meta.get(abs);
    if (!meta) return out;
    for (let i = 0; i < meta.identIds.length; i++) {
      const name = this.identNames[meta.identIds[i]!]!;
      const where = this.definers.get(name);
      if (!where || where.size > MAX_DEFINERS || where.has(abs)) continue;
      const weight = (specificity(name) * Math.sqrt(meta.identCounts[i]!)) / where.size;
      for (const definer of where) {
        if (exclude.has(definer)) continue;
        let names = out.get(definer);
        if (!names) {
          names = new Map();
          out.set(definer, names);
        }
        names.set(name, (names.get(name) ?? 0) + weight);
      }
    }
    return out;
  }

  /** The `limit` most central files with their centrality, most central first. */
  mostCentral(limit: number): Array<[string, number]> {
    if (!this.centralTop || this.centralTop.length < Math.min(limit, this.files.size)) {
      const graph = this.graph();
      const centrality = this.centrality();
      const order = graph.keys.map((_, i) => i).sort((a, b) => centrality[b]! - centrality[a]!);
      this.centralTop = order.slice(0, limit).map((i) => [graph.keys[i]!, centrality[i]!] as [string, number]);
    }
    return this.centralTop.slice(0, limit);
  }

  /**
   * The reference graph, brought up to date: edges are computed again only for files that changed
   * and for files that use a name some changed file defines (or defined); on a cold start, or
   * when most files changed, for all of them.
   */
  graph(): ReferenceGraph {
    if (this.graphCache) return this.graphCache;
    const definers = (name: string) => this.definers.get(name);
    if (this.movedNames.size > 0 && this.staleEdges.size < this.files.size / 4) {
      const moved = new Set<number>();
      for (const name of this.movedNames) {
        const id = this.identIds.get(name);
        if (id !== undefined) moved.add(id);
      }
      if (moved.size > 0) {
        for (const [abs, meta] of this.meta) {
          if (this.staleEdges.has(abs)) continue;
          for (const id of meta.identIds) {
            if (moved.has(id)) {
              this.staleEdges.add(abs);
              break;
            }
          }
        }
      }
    } else if (this.movedNames.size > 0) {
      for (const abs of this.meta.keys()) this.staleEdges.add(abs);
    }
    this.movedNames.clear();
    for (const abs of this.staleEdges) {
      const meta = this.meta.get(abs);
      this.dropEdges(abs);
      if (!meta) continue;
      const edges = edgesOf(abs, meta.identIds, meta.identCounts, this.identNames, definers);
      this.edges.set(abs, edges);
      for (const name of edges.names) this.referencedBy.set(name, (this.referencedBy.get(name) ?? 0) + 1);
    }
    this.staleEdges.clear();
    this.graphCache = assembleGraph(this.edges, this.referencedBy);
    return this.graphCache;
  }

  private dropEdges(abs: string): void {
    const old = this.edges.get(abs);
    if (!old) return;
    for (const name of old.names) {
      const count = (this.referencedBy.get(name) ?? 0) - 1;
      if (count > 0) this.referencedBy.set(name, count);
      else this.referencedBy.delete(name);
    }
    this.edges.delete(abs);
  }

  private changed(pathsChanged = true): void {
    this.graphCache = null;
    this.centralityCache = null;
    this.centralTop = null;
    if (pathsChanged) this.lookupCache = null;
  }

  private intern(name: string): number {
    let id = this.identIds.get(name);
    if (id === undefined) {
      id = this.identNames.length;
      this.identIds.set(name, id);
      this.identNames.push(name);
    }
    return id;
  }
}

/**
 * Content terms come from the identifiers (code and the words of comments and strings alike).
 * Splitting an identifier is the costly part, so splits are memoised across files: most
 * identifiers recur throughout a repository.
 */
const splitMemo = new Map<string, Array<[string, number]>>();
const MEMO_LIMIT = 200_000;

function contentTerms(idents: FileFacts["idents"]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [ident, count] of idents) {
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
