/**
 * What the edit engine costs on a large file: parsing a model answer of 50 SEARCH/REPLACE blocks,
 * placing every block in a generated 1 MB source file (most exactly, some by the trailing-space and
 * indentation tiers, as small models write them) and building the unified diff and hunks, against
 * the time to simply read that file from disk and split it into lines, measured in the same run.
 * A second row times the editor edits (`lineEdits`) for the same change against the same baseline.
 * Each figure is the median of several runs after a warm-up.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { applyEdits, buildChangeset, lineEdits, parseEdits } from "../server/src/agent/edit/index.js";
import { median, ratio } from "./support/stats.js";
import type { BenchRow } from "./types.js";

const BENCH = "edit engine";
const TARGET_BYTES = 1024 * 1024;
const BLOCKS = 50;
const WARMUP = 2;
const RUNS = 9;

/** A TypeScript-like file of numbered functions, each unique, about TARGET_BYTES long. */
function generateSource(): { text: string; functions: number } {
  const parts: string[] = [];
  let bytes = 0;
  let n = 0;
  while (bytes < TARGET_BYTES) {
    const fn =
      `export function compute${n}(input: number[], options: Options = defaults): Result {\n` +
      `  const scaled = input.map((value) => value * options.scale + ${n});\n` +
      `  if (scaled.length === 0) {\n` +
      `    return { total: 0, label: "empty-${n}" };\n` +
      `  }\n` +
      `  const total = scaled.reduce((sum, value) => sum + value, 0);\n` +
      `  return { total, label: "compute-${n}" };\n` +
      `}\n\n`;
    parts.push(fn);
    bytes += fn.length;
    n++;
  }
  return { text: parts.join(""), functions: n };
}

/** Fifty blocks spread over the file: 40 copied exactly, 5 with trailing spaces, 5 without indentation. */
function generateAnswer(functions: number): string {
  const out: string[] = ["I made the requested changes.", ""];
  for (let b = 0; b < BLOCKS; b++) {
    const n = Math.floor(((b + 0.5) * functions) / BLOCKS);
    let search = [`  if (scaled.length === 0) {`, `    return { total: 0, label: "empty-${n}" };`, `  }`];
    let replace = [`  if (scaled.length === 0) {`, `    return { total: 0, label: "nothing-${n}" };`, `  }`];
    if (b % 10 === 8) search = search.map((line) => line + "  ");
    if (b % 10 === 9) {
      search = search.map((line) => line.slice(2));
      replace = replace.map((line) => line.slice(2));
    }
    out.push("src/big.ts", "```ts", "<<<<<<< SEARCH", ...search, "=======", ...replace, ">>>>>>> REPLACE", "```", "");
  }
  return out.join("\n");
}

/** Collect garbage before a timed run when the runner allows it (`--expose-gc`), so one run's litter is not billed to the next. */
function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function timeIt(work: () => void): number {
  for (let i = 0; i < WARMUP; i++) work();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    collect();
    const start = performance.now();
    work();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

async function timeAsync(work: () => Promise<void>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    collect();
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "burrow-bench-edit-"));
  try {
    const { text, functions } = generateSource();
    const file = path.join(dir, "big.ts");
    await writeFile(file, text);
    const answer = generateAnswer(functions);
    const files = [{ path: "src/big.ts", text }];

    // Check once that the work measured is the work meant: every block placed, one hunk each.
    const parsed = parseEdits(answer, files);
    if (!parsed.ok) throw new Error(`The generated answer did not parse: ${parsed.reason}`);
    const applied = applyEdits(files, parsed.blocks);
    if (!applied.ok) throw new Error(`The generated answer did not apply: ${applied.message}`);
    const after = applied.files[0]!.after!;
    const hunks = buildChangeset(applied.files).hunks.length;
    if (parsed.blocks.length !== BLOCKS || hunks !== BLOCKS) {
      throw new Error(`Expected ${BLOCKS} blocks and hunks, got ${parsed.blocks.length} blocks and ${hunks} hunks.`);
    }

    const baseline = await timeAsync(async () => {
      const read = await readFile(file, "utf8");
      if (read.split("\n").length < 2) throw new Error("The generated file is empty.");
    });
    const engine = timeIt(() => {
      const p = parseEdits(answer, files);
      if (!p.ok) throw new Error(p.reason);
      const a = applyEdits(files, p.blocks);
      if (!a.ok) throw new Error(a.message);
      buildChangeset(a.files);
    });
    const edits = timeIt(() => {
      if (lineEdits(text, after).length !== BLOCKS) throw new Error("lineEdits did not find the 50 changes.");
    });

    const size = `${(text.length / TARGET_BYTES).toFixed(2)} MB file (${text.split("\n").length} lines)`;
    const baselineText = "read the file from disk and split it into lines";
    return [
      {
        bench: BENCH,
        metric: `parse + match + diff, ${size}, ${BLOCKS} SEARCH/REPLACE blocks (40 exact, 5 trailing-space, 5 indentation)`,
        value: engine,
        unit: "ms",
        baseline: baselineText,
        baselineValue: baseline,
        ratio: ratio(engine, baseline),
        note: `median of ${RUNS} runs after ${WARMUP} warm-up runs`,
      },
      {
        bench: BENCH,
        metric: `line edits for the editor, same file and ${BLOCKS} changes`,
        value: edits,
        unit: "ms",
        baseline: baselineText,
        baselineValue: baseline,
        ratio: ratio(edits, baseline),
        note: `median of ${RUNS} runs after ${WARMUP} warm-up runs`,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
