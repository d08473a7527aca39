/**
 * Localisation: does the context engine put the files a change needs in front of the model?
 * Tasks come from real commit histories. The task text is the commit message, the gold set is the
 * source files the commit modified (files that existed before it), and every ranking is computed
 * on the tree of the commit's parent. The engine is compared, in the same run and on the same
 * trees, with two baselines: file-name match (the task's words against path names) and BM25 over
 * file contents (plain words, and the engine's own code-aware terms, so a gain cannot come from
 * tokenisation alone). Figures are recall@1/5/10 of the gold files, averaged over commits. The
 * notes add two ablations on the engine's own index: without the reference graph, and the graph
 * alone (PageRank seeded by what the task names, no word search).
 *
 * Repositories: this one (its own .git) and git snapshots fetched for the benchmark under
 * /work/.mirror (or $BURROW_BENCH_MIRROR), never committed; an absent one is skipped with a note.
 * Trees are read straight from git objects through a read-only `Workspace`, so no checkout is
 * written and unchanged files keep their (size, pseudo-mtime) from commit to commit, exactly as
 * an unchanged file on disk would. Commits are split by a hash of their id: the "dev" quarter is
 * what the ranking weights were tuned on; the rows report the held-out "test" split
 * ($BURROW_BENCH_SPLIT=dev shows the other).
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Bm25Index } from "../server/src/agent/context/bm25.js";
import { createContextEngine, DEFAULT_WEIGHTS } from "../server/src/agent/context/index.js";
import { addTerms, pathTerms } from "../server/src/agent/context/words.js";
import { refuse } from "../server/src/agent/outcome.js";
import type { ListedFile, ReadResult, Workspace } from "../server/src/agent/sandbox/types.js";
import type { BenchRow } from "./types.js";

const BENCH = "localisation";
const MIRROR = process.env.BURROW_BENCH_MIRROR ?? "/work/.mirror";
const PER_REPO = Number(process.env.BURROW_BENCH_COMMITS ?? 60);
const SPLIT = process.env.BURROW_BENCH_SPLIT === "dev" ? "dev" : "test";
const MAX_GOLD = 5;
const MAX_TOUCHED = 10;
const MAX_FILE_BYTES = 256 * 1024;
const KS = [1, 5, 10] as const;

const SELF = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".git");

export interface RepoSpec {
  name: string;
  language: string;
  gitDir: string;
}

export const REPOS: RepoSpec[] = [
  { name: "burrow", language: "TypeScript", gitDir: SELF },
  { name: "requests", language: "Python", gitDir: path.join(MIRROR, "psf+requests", "repo") },
  { name: "cobra", language: "Go", gitDir: path.join(MIRROR, "spf13+cobra", "repo") },
  { name: "ripgrep", language: "Rust", gitDir: path.join(MIRROR, "BurntSushi+ripgrep", "repo") },
];

const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|py|pyi|go|rs|java|kt|c|h|cc|cpp|cxx|hpp|hh|lua|rb|cs|swift|scala|php|sh|bash|zsh)$/i;
const BINARY = /\.(png|jpe?g|gif|ico|icns|bmp|webp|svgz|pdf|zip|gz|tgz|bz2|xz|7z|jar|class|so|dylib|dll|exe|o|a|wasm|woff2?|ttf|otf|eot|mp[34]|mov|avi|pyc|lock)$/i;
const NOISE_SUBJECT = /^(bump|merge|release|prepare release|version|v?\d+\.\d+(\.\d+)?\b|[\w-]+[- ]v?\d+\.\d+\.\d+$|changelog|update changelog|(fix(ed)? )?typos?\b|rustfmt|gofmt|cargo fmt|format|lint|deps:|chore\(deps\))/i;

export interface Sampled {
  sha: string;
  parent: string;
  time: number;
  task: string;
  gold: string[];
}

interface TreeEntry {
  blob: string;
  bytes: number;
}

/** Recall@k sums per method, over the commits of one repository. */
type Tally = Record<string, { hits: Record<number, number>; count: number }>;

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const overall: Tally = {};
  for (const repo of REPOS) {
    if (!existsSync(repo.gitDir)) {
      process.stderr.write(`bench localisation: ${repo.name} is absent (${repo.gitDir}); fetch it to include it. Skipping.\n`);
      continue;
    }
    const started = performance.now();
    const commits = sampleCommits(repo.gitDir, SPLIT);
    if (commits.length === 0) {
      process.stderr.write(`bench localisation: ${repo.name} has no usable commits in the ${SPLIT} split; skipping.\n`);
      continue;
    }
    const tally = await evaluate(repo, commits);
    for (const [method, t] of Object.entries(tally)) {
      const into = (overall[method] ??= { hits: { 1: 0, 5: 0, 10: 0 }, count: 0 });
      for (const k of KS) into.hits[k]! += t.hits[k]!;
      into.count += t.count;
    }
    rows.push(...rowsFor(`${repo.name} (${repo.language})`, tally, `${commits.length} commits, ${SPLIT} split, ${((performance.now() - started) / 1000).toFixed(1)} s`));
  }
  if (Object.keys(overall).length > 0) rows.push(...rowsFor("all repositories", overall, `${overall.engine?.count ?? 0} commits, ${SPLIT} split`));
  return rows;
}

