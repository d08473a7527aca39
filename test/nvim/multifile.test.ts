/**
 * A proposal across several files in the diff tab of real headless Neovim: file switching, hunk
 * navigation across files, closing and reopening the review, and a partial apply where an
 * undecided new file is not created.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeOllama } from "../fakes/fake-ollama.js";
import { explain, startOllamaSandbox, type OllamaSandbox, type Sandbox } from "./harness.js";

const a = Array.from({ length: 14 }, (_, i) => `export const a${i + 1} = ${i + 1};`);
const b = Array.from({ length: 6 }, (_, i) => `export const b${i + 1} = ${i + 1};`);
const aText = a.join("\n") + "\n";
const bText = b.join("\n") + "\n";
const aNew = a.map((l, i) => (i === 0 ? "export const a1 = 'one';" : i === 13 ? "export const a14 = 'fourteen';" : l)).join("\n") + "\n";
const bNew = b.map((l, i) => (i === 2 ? "export const b3 = 'three';" : l)).join("\n") + "\n";
const cNew = "export const c1 = 1;\n";

const plan = {
  summary: "Spell out a few constants and add c.js.",
  steps: [{ description: "Edit a.js and b.js." }, { description: "Create c.js." }],
  files: [
    { path: "src/a.js", action: "modify", reason: "a1 and a14 live here." },
    { path: "src/b.js", action: "modify", reason: "b3 lives here." },
    { path: "src/lib/c.js", action: "create", reason: "A new module." },
  ],
};
const edits = [
  "src/a.js", "```js", aNew.trimEnd(), "```", "",
  "src/b.js", "```js", bNew.trimEnd(), "```", "",
  "src/lib/c.js", "```js", cNew.trimEnd(), "```", "",
].join("\n");

let world: OllamaSandbox;
let fake: FakeOllama;
let sandbox: Sandbox;

beforeEach(async () => {
  world = await startOllamaSandbox({ "src/a.js": aText, "src/b.js": bText });
  ({ fake, sandbox } = world);
  fake.enqueueChat({ json: plan }, { text: edits });
});

afterEach(() => world.close());

describe("Neovim diff tab across files", () => {
  it.each([
    { mode: "first-file", a: aNew, b: bText, c: null, accepted: 2, declined: 2 },
    { mode: "all", a: aNew, b: bNew, c: cNew, accepted: 4, declined: 0 },
  ])("walks hunks across files, reopens after q, and applies what was accepted ($mode)", async ({ mode, a, b, c, accepted, declined }) => {
    const run = await world.run({
      script: "multifile.lua",
      open: "src/a.js",
      params: { prompt: "spell out some constants and add c.js", mode },
    });
    expect(run.code, explain(run)).toBe(0);
    const r = run.result!;
    expect(r.file_count).toBe(3);
    expect(r.paths).toEqual(["src/a.js", "src/b.js", "src/lib/c.js"]);
    expect(r.created).toEqual([false, false, true]);
    expect(r.closed).toBe(true);
    expect(r.state_after_close).toBe("awaitingChangesApproval");
    expect(r.reopened).toBe(true);
    expect(r.kept_decision).toBe("rejected");
    // ]h stops at both hunks of a.js, then b.js, then c.js, and stops there.
    expect(r.files_seen).toEqual(["src/a.js", "src/a.js", "src/b.js", "src/lib/c.js"]);
    expect(r.accepted).toHaveLength(accepted);
    expect(r.declined ?? []).toHaveLength(declined);
    expect(sandbox.read("src/a.js")).toBe(a);
    expect(sandbox.read("src/b.js")).toBe(b);
    const cPath = join(sandbox.workspace, "src/lib/c.js");
    if (c === null) expect(existsSync(cPath)).toBe(false);
    else expect(sandbox.read("src/lib/c.js")).toBe(c);
  });
});
