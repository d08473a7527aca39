/**
 * The benchmark runner behind `npm run bench`. It finds every bench/<name>.bench.ts, runs each
 * module's `run()` one after another (never in parallel, so one benchmark's load does not distort
 * another's figures), prints one table of every row with its baseline and ratio, and writes the
 * same rows with the machine's description to bench/results/latest.json. A module that throws is
 * reported and the others still run; the exit code says whether any failed.
 *
 * Usage: node --expose-gc --import tsx bench/run.ts [--only NAME[,NAME…]]…
 * NAME is the file name without `.bench.ts` (e.g. `server` for bench/server.bench.ts).
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchModule, BenchRow } from "./types.js";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const resultsFile = path.join(benchDir, "results", "latest.json");
const suffix = ".bench.ts";

/** What happened to one benchmark module, as written to the results file. */
export interface ModuleResult {
  name: string;
  file: string;
  ok: boolean;
  durationMs: number;
  rows: BenchRow[];
  error?: string;
}

/** The whole results file. */
export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: { node: string; platform: string; arch: string; cpus: number; cpuModel: string; memoryMB: number };
  modules: ModuleResult[];
  rows: BenchRow[];
}

/** Parse the command line; `only` is empty when every module should run. */
export function parseArgs(argv: string[]): { ok: true; only: string[] } | { ok: false; reason: string } {
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--only") {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) return { ok: false, reason: "--only needs a benchmark name, e.g. --only server." };
      only.push(...splitNames(value));
      i++;
    } else if (arg.startsWith("--only=")) {
      only.push(...splitNames(arg.slice("--only=".length)));
    } else {
      return { ok: false, reason: `Unknown argument "${arg}". Usage: bench/run.ts [--only NAME[,NAME…]]` };
    }
  }
  return { ok: true, only };
}

function splitNames(value: string): string[] {
  return value
    .split(",")
    .map((name) => name.trim().replace(/\.bench\.ts$/, ""))
    .filter((name) => name.length > 0);
}

/** The benchmark modules in bench/, by name, sorted so runs are comparable. */
export async function discoverModules(dir: string = benchDir): Promise<{ name: string; file: string }[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => ({ name: entry.name.slice(0, -suffix.length), file: path.join(dir, entry.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Import one module and run it, turning any failure (a bad export, a throw) into a result. */
export async function runModule(name: string, file: string): Promise<ModuleResult> {
  const started = performance.now();
  try {
    const mod = (await import(pathToFileURL(file).href)) as Partial<BenchModule>;
    if (typeof mod.run !== "function") {
      throw new Error(`${path.basename(file)} does not export a run() function (see bench/types.ts).`);
    }
    const rows = await mod.run();
    if (!Array.isArray(rows)) throw new Error(`${path.basename(file)}'s run() did not return an array of rows.`);
    return { name, file, ok: true, durationMs: performance.now() - started, rows };
  } catch (err) {
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    return { name, file, ok: false, durationMs: performance.now() - started, rows: [], error };
  }
}

/** A number printed with about four significant figures, without exponent noise for large ones. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined || value === null) return "";
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs === 0) return "0";
  if (abs >= 1000) return Math.round(value).toString();
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 10) return value.toFixed(2);
  if (abs >= 1) return value.toFixed(3);
  return value.toPrecision(3);
}

/** One plain-text table of every row; wide cells are kept whole so nothing is lost. */
export function formatTable(rows: BenchRow[]): string {
  const header = ["bench", "metric", "value", "unit", "baseline", "ratio", "target"];
  const body = rows.map((row) => [
    row.bench,
    row.metric,
    formatNumber(row.value),
    row.unit,
    row.baseline === undefined
      ? ""
      : row.baselineValue === undefined
        ? row.baseline
        : `${row.baseline} = ${formatNumber(row.baselineValue)}`,
    row.ratio === undefined ? "" : `${formatNumber(row.ratio)}×`,
    row.target ?? "",
  ]);
  const widths = header.map((title, col) => Math.max(title.length, ...body.map((cells) => cells[col]!.length)));
  const numeric = new Set([2, 5]);
  const line = (cells: string[]) =>
    cells
      .map((cell, col) => (numeric.has(col) ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const notes = rows
    .map((row, index) => (row.note ? `  [${index + 1}] ${row.bench} / ${row.metric}: ${row.note}` : ""))
    .filter((note) => note.length > 0);
  return [line(header), rule, ...body.map(line), ...(notes.length > 0 ? ["", "Notes:", ...notes] : [])].join("\n");
}

/** Where the runner looks and writes; the defaults are bench/ and bench/results/latest.json. */
export interface RunnerOptions {
  dir?: string;
  resultsFile?: string;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

export async function main(argv: string[], options: RunnerOptions = {}): Promise<number> {
  const out = options.stdout ?? ((text: string) => void process.stdout.write(text));
  const err = options.stderr ?? ((text: string) => void process.stderr.write(text));
  const target = options.resultsFile ?? resultsFile;
  const args = parseArgs(argv);
  if (!args.ok) {
    err(`${args.reason}\n`);
    return 2;
  }
  const all = await discoverModules(options.dir ?? benchDir);
  const unknown = args.only.filter((name) => !all.some((mod) => mod.name === name));
  if (unknown.length > 0) {
    err(`No benchmark named ${unknown.map((n) => `"${n}"`).join(", ")}. Available: ${all.map((m) => m.name).join(", ")}.\n`);
    return 2;
  }
  const selected = args.only.length === 0 ? all : all.filter((mod) => args.only.includes(mod.name));
  const startedAt = new Date().toISOString();
  const modules: ModuleResult[] = [];
  for (const mod of selected) {
    err(`bench: running ${mod.name}…\n`);
    const result = await runModule(mod.name, mod.file);
    if (result.ok) {
      err(`bench: ${mod.name} done in ${(result.durationMs / 1000).toFixed(1)} s (${result.rows.length} rows)\n`);
    } else {
      err(`bench: ${mod.name} FAILED after ${(result.durationMs / 1000).toFixed(1)} s\n${result.error}\n`);
    }
    modules.push(result);
  }
  const rows = modules.flatMap((mod) => mod.rows);
  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryMB: Math.round(os.totalmem() / 2 ** 20),
    },
    modules,
    rows,
  };
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, `${JSON.stringify(report, null, 2)}\n`);

  out(`${formatTable(rows)}\n\n`);
  const failed = modules.filter((mod) => !mod.ok);
  for (const mod of failed) out(`FAILED: ${mod.name} (${firstLine(mod.error)})\n`);
  out(`Results written to ${path.relative(process.cwd(), target) || target}.\n`);
  return failed.length > 0 ? 1 : 0;
}

function firstLine(text: string | undefined): string {
  return (text ?? "").split("\n")[0] ?? "";
}

// Run only when started as a script, so the helpers above can be imported by a test.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Exit explicitly: a benchmark that leaves a handle open (a child it failed to reap) must not keep
  // the runner alive after the results are written. Writes to pipes and files are synchronous on Linux.
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
