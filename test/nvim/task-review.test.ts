/**
 * The Neovim plugin end to end: real headless Neovim (Debian's 0.7.2 here) starts the real Burrow
 * server against the fake Ollama; `:Burrow task` starts a task, the plan float's `a` approves it,
 * the diff tab opens, and its keys decide the hunks. Only what the user accepted may reach the disk.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeOllama } from "../fakes/fake-ollama.js";
import { explain, startOllamaSandbox, type OllamaSandbox, type Sandbox } from "./harness.js";

const lines = Array.from({ length: 20 }, (_, i) => `const line${i + 1} = ${i + 1};`);
const original = lines.join("\n") + "\n";
// The model rewrites line 2 and line 18: far enough apart to be two hunks.
const proposed = lines.map((l, i) => (i === 1 ? "const line2 = 'two';" : i === 17 ? "const line18 = 'eighteen';" : l));
const onlyFirstHunk = lines.map((l, i) => (i === 1 ? "const line2 = 'two';" : l)).join("\n") + "\n";

const plan = {
  summary: "Spell out the values of line2 and line18.",
  steps: [{ description: "Change line2 to the word two." }, { description: "Change line18 to the word eighteen." }],
  files: [{ path: "numbers.js", action: "modify", reason: "Both constants live here." }],
};
const editsAnswer = ["numbers.js", "```js", ...proposed, "```", ""].join("\n");

let world: OllamaSandbox;
let fake: FakeOllama;
let sandbox: Sandbox;

beforeEach(async () => {
  world = await startOllamaSandbox({ "numbers.js": original });
  ({ fake, sandbox } = world);
  fake.enqueueChat({ json: plan }, { text: editsAnswer });
});

afterEach(() => world.close());

describe("Neovim plugin: plan float and diff review", () => {
  it("approves the plan with its key, accepts one hunk, rejects the other, and writes exactly the accepted one", async () => {
    const run = await world.run({
      script: "task_review.lua",
      open: "numbers.js",
      params: { prompt: "spell out line2 and line18", mode: "accept-one" },
    });
    expect(run.code, explain(run)).toBe(0);
    const r = run.result!;
    expect(r.float_has_focus).toBe(true);
    expect(r.float_is_floating).toBe(true);
    expect(r.plan_lines.join("\n")).toContain("Spell out the values of line2 and line18.");
    expect(r.plan_lines.join("\n")).toContain("numbers.js");
    expect(r.diff_mode).toBe(true);
    expect(r.hunks).toBe(2);
    expect(r.left.join("\n") + "\n").toBe(original);
    expect(r.right.join("\n")).toBe(proposed.join("\n"));
    expect(r.buffer_untouched_during_review).toBe(true);
    expect(r.buffer_modified_during_review).toBe(false);
    expect(r.accepted).toHaveLength(1);
    expect(r.state).toBe("applied");
    expect(r.review_closed).toBe(true);
    expect(sandbox.read("numbers.js")).toBe(onlyFirstHunk);
    expect(r.buffer).toBe(onlyFirstHunk);
    expect(run.ms).toBeLessThan(25_000);
  });

  it("rejects every hunk with feedback and leaves the file on disk as it was", async () => {
    const run = await world.run({
      script: "task_review.lua",
      open: "numbers.js",
      params: { prompt: "spell out line2 and line18", mode: "reject-all", feedback: "keep the numbers" },
    });
    expect(run.code, explain(run)).toBe(0);
    const r = run.result!;
    expect(r.state).toBe("rejected");
    expect(r.prompts).toHaveLength(1);
    expect(r.buffer).toBe(original);
    expect(sandbox.read("numbers.js")).toBe(original);
    // Two model requests (plan, edits) and nothing after the rejection.
    expect(fake.chatRequests()).toHaveLength(2);
  });
});
