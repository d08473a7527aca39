/**
 * The context engine: keeps an index of the workspace's files up to date and answers what the
 * model should see for a task. Change notifications only record which file changed (they arrive
 * on every keystroke); the index catches up lazily, shortly after the edits stop or at the next
 * `build()`, and then touches only files whose size, modification time or recorded text differ.
 * Parse results are cached by content hash under the state directory, so a restarted server
 * reads only what changed while it was down.
 *
 * Every file comes from the `Workspace`: only what `list()` offers is indexed, and text handed in
 * by `noteChange` for a file the workspace does not list (ignored, secret, outside the roots) is
 * dropped.
 */
import { hashText } from "../sandbox/hash.js";
import type { ListedFile, StateStore, Workspace } from "../sandbox/types.js";
import { RootCache } from "./cache.js";
import { Corpus, type IndexedFile } from "./corpus.js";
import { type FileFacts, plainFacts } from "./facts.js";
import { viewFile } from "./fileview.js";
import { languageFor } from "./languages.js";
import { readTask } from "./query.js";
import { DEFAULT_WEIGHTS, rankFiles, type RankWeights } from "./rank.js";
import { renderMap } from "./render.js";
import { TreeSitterReader } from "./treesitter.js";
import type { ContextEngine, ContextQuery, FileView, RankedFile, RepoContext } from "./types.js";

export interface ContextEngineOptions {
  workspace: Workspace;
  state?: StateStore;
  log?: (message: string) => void;
  /** Ranking weights; the defaults are what the localisation benchmark measures. */
  weights?: RankWeights;
  /** Quiet time after the last change before the index refreshes in the background (ms). */
  refreshDelayMs?: number;
}

/** What one refresh did, for the benchmarks and the log. */
export interface RefreshStats {
  listed: number;
  read: number;
  parsed: number;
  fromCache: number;
  removed: number;
  ms: number;
}

export interface ContextEngineInternals extends ContextEngine {
  /** Bring the index up to date now (what `build` does first). */
  refresh(): Promise<RefreshStats>;
  /** Wait until the cache is written (the CLI calls this before exiting). */
  flush(): Promise<void>;
  /** How many files are indexed. */
  readonly size: number;
  /** The ranking alone, with other weights if given: for the benchmarks and for tuning. */
  rank(query: ContextQuery, weights?: RankWeights): Promise<RankedFile[]>;
}

const READ_CONCURRENCY = 16;
/** Files read and parsed together in one step of a refresh. */
const BATCH = 256;
const VIEW_MEMO = 32;
const FLUSH_DELAY_MS = 3000;
/** `build` lists this many files at most: beyond it, scores say little and the list only costs. */
const MAX_RANKED = 200;
/** Work in slices of this many milliseconds, then let the event loop run (LSP requests keep flowing). */
const SLICE_MS = 8;