function rowsFor(label: string, tally: Tally, note: string): BenchRow[] {
  const mean = (method: string, k: number) => {
    const t = tally[method];
    return t && t.count > 0 ? round(t.hits[k]! / t.count) : 0;
  };
  return KS.map((k) => {
    const engine = mean("engine", k);
    const bm25 = mean("bm25", k);
    return {
      bench: BENCH,
      metric: `${label}: recall@${k}`,
      value: engine,
      unit: "recall",
      baseline: "BM25 over file contents (plain words)",
      baselineValue: bm25,
      ratio: bm25 > 0 ? round(engine / bm25) : undefined,
      note:
        `file-name match ${mean("filename", k)}; BM25 with code-aware terms ${mean("bm25code", k)}; ` +
        `engine without the graph ${mean("nograph", k)}; PageRank from named identifiers and paths alone ${mean("graphonly", k)}; ${note}`,
    };
  });
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

// ---------------------------------------------------------------------------------------------
// Commit sampling

function git(gitDir: string, args: string[]): string {
  return execFileSync("git", [`--git-dir=${gitDir}`, ...args], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
}

/** Which split a commit belongs to: a quarter of all commits, by a hash of the id, is "dev". */
function splitOf(sha: string): "dev" | "test" {
  return parseInt(createHash("sha256").update(sha).digest("hex").slice(0, 2), 16) < 64 ? "dev" : "test";
}

export function sampleCommits(gitDir: string, split: "dev" | "test"): Sampled[] {
  const log = git(gitDir, ["log", "--no-merges", "--no-renames", "--format=%x1e%H %P%x1f%ct%x1f%B%x1f", "--name-status", "HEAD"]);
  const candidates: Sampled[] = [];
  for (const record of log.split("\x1e")) {
    if (record.trim() === "") continue;
    const [head, time, message, changes] = record.split("\x1f");
    const [sha, ...parents] = (head ?? "").trim().split(" ");
    if (!sha || parents.length !== 1 || splitOf(sha) !== split) continue;
    const task = cleanMessage(message ?? "");
    const subject = task.split("\n")[0] ?? "";
    if (NOISE_SUBJECT.test(subject.trim()) || task.split(/\s+/).filter((w) => /[A-Za-z]/.test(w)).length < 3) continue;
    const touched = (changes ?? "").split("\n").filter((l) => /^[AMDT]\t/.test(l));
    if (touched.length === 0 || touched.length > MAX_TOUCHED) continue;
    // The gold set: source files the commit changed that existed before it.
    const gold = touched.filter((l) => /^[MDT]\t/.test(l)).map((l) => l.slice(2)).filter((p) => SOURCE.test(p));
    if (gold.length === 0 || gold.length > MAX_GOLD) continue;
    candidates.push({ sha, parent: parents[0]!, time: Number(time), task, gold });
  }
  // A stable, history-independent sample: order by a hash of the id, keep the first N.
  const key = (s: Sampled) => createHash("sha256").update(`sample:${s.sha}`).digest("hex");
  const picked = candidates.sort((a, b) => (key(a) < key(b) ? -1 : 1)).slice(0, split === "dev" ? Math.ceil(PER_REPO / 2) : PER_REPO);
  // Oldest first, so consecutive trees share most files and the index updates incrementally.
  return picked.sort((a, b) => a.time - b.time);
}

/** The commit message as a user might have written the task: no trailers, PR numbers or links. */
function cleanMessage(message: string): string {
  return message
    .split("\n")
    .filter((line) => !/^\s*(signed-off-by|co-authored-by|reviewed-by|acked-by|change-id|fixes|closes|resolves|ref|refs|see)\b:?/i.test(line))
    .join("\n")
    .replace(/\(#\d+\)/g, "")
    .replace(/https?:\/\/\S+/g, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

// ---------------------------------------------------------------------------------------------
// A read-only Workspace over git objects

/** Reads blobs through one long-running `git cat-file --batch`. */
export class BlobReader {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private readonly waiting: Array<(bytes: Buffer | null) => void> = [];

  constructor(gitDir: string) {
    this.child = spawn("git", [`--git-dir=${gitDir}`, "cat-file", "--batch"]);
    this.child.stdout.on("data", (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
  }

  read(blob: string): Promise<Buffer | null> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin.write(`${blob}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }

  private drain(): void {
    for (;;) {
      const newline = this.buffer.indexOf(10);
      if (newline < 0 || this.waiting.length === 0) return;
      const header = this.buffer.subarray(0, newline).toString();
      if (header.endsWith(" missing")) {
        this.buffer = this.buffer.subarray(newline + 1);
        this.waiting.shift()!(null);
        continue;
      }
      const size = Number(header.split(" ")[2]);
      if (this.buffer.length < newline + 1 + size + 1) return;
      const body = this.buffer.subarray(newline + 1, newline + 1 + size);
      this.buffer = this.buffer.subarray(newline + 1 + size + 1);
      this.waiting.shift()!(Buffer.from(body));
    }
  }
}

export class GitTreeWorkspace implements Workspace {
  private tree = new Map<string, TreeEntry>();
  private readonly texts = new Map<string, string | null>();

  constructor(
    private readonly gitDir: string,
    private readonly root: string,
    private readonly blobs: BlobReader,
  ) {}

  /** Switch to the tree of `commit`; returns it as path → entry. */
  checkout(commit: string): Map<string, TreeEntry> {
    const tree = new Map<string, TreeEntry>();
    for (const line of git(this.gitDir, ["ls-tree", "-r", "-l", "--full-tree", commit]).split("\n")) {
      const match = /^\d+ blob ([0-9a-f]+)\s+(\d+)\t(.+)$/.exec(line);
      if (!match) continue;
      const [, blob, size, rel] = match;
      if (BINARY.test(rel!) || Number(size) > MAX_FILE_BYTES) continue;
      tree.set(rel!, { blob: blob!, bytes: Number(size) });
    }
    this.tree = tree;
    return tree;
  }

  /** The text of a blob, or null for binary content (cached: most blobs recur across commits). */
  async text(blob: string): Promise<string | null> {
    if (this.texts.has(blob)) return this.texts.get(blob)!;
    const bytes = await this.blobs.read(blob);
    const text = bytes && !bytes.subarray(0, 8000).includes(0) ? bytes.toString("utf8") : null;
    this.texts.set(blob, text);
    return text;
  }

  roots(): readonly string[] {
    return [this.root];
  }
  async grant() {
    return refuse("The benchmark's workspace is fixed.");
  }
  revoke() {
    return refuse("The benchmark's workspace is fixed.");
  }
  onRootsChanged(): () => void {
    return () => {};
  }
  contains(abs: string): boolean {
    return abs.startsWith(`${this.root}/`);
  }
  async locate(pathOrUri: string) {
    const rel = pathOrUri.startsWith(`${this.root}/`) ? pathOrUri.slice(this.root.length + 1) : pathOrUri;
    return this.tree.has(rel) ? { ok: true as const, abs: `${this.root}/${rel}`, root: this.root, rel } : refuse(`${pathOrUri} is not in the tree.`);
  }
  async read(pathOrUri: string): Promise<ReadResult> {
    const located = await this.locate(pathOrUri);
    if (!located.ok) return located;
    const entry = this.tree.get(located.rel)!;
    const text = await this.text(entry.blob);
    if (text === null) return { ok: false, reason: "binary", abs: located.abs, root: located.root, rel: located.rel, skipped: "binary" };
    return { ok: true, file: { ...located, text, hash: entry.blob, bytes: entry.bytes, mtimeMs: pseudoMtime(entry.blob) } };
  }
  async list(): Promise<ListedFile[]> {
    return [...this.tree].map(([rel, entry]) => ({ abs: `${this.root}/${rel}`, root: this.root, rel, bytes: entry.bytes, mtimeMs: pseudoMtime(entry.blob) }));
  }
  async commit() {
    return refuse("The benchmark's workspace is read-only.");
  }
  watch(): () => void {
    return () => {};
  }
}

/** A stand-in modification time that changes exactly when the content does. */
function pseudoMtime(blob: string): number {
  return parseInt(blob.slice(0, 12), 16);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

async function evaluate(repo: RepoSpec, commits: Sampled[]): Promise<Tally> {
  const blobs = new BlobReader(repo.gitDir);
  const root = `/bench/${repo.name}`;
  const workspace = new GitTreeWorkspace(repo.gitDir, root, blobs);
  const engine = createContextEngine({ workspace });
  const plain = new IncrementalBaseline(plainWords);
  const code = new IncrementalBaseline(codeTerms);
  const tally: Tally = {};
  const note = (method: string, ranking: string[], gold: string[]) => {
    const t = (tally[method] ??= { hits: { 1: 0, 5: 0, 10: 0 }, count: 0 });
    for (const k of KS) t.hits[k]! += gold.filter((g) => ranking.slice(0, k).includes(g)).length / gold.length;
    t.count++;
  };
  try {
    for (const commit of commits) {
      const tree = workspace.checkout(commit.parent);
      const gold = commit.gold.filter((g) => tree.has(g));
      if (gold.length === 0) continue;
      const built = await engine.build({ task: commit.task, budgetTokens: 1024 });
      note("engine", built.files.map((f) => f.path), gold);
      // Ablations on the same index: the words alone (no reference graph), and the graph alone
      // (PageRank seeded only by identifiers and paths the task names, no word search).
      const query = { task: commit.task, budgetTokens: 1024 };
      note("nograph", (await engine.rank(query, { ...DEFAULT_WEIGHTS, pageRank: 0, prior: 0 })).map((f) => f.path), gold);
      note("graphonly", (await engine.rank(query, { ...DEFAULT_WEIGHTS, content: 0, path: 0, defs: 0, companion: 0 })).map((f) => f.path), gold);
      await plain.update(tree, workspace);
      await code.update(tree, workspace);
      note("bm25", plain.rank(commit.task), gold);
      note("bm25code", code.rank(commit.task), gold);
      note("filename", fileNameRanking(commit.task, [...tree.keys()]), gold);
    }
  } finally {
    engine.dispose();
    blobs.close();
  }
  return tally;
}

/** A one-field BM25 index over file contents, kept in step with the tree like the engine's. */
export class IncrementalBaseline {
  private readonly index = new Bm25Index([{ name: "content", b: 0.75 }]);
  private readonly blobs = new Map<string, string>();

  constructor(private readonly terms: (text: string) => Map<string, number>) {}

  async update(tree: Map<string, TreeEntry>, workspace: GitTreeWorkspace): Promise<void> {
    for (const rel of [...this.blobs.keys()]) {
      if (!tree.has(rel)) {
        this.blobs.delete(rel);
        this.index.delete(rel);
      }
    }
    for (const [rel, entry] of tree) {
      if (this.blobs.get(rel) === entry.blob) continue;
      this.blobs.set(rel, entry.blob);
      const text = await workspace.text(entry.blob);
      if (text === null) this.index.delete(rel);
      else this.index.set(rel, [this.terms(text)]);
    }
  }

  rank(task: string): string[] {
    return [...this.index.search(this.terms(task))].sort((a, b) => b[1][0]! - a[1][0]! || (a[0] < b[0] ? -1 : 1)).map(([rel]) => rel);
  }
}

/** Classic BM25 tokens: lower-cased runs of letters, digits and underscores. */
export function plainWords(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[a-z0-9_]+/g) ?? []) {
    if (word.length < 2) continue;
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** The engine's own content terms (identifiers split, stemmed, stop words dropped). */
export function codeTerms(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  addTerms(text, counts);
  return counts;
}

/** File-name match: the task's words against each path's file name (weighted) and folders. */
export function fileNameRanking(task: string, paths: string[]): string[] {
  const words = codeTerms(task);
  const lowerTask = task.toLowerCase();
  const scored: Array<[string, number]> = [];
  for (const rel of paths) {
    const base = rel.slice(rel.lastIndexOf("/") + 1);
    const baseTerms = pathTerms(base);
    const dirTerms = pathTerms(rel.slice(0, Math.max(rel.lastIndexOf("/"), 0)));
    let score = lowerTask.includes(base.toLowerCase()) ? 3 : 0;
    for (const term of baseTerms.keys()) if (words.has(term)) score += 2;
    for (const term of dirTerms.keys()) if (words.has(term)) score += 1;
    if (score > 0) scored.push([rel, score]);
  }
  scored.sort((a, b) => b[1] - a[1] || a[0].length - b[0].length || (a[0] < b[0] ? -1 : 1));
  return scored.map(([rel]) => rel);
}
