/**
 * The diff tab builds the proposed text in Lua from Burrow's unified diff. This checks that, for
 * diffs made by the edit engine itself (buildChangeset), the Lua side shows exactly the engine's
 * proposed text for every file and pairs every hunk with the right id: edits anywhere in a file,
 * new and deleted files, empty files, files without a final newline and CRLF files.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildChangeset } from "../../server/src/agent/edit/changeset.js";
import type { ProposedFile } from "../../server/src/agent/edit/types.js";
import { explain, makeSandbox, runNvim, type NvimRun, type Sandbox } from "./harness.js";

// A small deterministic generator, so a failure names a case that can be reproduced.
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return { int: (n: number) => Math.floor(next() * n), chance: (p: number) => next() < p };
}

function randomText(g: ReturnType<typeof generator>, lines: number): string[] {
  return Array.from({ length: lines }, () => (g.chance(0.15) ? "" : `line ${g.int(12)} ${"x".repeat(g.int(3))}`));
}

function mutate(g: ReturnType<typeof generator>, before: string[]): string[] {
  const after = [...before];
  const edits = 1 + g.int(4);
  for (let i = 0; i < edits; i++) {
    const at = g.int(after.length + 1);
    const kind = g.int(3);
    if (kind === 0 && after.length > 0) after.splice(Math.min(at, after.length - 1), 1 + g.int(2));
    else if (kind === 1) after.splice(at, 0, ...randomText(g, 1 + g.int(3)));
    else if (after.length > 0) after[Math.min(at, after.length - 1)] = `changed ${g.int(100)}`;
  }
  return after;
}

function join_(lines: string[], eol: string, finalNewline: boolean): string {
  if (lines.length === 0) return "";
  return lines.join(eol) + (finalNewline ? eol : "");
}

/** The lines Neovim shows for a text (no carriage returns, no empty line after the final newline). */
function shownLines(text: string | null): string[] {
  if (text === null || text === "") return [];
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

interface Case {
  name: string;
  taskId: string;
  files: ProposedFile[];
}

function makeCases(): Case[] {
  const cases: Case[] = [];
  for (let seed = 1; seed <= 120; seed++) {
    const g = generator(seed);
    const files: ProposedFile[] = [];
    const count = 1 + g.int(3);
    for (let f = 0; f < count; f++) {
      const eol = g.chance(0.2) ? "\r\n" : "\n";
      const finalNewline = !g.chance(0.2);
      const kind = g.int(10);
      const before = randomText(g, g.int(30));
      const path = `dir${f}/file${seed}_${f}.txt`;
      if (kind === 0) files.push({ path, before: null, after: join_(randomText(g, g.int(6)), eol, finalNewline), tiers: ["new-file"] });
      else if (kind === 1) files.push({ path, before: join_(before, eol, finalNewline), after: null, tiers: ["delete"] });
      else {
        const after = mutate(g, before);
        const beforeText = join_(before, eol, finalNewline);
        const afterText = join_(after, eol, g.chance(0.9) ? finalNewline : !finalNewline);
        if (beforeText === afterText) continue;
        files.push({ path, before: beforeText, after: afterText, tiers: ["whole-file"] });
      }
    }
    if (files.length > 0) cases.push({ name: `seed ${seed}`, taskId: String(seed), files });
  }
  return cases;
}

let sandbox: Sandbox;
let run: NvimRun;
const cases = makeCases();

beforeAll(async () => {
  sandbox = makeSandbox({});
  const payload = cases.map((c) => {
    const changeset = buildChangeset(c.files);
    const dir = join(sandbox.workspace, `case${c.taskId}`);
    for (const file of c.files) if (file.before !== null) sandbox.write(`case${c.taskId}/${file.path}`, file.before);
    return {
      name: c.name,
      taskId: c.taskId,
      diff: changeset.diff,
      changes: changeset.hunks.map((h) => ({ ...h, uri: pathToFileURL(join(dir, h.path)).href })),
    };
  });
  const casesPath = join(sandbox.dir, "cases.json");
  writeFileSync(casesPath, JSON.stringify(payload));
  run = await runNvim({ sandbox, script: "review_build.lua", params: { cases_path: casesPath }, setup: { autostart: false } });
});

afterAll(() => sandbox.remove());

describe("diff tab model built in Lua from the edit engine's diff", () => {
  it("runs in Neovim", () => {
    expect(run.code, explain(run)).toBe(0);
    expect(run.result!.cases).toHaveLength(cases.length);
  });

  it.each(cases.map((c, i) => [c.name, i] as const))("%s: same proposed text and hunk ids as the engine", (_name, index) => {
    const c = cases[index]!;
    const got = run.result!.cases[index];
    const changeset = buildChangeset(c.files);
    expect(got.warnings).toEqual([]);
    const byPath = new Map<string, any>(got.files.map((f: any) => [f.path, f]));
    for (const file of changeset.files) {
      const shown = byPath.get(file.path);
      expect(shown, `${file.path} missing from the tab`).toBeDefined();
      expect(shown.old ?? []).toEqual(shownLines(file.before));
      expect(shown.new ?? []).toEqual(shownLines(file.after));
      expect(shown.ids).toEqual(changeset.hunks.filter((h) => h.path === file.path).map((h) => h.hunkId));
    }
  });
});
