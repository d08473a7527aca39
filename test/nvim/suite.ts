/**
 * The plugin's specs on one Neovim version: one vitest test per spec file, each a fresh Neovim. A
 * spec may leave a test pending only where the feature does not exist on that version, and must say
 * so ("needs Neovim X: why"); anything else pending, failing or missing fails here.
 */
import { afterAll, describe, expect, it } from "vitest";
import { explain, runSpec, specFiles, type Neovim, type SpecResult } from "./harness.js";
import { specData } from "./spec-data.js";

export function defineNeovimSuite(nvim: Neovim): void {
  const all: SpecResult[] = [];
  describe(`${nvim.version}: clients/nvim/tests`, () => {
    afterAll(() => {
      const count = (status: SpecResult["status"]) => all.filter((t) => t.status === status).length;
      // One line for the run's log: what was tested on this version.
      process.stderr.write(`[nvim] ${nvim.version}: ${count("success")} passed, ${count("failure") + count("error")} failed, ${count("pending")} pending\n`);
    });

    // A whole spec file per test: several tasks against the real server, each a few seconds.
    it.each(specFiles())("%s", async (spec) => {
      const run = await runSpec(nvim, spec, specData(spec));
      all.push(...run.tests);
      expect(run.tests.filter((t) => t.status === "failure" || t.status === "error"), explain(run)).toEqual([]);
      expect(run.code, explain(run)).toBe(0);
      expect(run.tests.length, explain(run)).toBeGreaterThan(0);
      for (const t of run.tests.filter((x) => x.status === "pending")) expect(t.message, t.name).toMatch(/^needs Neovim \d+\.\d+: \S/);
    }, 240_000);
  });
}
