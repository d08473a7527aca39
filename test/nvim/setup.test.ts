/**
 * Starting the plugin when the server cannot run (one clear message, not one per file, and no Lua
 * errors from the commands), and the :Burrow command line itself.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { explain, makeSandbox, runNvim, type Sandbox } from "./harness.js";

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = makeSandbox({ "one.txt": "1\n", "two.txt": "2\n" });
});
afterEach(() => sandbox.remove());

describe("Neovim plugin setup", () => {
  it("reports a missing server command once, and again only when a command needs it", async () => {
    const run = await runNvim({ sandbox, script: "missing_server.lua", setup: { autostart: false } });
    expect(run.code, explain(run)).toBe(0);
    const r = run.result!;
    expect(r.after_files).toBe(1);
    expect(r.notes).toHaveLength(2);
    for (const note of r.notes) {
      expect(note.msg).toContain('"burrow-is-not-installed" is not an executable on $PATH.');
      expect(note.level).toBe(4); // vim.log.levels.ERROR
    }
  });

  it("completes subcommands and their arguments, and answers an unknown subcommand with the usage", async () => {
    const run = await runNvim({ sandbox, script: "command_line.lua", setup: { autostart: false } });
    expect(run.code, explain(run)).toBe(0);
    const r = run.result!;
    expect(r.all).toEqual(expect.arrayContaining(["task", "approve", "revise", "reject", "apply", "submit", "chat", "status", "undo", "models", "doctor", "grant", "revoke", "cancel", "review", "hunk", "file", "close", "send", "retry"]));
    expect(r.a).toEqual(["apply", "approve"]);
    expect(r.hunk).toEqual(["next", "prev", "accept", "reject", "accept-all"]);
    expect(r.task_flags).toEqual(["--provider", "--model"]);
    expect(r.notes[0].level).toBe(4);
    expect(r.notes[0].msg).toContain('unknown subcommand "frobnicate"');
    expect(r.notes[0].msg).toContain(":Burrow task");
    expect(r.notes[1].level).toBe(2); // the usage, as information
    expect(r.notes[1].msg).toContain(":Burrow approve");
  });
});
