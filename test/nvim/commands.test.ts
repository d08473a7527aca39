/**
 * The rest of the plugin's surface in real headless Neovim against the real server and the fake
 * Ollama: deciding with commands instead of keys (approve, apply, status, undo), revising a plan
 * from the float, the chat buffer, and a failing task reported through vim.notify.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeOllama } from "../fakes/fake-ollama.js";
import { explain, startOllamaSandbox, type OllamaSandbox, type Sandbox } from "./harness.js";

const lines = Array.from({ length: 12 }, (_, i) => `let v${i + 1} = ${i + 1};`);
const original = lines.join("\n") + "\n";
const proposed = lines.map((l, i) => (i === 0 ? "let v1 = 'one';" : i === 11 ? "let v12 = 'twelve';" : l)).join("\n") + "\n";
const planFor = (summary: string) => ({
  summary,
  steps: [{ description: "Spell out v1 and v12." }],
  files: [{ path: "values.js", action: "modify", reason: "They are defined here." }],
});
const editsAnswer = ["values.js", "```js", proposed.trimEnd(), "```", ""].join("\n");

let world: OllamaSandbox;
let fake: FakeOllama;
let sandbox: Sandbox;

beforeEach(async () => {
  world = await startOllamaSandbox({ "values.js": original });
  ({ fake, sandbox } = world);
});

afterEach(() => world.close());

describe("Neovim plugin commands", () => {
  it("approves and applies with :Burrow approve and :Burrow apply, lists the task, and :Burrow undo restores the file", async () => {
    fake.enqueueChat({ json: planFor("Spell out v1 and v12.") }, { text: editsAnswer });
    const run = await world.run({
      script: "commands_flow.lua",
      open: "values.js",
      params: { prompt: "spell out v1 and v12", original },
    });
    expect(run.code, explain(run)).toBe(0);
    const r = run.result!;
    expect(r.review_opened).toBe(true);
    // While the model worked, the statusline named the state and what was happening.
    expect((r.statuslines as string[]).some((s) => /^Burrow: (planning|writing the edits) · \S/.test(s))).toBe(true);
    expect(r.after_apply).toBe(proposed);
    expect(r.review_closed).toBe(true);
    expect(r.status_lines.join("\n")).toMatch(/applied\s+Spell out v1 and v12\./);
    expect(r.status_closed).toBe(true);
    expect(r.after_undo).toBe(original);
    expect(r.buffer_after_undo).toBe(original);
    expect(sandbox.read("values.js")).toBe(original);
  });

  it("revises the plan with feedback from the float's r key, then approves the new plan and applies all hunks", async () => {
    fake.enqueueChat({ json: planFor("First plan.") }, { json: planFor("Second plan, with the feedback.") }, { text: editsAnswer });
    const run = await world.run({
      script: "revise_flow.lua",
      open: "values.js",
      params: { prompt: "spell out v1 and v12", feedback: "use words, not digits", second_summary: "Second plan, with the feedback." },
    });
    expect(run.code, explain(run)).toBe(0);
    const r = run.result!;
    expect(r.first_plan.join("\n")).toContain("First plan.");
    expect(r.float_closed_after_revise).toBe(true);
    expect(r.prompts).toHaveLength(1);
    expect(r.second_plan.join("\n")).toContain("Second plan, with the feedback.");
    expect(r.accepted).toHaveLength(2);
    expect(r.disk).toBe(proposed);
    // The feedback reached the model with the second plan request.
    const requests = fake.chatRequests();
    expect(requests).toHaveLength(3);
    expect(JSON.stringify(requests[1])).toContain("use words, not digits");
  });

  it("streams chat answers into the chat buffer and keeps the session for a follow-up", async () => {
    fake.enqueueChat({ chunks: ["It holds ", "twelve ", "numbered values."] }, { chunks: ["Yes, ", "v12 is the last."] });
    const run = await world.run({
      script: "chat_flow.lua",
      open: "values.js",
      params: {
        first: "What is in this file?",
        first_answer: "It holds twelve numbered values.",
        second: "Is v12 the last one?",
        second_answer: "Yes, v12 is the last.",
      },
    });
    expect(run.code, explain(run)).toBe(0);
    const r = run.result!;
    expect(r.filetype).toBe("markdown");
    expect(r.streamed).toBe(true);
    expect(typeof r.session_after_first).toBe("string");
    expect(r.session_after_second).toBe(r.session_after_first);
    const text = (r.lines as string[]).join("\n");
    expect(text.indexOf("What is in this file?")).toBeLessThan(text.indexOf("It holds twelve numbered values."));
    expect(text.indexOf("It holds twelve numbered values.")).toBeLessThan(text.indexOf("Is v12 the last one?"));
    expect(text.trimEnd().endsWith("## You")).toBe(true);
    // The follow-up carried the first exchange to the model.
    const second = JSON.stringify(fake.chatRequests()[1]);
    expect(second).toContain("What is in this file?");
    expect(second).toContain("It holds twelve numbered values.");
  });

  it("sends a visual selection as the task's range, linewise and characterwise", async () => {
    fake.enqueueChat({ json: planFor("About lines 2 and 3.") }, { json: planFor("About a part of lines 4 and 5.") });
    const run = await world.run({
      script: "selection.lua",
      open: "values.js",
    });
    expect(run.code, explain(run)).toBe(0);
    const r = run.result!;
    expect(r.sent).toEqual([
      { prompt: "explain these lines", uri: r.uri, range: { start: { line: 1, character: 0 }, end: { line: 2, character: lines[2]!.length } } },
      { prompt: "explain this part", uri: r.uri, range: { start: { line: 3, character: 4 }, end: { line: 4, character: 7 } } },
    ]);
    // The selected text reached the model with the plan request.
    expect(JSON.stringify(fake.chatRequests())).toContain("let v2 = 2;");
  });

  it.each([
    { mode: "user-edits", setup: {}, warns: true },
    { mode: "no-write", setup: { write_after_apply: false }, warns: false },
  ])("leaves the edit unsaved in the buffer and the disk untouched ($mode)", async ({ mode, setup, warns }) => {
    const userLine = "let v6 = 'six, typed by the user';";
    // With the user's unsaved line, Burrow's proposal is based on the buffer, so it keeps that line.
    const base = mode === "user-edits" ? lines.map((l, i) => (i === 5 ? userLine : l)) : lines;
    const expected = base.map((l, i) => (i === 0 ? "let v1 = 'one';" : i === 11 ? "let v12 = 'twelve';" : l)).join("\n") + "\n";
    fake.enqueueChat({ json: planFor("Spell out v1 and v12.") }, { text: ["values.js", "```js", expected.trimEnd(), "```", ""].join("\n") });
    const run = await world.run({
      script: "unsaved.lua",
      open: "values.js",
      params: { prompt: "spell out v1 and v12", mode, user_line: userLine },
      setup,
    });
    expect(run.code, explain(run)).toBe(0);
    const r = run.result!;
    expect(r.modified).toBe(true);
    expect(r.buffer).toBe(expected);
    expect(r.disk).toBe(original);
    expect(sandbox.read("values.js")).toBe(original);
    const unsavedWarning = (r.warnings as string[]).some((w) => w.includes("had unsaved changes of yours"));
    expect(unsavedWarning).toBe(warns);
  });

  it("starts a task from Neovim opened without a file, rooted at the current directory, with the model from setup()", async () => {
    fake.addModel("qwen2.5-coder:3b");
    fake.enqueueChat({ json: planFor("Spell out v1 and v12.") });
    const run = await world.run({
      script: "empty_buffer.lua",
      params: { prompt: "spell out v1 and v12" },
      setup: { settings: { models: { coder: "qwen2.5-coder:3b" } } },
    });
    expect(run.code, explain(run)).toBe(0);
    const r = run.result!;
    expect(r.bufname).toBe("");
    expect(r.root).toBe(sandbox.workspace);
    expect(r.plan.join("\n")).toContain("Spell out v1 and v12.");
    // setup({ settings }) reached the server (initializationOptions and workspace/configuration).
    expect(fake.chatRequests()[0].model).toBe("qwen2.5-coder:3b");
  });

  it("reports a failed task with the server's message through vim.notify, and answers a prompt with null at once", async () => {
    fake.enqueueChat({ error: "the model crashed while loading", status: 500 });
    const run = await world.run({
      script: "failure.lua",
      open: "values.js",
      params: { prompt: "spell out v1 and v12" },
    });
    expect(run.code, explain(run)).toBe(0);
    const r = run.result!;
    expect(typeof r.server_message).toBe("string");
    expect(r.errors).toContain(`Burrow: ${r.server_message}`);
    expect(r.prompt_answer_is_null).toBe(true);
    expect(r.statusline).toBe("");
    expect(sandbox.read("values.js")).toBe(original);
  });
});
