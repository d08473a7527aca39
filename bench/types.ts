/**
 * The row every benchmark reports. Figures are never asserted on: each is printed next to a
 * baseline measured in the same run on the same machine, and the ratio is what we compare over time.
 */
export interface BenchRow {
  /** The benchmark file's subject, e.g. "edit engine". */
  bench: string;
  /** What was measured, e.g. "parse+match+diff, 1 MB file, 50 blocks". */
  metric: string;
  value: number;
  unit: string;
  /** What the figure is compared with, e.g. "read and split the file". */
  baseline?: string;
  baselineValue?: number;
  /** value / baselineValue (or the inverse where the text says so). */
  ratio?: number;
  target?: string;
  note?: string;
}

/** Each bench/<name>.bench.ts exports this; bench/run.ts runs them all, prints a table, writes JSON. */
export type BenchModule = { run(): Promise<BenchRow[]> };
