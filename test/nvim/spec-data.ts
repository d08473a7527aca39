/**
 * Data some specs compare the plugin against, made by the server's own code at test time so it can
 * never drift from it: the edit engine's changesets, with the text each file must show, for the
 * diff tab's review model (review_model_spec.lua), and the error codes the server can send
 * (errors_spec.lua). Keyed by spec file.
 */
import { pathToFileURL } from "node:url";
import { buildChangeset } from "../../server/src/agent/edit/changeset.js";
import { ERROR_CODES } from "../../server/src/protocol/errors.js";
import type { ProposedFile } from "../../server/src/agent/edit/types.js";

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
  for (let i = 0, edits = 1 + g.int(4); i < edits; i++) {
    const at = g.int(after.length + 1);
    const kind = g.int(3);
    if (kind === 0 && after.length > 0) after.splice(Math.min(at, after.length - 1), 1 + g.int(2));
    else if (kind === 1) after.splice(at, 0, ...randomText(g, 1 + g.int(3)));
    else if (after.length > 0) after[Math.min(at, after.length - 1)] = `changed ${g.int(100)}`;
  }
  return after;
}

function joined(lines: string[], eol: string, finalNewline: boolean): string {
  return lines.length === 0 ? "" : lines.join(eol) + (finalNewline ? eol : "");
}

/** The lines Neovim shows for a text (no carriage returns, no empty line after the final newline). */
function shownLines(text: string | null): string[] {
  if (text === null || text === "") return [];
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * 120 generated proposals (edits anywhere, new and deleted files, empty files, no final newline,
 * CRLF): the files as they are before, the changeset as the server sends it, and what the tab must
 * show. Paths are relative; the spec places them in a workspace of its own.
 */
function reviewModelCases() {
  const cases = [];
  for (let seed = 1; seed <= 120; seed++) {
    const g = generator(seed);
    const files: ProposedFile[] = [];
    for (let f = 0, count = 1 + g.int(3); f < count; f++) {
      const eol = g.chance(0.2) ? "\r\n" : "\n";
      const finalNewline = !g.chance(0.2);
      const kind = g.int(10);
      const before = randomText(g, g.int(30));
      const path = `dir${f}/file${seed}_${f}.txt`;
      if (kind === 0) files.push({ path, before: null, after: joined(randomText(g, g.int(6)), eol, finalNewline), tiers: ["new-file"] });
      else if (kind === 1) files.push({ path, before: joined(before, eol, finalNewline), after: null, tiers: ["delete"] });
      else {
        const beforeText = joined(before, eol, finalNewline);
        const afterText = joined(mutate(g, before), eol, g.chance(0.9) ? finalNewline : !finalNewline);
        if (beforeText !== afterText) files.push({ path, before: beforeText, after: afterText, tiers: ["whole-file"] });
      }
    }
    if (files.length === 0) continue;
    const changeset = buildChangeset(files);
    cases.push({
      name: `seed ${seed}`,
      taskId: String(seed),
      files: files.filter((f) => f.before !== null).map((f) => ({ path: f.path, text: f.before })),
      diff: changeset.diff,
      changes: changeset.hunks.map((h) => ({ ...h, uri: pathToFileURL(`/CASE/${h.path}`).href })),
      expected: changeset.files.map((file) => ({
        path: file.path,
        old: shownLines(file.before),
        new: shownLines(file.after),
        ids: changeset.hunks.filter((h) => h.path === file.path).map((h) => h.hunkId),
      })),
    });
  }
  return cases;
}

const data: Record<string, () => unknown> = {
  "review_model_spec.lua": reviewModelCases,
  "errors_spec.lua": () => Object.keys(ERROR_CODES),
};

export function specData(spec: string): unknown {
  return data[spec]?.();
}
