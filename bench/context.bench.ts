/**
 * What the context engine costs on large trees, each figure next to a baseline measured in the
 * same run on the same files: listing the tree and reading every file through the sandbox, which
 * is the least any indexer must do once.
 *
 * Trees: a generated project of 10,000 TypeScript modules that import each other
 * (bench/support/workspace.ts), and a copy of this repository's installed node_modules, a real
 * mixture of JavaScript, TypeScript declarations, JSON and prose. For each tree:
 * - cold build: a new engine with an empty cache indexes everything and answers one task;
 * - memory held by the index after the cold build, against the bytes of text it read;
 * - restart build: a new engine over the cache the first one saved (manifest plus parse cache);
 * - warm build with nothing changed, against listing the tree alone;
 * - incremental build after one file changes (reported through `noteChange`);
 * - `noteChange` itself, which runs on every keystroke.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createContextEngine } from "../server/src/agent/context/index.js";
import { createStateStore, createWorkspace } from "../server/src/agent/sandbox/index.js";
import { generateWorkspace } from "./support/workspace.js";
import type { BenchRow } from "./types.js";

const BENCH = "context";
const GENERATED_FILES = 10_000;
const BUDGET = 2048;
const NOTE_CHANGE_CALLS = 100_000;
const WARM_RUNS = 5;
const INCREMENTAL_RUNS = 3;
const MB = 2 ** 20;
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

interface Tree {
  label: string;
  root: string;
  /** A file to change for the incremental build, relative to the root, and a task about it. */
  changeRel: string;
  task: string;
  remove(): void;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const generated = await generateWorkspace(GENERATED_FILES, "burrow-bench-context-");
  const trees: Tree[] = [
    {
      label: `generated ${GENERATED_FILES} files`,
      root: generated.root,
      changeRel: generated.files[4321]!,
      task: "compute4321 returns the wrong total for negative input",
      remove: () => void generated.remove(),
    },
  ];
  const copy = mkdtempSync(path.join(os.tmpdir(), "burrow-bench-context-nm-"));
  try {
    cpSync(path.join(REPO, "node_modules"), path.join(copy, "tree"), { recursive: true, verbatimSymlinks: true });
    trees.push({
      label: "node_modules copy",
      root: path.join(copy, "tree"),
      changeRel: "vscode-languageserver/lib/common/server.js",
      task: "createConnection should accept a watchdog option",
      remove: () => rmSync(copy, { recursive: true, force: true }),
    });
  } catch (err) {
    process.stderr.write(`bench context: could not copy node_modules (${err instanceof Error ? err.message : String(err)}); measuring the generated tree only.\n`);
    rmSync(copy, { recursive: true, force: true });
  }
  for (const tree of trees) {
    try {
      rows.push(...(await measure(tree)));
    } finally {
      tree.remove();
    }
  }
  return rows;
}

async function measure(tree: Tree): Promise<BenchRow[]> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "burrow-bench-context-state-"));
  const state = createStateStore(stateDir);
  const workspace = await createWorkspace({ roots: [tree.root], state, env: { HOME: stateDir } });
  const row = (metric: string, value: number, unit: string, extra: Partial<BenchRow> = {}): BenchRow => ({
    bench: BENCH,
    metric: `${tree.label}: ${metric}`,
    value: round(value),
    unit,
    ...extra,
    ratio: extra.baselineValue ? round(value / extra.baselineValue) : undefined,
  });
  try {
    // Baseline: list the tree and read every file the model may see, as any indexer must once.
    await workspace.list();
    const baselineStart = performance.now();
    const listed = await workspace.list();
    let textBytes = 0;
    let readable = 0;
    for (let i = 0; i < listed.length; i += 16) {
      const results = await Promise.all(listed.slice(i, i + 16).map((f) => workspace.read(f.abs)));
      for (const r of results) if (r.ok) (textBytes += r.file.bytes), readable++;
    }
    const listAndRead = performance.now() - baselineStart;
    const listStart = performance.now();
    await workspace.list();
    const listOnly = performance.now() - listStart;

    // Cold: empty cache.
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const cold = createContextEngine({ workspace, state });
    const coldStart = performance.now();
    const coldResult = await cold.build({ task: tree.task, budgetTokens: BUDGET });
    const coldMs = performance.now() - coldStart;
    gc();
    const heldBytes = process.memoryUsage().heapUsed - heapBefore;
    const rss = process.memoryUsage().rss;
    await cold.flush();

    // Warm, nothing changed (median of several builds).
    const warmSamples: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      const warmStart = performance.now();
      await cold.build({ task: tree.task, budgetTokens: BUDGET });
      warmSamples.push(performance.now() - warmStart);
    }
    const warmMs = median(warmSamples);

    // One file changes and the editor says so (median over several edits).
    const changeAbs = path.join(workspace.roots()[0]!, tree.changeRel);
    const original = readFileSync(changeAbs, "utf8");
    const incrementalSamples: number[] = [];
    let incremental = coldResult;
    for (let i = 0; i < INCREMENTAL_RUNS; i++) {
      writeFileSync(changeAbs, `${original}\nexport const benchmarkEdit${i} = ${i};\n`);
      cold.noteChange(changeAbs);
      const incrementalStart = performance.now();
      incremental = await cold.build({ task: tree.task, budgetTokens: BUDGET });
      incrementalSamples.push(performance.now() - incrementalStart);
    }
    const incrementalMs = median(incrementalSamples);

    // noteChange on every keystroke.
    const noteStart = process.hrtime.bigint();
    for (let i = 0; i < NOTE_CHANGE_CALLS; i++) cold.noteChange(changeAbs, "x");
    const noteMicros = Number(process.hrtime.bigint() - noteStart) / 1000 / NOTE_CHANGE_CALLS;
    cold.noteChange(changeAbs);
    await cold.refresh();
    cold.dispose();

    // Restart: a new engine over the saved manifest and parse cache.
    const restarted = createContextEngine({ workspace, state });
    const restartStart = performance.now();
    await restarted.build({ task: tree.task, budgetTokens: BUDGET });
    const restartMs = performance.now() - restartStart;
    const restartStats = await restarted.refresh();
    restarted.dispose();

    const files = `${readable} readable of ${listed.length} listed files, ${(textBytes / MB).toFixed(1)} MB of text`;
    return [
      row("cold build (index + rank + map)", coldMs, "ms", {
        baseline: "list and read every file",
        baselineValue: round(listAndRead),
        note: `${files}; first file ${coldResult.files[0]?.path ?? "none"}`,
      }),
      row("index memory after cold build", heldBytes / MB, "MB", {
        baseline: "bytes of text read",
        baselineValue: round(textBytes / MB),
        note: `process RSS ${(rss / MB).toFixed(0)} MB`,
      }),
      row("restart build (manifest + parse cache)", restartMs, "ms", {
        baseline: "list and read every file",
        baselineValue: round(listAndRead),
        note: `after restart the refresh read ${restartStats.read} files`,
      }),
      row("warm build, nothing changed (median of 5)", warmMs, "ms", { baseline: "list the tree", baselineValue: round(listOnly) }),
      row("incremental build after one file changed (median of 3)", incrementalMs, "ms", {
        baseline: "list and read every file",
        baselineValue: round(listAndRead),
        note: `first file ${incremental.files[0]?.path ?? "none"}; list alone ${round(listOnly)} ms`,
      }),
      row("noteChange per call", noteMicros, "µs", { target: "< 10 µs (it runs on every keystroke)" }),
    ];
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

