/**
 * The benchmark runner under faults of its own: a benchmark that throws, one that exports no
 * `run()`, one that returns something other than rows. The others must still run, the table and
 * the results file must hold what did run, and the exit code must say that something failed.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatNumber, formatTable, main, parseArgs, type BenchReport } from "../../bench/run.js";

let dir: string;

const modules: Record<string, string> = {
  "alpha.bench.ts": `export async function run() {
  return [{ bench: "alpha", metric: "latency", value: 12.3456, unit: "ms", baseline: "bare", baselineValue: 10, ratio: 1.23456, target: "≤ 1.5×", note: "a note" }];
}`,
  "broken.bench.ts": `export async function run() { throw new Error("the fixture broke on purpose"); }`,
  "noexport.bench.ts": `export const nothing = 1;`,
  "notrows.bench.ts": `export async function run() { return "not rows"; }`,
  "zeta.bench.ts": `export async function run() { return [{ bench: "zeta", metric: "size", value: 123456.7, unit: "B" }]; }`,
  "helper.ts": `export const notABenchmark = true;`,
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "burrow-bench-runner-"));
  for (const [name, text] of Object.entries(modules)) await writeFile(path.join(dir, name), `${text}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runIn(argv: string[]): Promise<{ code: number; out: string; err: string; results: string }> {
  let out = "";
  let err = "";
  const results = path.join(dir, "results", `${argv.join("_") || "all"}.json`);
  const code = await main(argv, { dir, resultsFile: results, stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err, results };
}

describe("bench/run.ts", () => {
  it("runs every module, reports each failure, keeps the others' rows, and exits 1", async () => {
    const { code, out, err, results } = await runIn([]);
    expect(code).toBe(1);
    expect(err).toContain("the fixture broke on purpose");
    expect(err).toContain("does not export a run() function");
    expect(err).toContain("did not return an array of rows");
    expect(out).toMatch(/alpha\s+latency\s+12\.35\s+ms\s+bare = 10\.00\s+1\.235×\s+≤ 1\.5×/);
    expect(out).toMatch(/zeta\s+size\s+123457\s+B/);
    expect(out).toContain("FAILED: broken");
    const report = JSON.parse(await readFile(results, "utf8")) as BenchReport;
    expect(report.modules.map((m) => [m.name, m.ok])).toEqual([
      ["alpha", true],
      ["broken", false],
      ["noexport", false],
      ["notrows", false],
      ["zeta", true],
    ]);
    expect(report.rows.map((r) => r.bench)).toEqual(["alpha", "zeta"]);
    expect(report.machine.cpus).toBeGreaterThan(0);
  });

  it.each([
    { argv: ["--only", "zeta"], code: 0, ran: ["zeta"] },
    { argv: ["--only=alpha,zeta"], code: 0, ran: ["alpha", "zeta"] },
    { argv: ["--only", "alpha.bench.ts", "--only", "broken"], code: 1, ran: ["alpha", "broken"] },
  ])("--only filters: $argv", async ({ argv, code, ran }) => {
    const result = await runIn(argv);
    expect(result.code).toBe(code);
    const report = JSON.parse(await readFile(result.results, "utf8")) as BenchReport;
    expect(report.modules.map((m) => m.name)).toEqual(ran);
  });

  it.each([
    { argv: ["--only", "nope"], message: 'No benchmark named "nope". Available: alpha, broken, noexport, notrows, zeta.' },
    { argv: ["--only"], message: "--only needs a benchmark name" },
    { argv: ["--fast"], message: 'Unknown argument "--fast"' },
  ])("usage errors exit 2: $argv", async ({ argv, message }) => {
    const result = await runIn(argv);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });

  it("formats numbers to about four significant figures", () => {
    expect([0, 0.000123456, 1.23456, 12.3456, 123.456, 123456.7, undefined].map(formatNumber)).toEqual([
      "0",
      "0.000123",
      "1.235",
      "12.35",
      "123.5",
      "123457",
      "",
    ]);
  });

  it("prints notes under the table, numbered by row", () => {
    const table = formatTable([
      { bench: "b", metric: "m1", value: 1, unit: "ms" },
      { bench: "b", metric: "m2", value: 2, unit: "ms", note: "measured twice" },
    ]);
    expect(table).toContain("[2] b / m2: measured twice");
  });

  it("parses arguments", () => {
    expect(parseArgs([])).toEqual({ ok: true, only: [] });
    expect(parseArgs(["--only", "a, b", "--only=c"])).toEqual({ ok: true, only: ["a", "b", "c"] });
  });
});