export function createContextEngine(options: ContextEngineOptions): ContextEngineInternals {
  const { workspace, state } = options;
  const log = options.log ?? (() => {});
  const weights = options.weights ?? DEFAULT_WEIGHTS;
  const refreshDelay = options.refreshDelayMs ?? 400;
  const corpus = new Corpus();
  const reader = new TreeSitterReader(log);
  const caches = new Map<string, RootCache>();
  /** Files reported changed since the last refresh, with the editor's text when it sent one. */
  const pending = new Map<string, string | undefined>();
  /** Editor text for files whose buffer differs from the disk, kept until the disk catches up. */
  const buffers = new Map<string, string>();
  /** Facts of texts `fileView` parsed that the index does not hold, newest last. */
  const viewed = new Map<string, FileFacts>();
  let refreshing: Promise<RefreshStats> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let disposed = false;
  let rootsChanged = workspace.onRootsChanged(() => {
    // New or removed folders are picked up by the next listing; nothing to do until then.
    scheduleRefresh();
  });

  function cacheFor(root: string): RootCache {
    let cache = caches.get(root);
    if (!cache) {
      cache = new RootCache(state, root, log);
      caches.set(root, cache);
    }
    return cache;
  }

  function scheduleRefresh(): void {
    if (disposed || timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      refresh().catch((err: unknown) => log(`context: background refresh failed: ${err instanceof Error ? err.message : String(err)}`));
    }, refreshDelay);
    timer.unref?.();
  }

  /**
   * Save the cache a little after the index last changed, not on every refresh: saving a file
   * every few seconds while the user works should not rewrite the manifest each time.
   */
  function scheduleFlush(): void {
    if (disposed || flushTimer !== null) return;
    flushTimer = setTimeout(() => {
      flushTimer = null;
      for (const cache of caches.values()) void cache.flush();
    }, FLUSH_DELAY_MS);
    flushTimer.unref?.();
  }

  function refresh(): Promise<RefreshStats> {
    if (refreshing) {
      // A refresh is under way: run one more after it if changes arrived meanwhile.
      return refreshing.then((stats) => (pending.size > 0 ? refresh() : stats));
    }
    refreshing = runRefresh().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  async function runRefresh(): Promise<RefreshStats> {
    const started = performance.now();
    const reported = new Map(pending);
    pending.clear();
    const listed = await workspace.list();
    const present = new Set(listed.map((f) => f.abs));
    // Notifications may name a file by URI or through a symlinked path; the listing uses resolved
    // absolute paths. Anything the sandbox does not resolve to a listed file is dropped here.
    const changed = new Map<string, string | undefined>();
    for (const [key, text] of reported) {
      let abs: string | null = key;
      if (!present.has(key)) {
        const located = await workspace.locate(key, "read");
        abs = located.ok ? located.abs : null;
      }
      if (abs !== null && present.has(abs)) changed.set(abs, text);
    }
    for (const [abs, text] of changed) {
      if (text === undefined) buffers.delete(abs);
      else buffers.set(abs, text);
    }
    const roots = new Set(listed.map((f) => f.root));
    const single = workspace.roots().length <= 1;
    const stats: RefreshStats = { listed: listed.length, read: 0, parsed: 0, fromCache: 0, removed: 0, ms: 0 };

    for (const abs of [...corpus.files.keys()]) {
      if (present.has(abs)) continue;
      const old = corpus.files.get(abs)!;
      corpus.delete(abs);
      cacheFor(old.root).noteManifest(old.rel, null);
      stats.removed++;
    }
    for (const abs of buffers.keys()) if (!present.has(abs)) buffers.delete(abs);

    const manifests = new Map<string, Awaited<ReturnType<RootCache["manifest"]>>>();
    for (const root of roots) manifests.set(root, await cacheFor(root).manifest());
    // Forget files that are gone (the index only ever held the readable ones).
    const listedRels = new Set(listed.map((f) => `${f.root}\0${f.rel}`));
    for (const [root, manifest] of manifests) {
      for (const rel of [...manifest.keys()]) if (!listedRels.has(`${root}\0${rel}`)) cacheFor(root).noteManifest(rel, null);
    }

    // Sort the listing into: unchanged, known by the manifest (no read needed), editor text, to read.
    const byManifest: Array<{ file: ListedFile; hash: string }> = [];
    const fromBuffer: Array<{ file: ListedFile; text: string }> = [];
    const toRead: ListedFile[] = [];
    for (const file of listed) {
      const display = single ? file.rel : file.abs;
      const buffer = buffers.get(file.abs);
      const known = corpus.files.get(file.abs);
      if (buffer !== undefined) {
        if (known && known.hash === hashText(buffer)) continue;
        fromBuffer.push({ file, text: buffer });
        continue;
      }
      if (known && known.mtimeMs === file.mtimeMs && known.bytes === file.bytes && !changed.has(file.abs)) {
        if (known.display !== display) corpus.set({ ...known, display });
        continue;
      }
      const entry = manifests.get(file.root)?.get(file.rel);
      if (!known && entry && entry.mtimeMs === file.mtimeMs && entry.bytes === file.bytes && !changed.has(file.abs)) {
        // An empty hash records a file the sandbox would not let us read (binary, too large).
        if (entry.hash !== "") byManifest.push({ file, hash: entry.hash });
        continue;
      }
      toRead.push(file);
    }

    // Files the manifest vouches for: their facts come from the cache without reading them.
    for (const root of roots) await cacheFor(root).preload(byManifest.filter((m) => m.file.root === root).map((m) => m.hash));
    for (const { file, hash } of byManifest) {
      const facts = cacheFor(file.root).get(hash);
      if (facts) {
        corpus.set(indexed(file, hash, facts, single));
        stats.fromCache++;
      } else {
        toRead.push(file);
      }
    }

    // Read what changed and parse it, a batch at a time, so a cold start on a large tree never
    // holds more than one batch of file text at once.
    type Text = { file: ListedFile; text: string; hash: string; mtimeMs: number; bytes: number; persist: boolean };
    const buffered: Text[] = fromBuffer.map(({ file, text }) => ({ file, text, hash: hashText(text), mtimeMs: file.mtimeMs, bytes: file.bytes, persist: false }));
    await indexTexts(buffered, stats, single);
    for (let start = 0; start < toRead.length && !disposed; start += BATCH) {
      const batch = toRead.slice(start, start + BATCH);
      const texts: Text[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(READ_CONCURRENCY, batch.length) }, async () => {
          while (next < batch.length) {
            const file = batch[next++]!;
            const result = await workspace.read(file.abs);
            stats.read++;
            if (!result.ok) {
              // Binary, too large, or gone since the listing: not something the model will see.
              // Remembered as such, so it is not read again until its size or time changes.
              if (corpus.files.has(file.abs)) corpus.delete(file.abs);
              cacheFor(file.root).noteManifest(file.rel, { mtimeMs: file.mtimeMs, bytes: file.bytes, hash: "" });
              continue;
            }
            texts.push({ file, text: result.file.text, hash: result.file.hash, mtimeMs: result.file.mtimeMs, bytes: result.file.bytes, persist: true });
          }
        }),
      );
      await indexTexts(texts, stats, single);
    }
    for (const root of roots) cacheFor(root).release();
    scheduleFlush();
    stats.ms = performance.now() - started;
    if (stats.read + stats.parsed + stats.removed > 0) {
      log(`context: indexed ${stats.listed} files (${stats.read} read, ${stats.parsed} parsed, ${stats.fromCache} from cache, ${stats.removed} removed) in ${Math.round(stats.ms)} ms.`);
    }
    return stats;
  }

  /** Facts for each text (from the cache by hash, else parsed), into the corpus and the manifest. */
  async function indexTexts(
    texts: ReadonlyArray<{ file: ListedFile; text: string; hash: string; mtimeMs: number; bytes: number; persist: boolean }>,
    stats: RefreshStats,
    single: boolean,
  ): Promise<void> {
    if (texts.length === 0) return;
    const roots = new Set(texts.map((t) => t.file.root));
    for (const root of roots) await cacheFor(root).preload(texts.filter((t) => t.file.root === root).map((t) => t.hash));
    const grammars = new Set<string>();
    for (const t of texts) {
      if (cacheFor(t.file.root).get(t.hash)) continue;
      const spec = languageFor(t.file.rel);
      if (spec) grammars.add(spec.grammar);
    }
    await reader.prepare(grammars);
    let sliceStart = performance.now();
    for (const t of texts) {
      if (disposed) return;
      const cache = cacheFor(t.file.root);
      let facts = cache.get(t.hash);
      if (facts) stats.fromCache++;
      else {
        facts = factsOf(t.file.rel, t.text);
        stats.parsed++;
        if (t.persist) cache.set(t.hash, facts);
      }
      corpus.set(indexed({ ...t.file, mtimeMs: t.mtimeMs, bytes: t.bytes }, t.hash, facts, single));
      if (t.persist) cache.noteManifest(t.file.rel, { mtimeMs: t.mtimeMs, bytes: t.bytes, hash: t.hash });
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
  }

  function factsOf(rel: string, text: string): FileFacts {
    const spec = languageFor(rel);
    const facts = (spec && reader.extract(spec, text)) || plainFacts(rel, text);
    // Names and signatures are cut from the file's text, and a cut can keep the whole text alive
    // in memory; a JSON round trip gives the record strings of its own (it is how the cache stores
    // it anyway).
    return JSON.parse(JSON.stringify(facts)) as FileFacts;
  }

  function resolveOpen(path: string): string | null {
    if (corpus.files.has(path)) return path;
    const decoded = path.startsWith("file://") ? decodeURIComponent(new URL(path).pathname) : path;
    if (corpus.files.has(decoded)) return decoded;
    for (const file of corpus.files.values()) if (file.display === path || file.rel === path) return file.abs;
    return null;
  }

  return {
    get size() {
      return corpus.files.size;
    },

    refresh,

    async rank(query: ContextQuery, other?: RankWeights): Promise<RankedFile[]> {
      await refresh();
      const ranked = rankFiles(corpus, readTask(query, corpus, resolveOpen), other ?? weights);
      return ranked.map((r) => ({ path: corpus.files.get(r.abs)!.display, score: round(r.score) }));
    },

    async build(query: ContextQuery): Promise<RepoContext> {
      if (disposed) throw new Error("The context engine was used after it was disposed.");
      await refresh();
      const signals = readTask(query, corpus, resolveOpen);
      const ranked = rankFiles(corpus, signals, weights);
      const budget = Math.max(0, Math.floor(query.budgetTokens));
      const graph = corpus.graph();
      const rendered = renderMap(
        ranked.map((r) => {
          const file = corpus.files.get(r.abs)!;
          return { display: file.display, defs: file.facts.defs };
        }),
        budget,
        { terms: signals.terms, identifiers: signals.identifiers, referencedBy: graph.referencedBy },
      );
      return {
        files: ranked.slice(0, MAX_RANKED).map((r) => ({ path: corpus.files.get(r.abs)!.display, score: round(r.score) })),
        map: rendered.map,
        tokens: rendered.tokens,
      };
    },

    async related(paths: string[], budgetTokens: number): Promise<RepoContext> {
      if (disposed) throw new Error("The context engine was used after it was disposed.");
      await refresh();
      const sources = new Set<string>();
      for (const path of paths) {
        const abs = resolveOpen(path);
        if (abs) sources.add(abs);
      }
      // Weigh each defining file by what the sources use from it, and keep the names used.
      const used = new Map<string, Map<string, number>>();
      for (const source of sources) {
        for (const [definer, names] of corpus.usedFrom(source, sources)) {
          let into = used.get(definer);
          if (!into) {
            into = new Map();
            used.set(definer, into);
          }
          for (const [name, weight] of names) into.set(name, (into.get(name) ?? 0) + weight);
        }
      }
      const ranked = [...used].map(([abs, names]) => ({ abs, names, score: [...names.values()].reduce((a, b) => a + b, 0) }));
      ranked.sort((a, b) => b.score - a.score || (a.abs < b.abs ? -1 : 1));
      const identifiers = new Map<string, number>();
      for (const { names } of ranked) for (const name of names.keys()) identifiers.set(name, 1);
      const rendered = renderMap(
        ranked.map(({ abs, names }) => {
          const file = corpus.files.get(abs)!;
          return { display: file.display, defs: file.facts.defs.filter((d) => names.has(d.name)) };
        }),
        Math.max(0, Math.floor(budgetTokens)),
        { terms: new Map(), identifiers, referencedBy: corpus.graph().referencedBy },
      );
      return {
        files: ranked.slice(0, MAX_RANKED).map((r) => ({ path: corpus.files.get(r.abs)!.display, score: round(r.score) })),
        map: rendered.map,
        tokens: rendered.tokens,
      };
    },

    fileView(path: string, text: string, focus: string[], budgetTokens: number): FileView {
      const abs = resolveOpen(path);
      const known = abs ? corpus.files.get(abs) : undefined;
      const hash = hashText(text);
      let facts: FileFacts | null = known && known.hash === hash ? known.facts : (viewed.get(`${path}\0${hash}`) ?? null);
      if (!facts) {
        // Not indexed in this form: parse now if the grammar is loaded, else read it plainly and
        // load the grammar for next time.
        const rel = known?.rel ?? path;
        const spec = languageFor(rel);
        if (spec && !reader.ready(spec.grammar) && !disposed) void reader.prepare([spec.grammar]);
        facts = factsOf(rel, text);
        // The pipeline asks for the same few files several times in a task (plan, edit, retries).
        if (viewed.size >= VIEW_MEMO) viewed.delete(viewed.keys().next().value!);
        viewed.set(`${path}\0${hash}`, facts);
      }
      return viewFile(text, facts, focus, Math.max(0, Math.floor(budgetTokens)));
    },

    noteChange(abs: string, text?: string): void {
      pending.set(abs, text);
      if (timer === null) scheduleRefresh();
    },

    flush(): Promise<void> {
      if (flushTimer !== null) clearTimeout(flushTimer);
      flushTimer = null;
      return Promise.all([...caches.values()].map((c) => c.flush())).then(() => undefined);
    },

    dispose(): void {
      disposed = true;
      if (timer !== null) clearTimeout(timer);
      if (flushTimer !== null) clearTimeout(flushTimer);
      timer = null;
      flushTimer = null;
      rootsChanged();
      rootsChanged = () => {};
      for (const cache of caches.values()) void cache.flush();
      reader.dispose();
    },
  };
}

function indexed(file: ListedFile, hash: string, facts: FileFacts, single: boolean): IndexedFile {
  return { abs: file.abs, root: file.root, rel: file.rel, display: single ? file.rel : file.abs, mtimeMs: file.mtimeMs, bytes: file.bytes, hash, facts };
}

function round(score: number): number {
  return Math.round(score * 10000) / 10000;
}
