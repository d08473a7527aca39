/**
 * The cloud consent question in the plan float (real headless Neovim, the plugin alone): what it
 * shows, and which command each key sends.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { explain, makeSandbox, runNvim, type Sandbox } from "./harness.js";

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = makeSandbox({});
});
afterEach(() => sandbox.remove());

describe("Neovim consent float", () => {
  it("names host, files and size; a allows, x refuses; closes once the gate is passed", async () => {
    const run = await runNvim({ sandbox, script: "consent.lua", setup: { autostart: false } });
    expect(run.code, explain(run)).toBe(0);
    const r = run.result!;
    const float = (r.float as string[]).join("\n");
    expect(float).toContain("Send 2 files (12.5 KB) to api.anthropic.com (anthropic)?");
    expect(float).toContain("src/parse.js");
    expect(float).toContain("a allow   x do not send   q close");
    expect(r.statusline).toBe("Burrow: waiting for consent");
    expect(r.sent).toEqual([
      { command: "burrow.plan.approve", argument: { taskId: "t1" } },
      { command: "burrow.plan.reject", argument: { taskId: "t2" } },
    ]);
    expect(r.closed_after_gate).toBe(true);
  });
});
