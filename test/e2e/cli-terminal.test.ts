// The pieces `burrow run` and `burrow chat` share: when there is colour, how a diff is shown and
// counted, which answers mean what, how flags fail, and that piped answers are never lost between
// questions. Each table row is one behaviour a user relies on.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseFlags } from "../../server/src/cli/terminal/args.js";
import { colourEnabled, palette } from "../../server/src/cli/terminal/colour.js";
import { colourDiff, describeTier, diffStats, splitHunks } from "../../server/src/cli/terminal/diff.js";
import { createLineReader, interpretAnswer } from "../../server/src/cli/terminal/lines.js";
import { describeServerEnd, exitCodeForError, isLocalProvider } from "../../server/src/cli/terminal/outcomes.js";
import { createProgress } from "../../server/src/cli/terminal/progress.js";
import { waitUntilReady } from "../../server/src/cli/terminal/startup.js";
import type { SpawnedServer } from "../../server/src/cli/spawn-server.js";
import { ResponseError } from "vscode-jsonrpc/node";

const DIFF = [
  "--- a/src/app.ts",
  "+++ b/src/app.ts",
  "@@ -1,3 +1,3 @@",
  " keep",
  "-old",
  "+new",
  "@@ -10 +10,2 @@",
  " ctx",
  "+added",
  "--- /dev/null",
  "+++ b/src/new.ts",
  "@@ -0,0 +1 @@",
  "+fresh",
  "--- a/src/gone.ts",
  "+++ /dev/null",
  "@@ -1 +0,0 @@",
  "-bye",
].join("\n");

describe("colour", () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: "1" }, true, false],
    [{ NO_COLOR: "" }, true, true],
    [{ FORCE_COLOR: "1" }, false, true],
    [{ FORCE_COLOR: "0" }, true, false],
    [{ FORCE_COLOR: "false" }, true, false],
    [{ FORCE_COLOR: "1", NO_COLOR: "1" }, false, false],
  ])("env %j on a %s terminal: colour %s", (env, isTTY, expected) => {
    expect(colourEnabled({ isTTY }, env as NodeJS.ProcessEnv)).toBe(expected);
  });
});

describe("diffs", () => {
  it("colours additions, removals, headers and hunk lines", () => {
    const lines = colourDiff(DIFF, palette(true)).split("\n");
    expect(lines[0]).toBe("\u001b[1m--- a/src/app.ts\u001b[22m");
    expect(lines[2]).toBe("\u001b[36m@@ -1,3 +1,3 @@\u001b[39m");
    expect(lines[3]).toBe(" keep");
    expect(lines[4]).toBe("\u001b[31m-old\u001b[39m");
    expect(lines[5]).toBe("\u001b[32m+new\u001b[39m");
  });

  it("notes the hunks placed by a tolerant match, after the @@ so the text stays a patch", () => {
    const changes = [
      { hunkId: "h1", path: "src/app.ts", tier: "exact" },
      { hunkId: "h2", path: "src/app.ts", tier: "indentation" },
      { hunkId: "h3", path: "src/new.ts", tier: "new-file" },
    ];
    const lines = colourDiff(DIFF, palette(false), changes).split("\n");
    expect(lines[2]).toBe("@@ -1,3 +1,3 @@");
    expect(lines[6]).toBe("@@ -10 +10,2 @@  (matched with different indentation)");
    expect(lines[11]).toBe("@@ -0,0 +1 @@");
  });

  it.each([
    ["exact", undefined],
    ["whole-file", undefined],
    ["elision", "matched around an elided (...) part"],
    ["something-new", 'matched by the "something-new" rule'],
  ])("describes tier %s", (tier, words) => {
    expect(describeTier(tier)).toBe(words);
  });

  it("counts files, hunks and lines, naming deleted files by their old path", () => {
    expect(diffStats(DIFF)).toEqual({ files: ["src/app.ts", "src/new.ts", "src/gone.ts"], added: 3, removed: 2, hunks: 4 });
  });

  // Removing the Lua comment "-- old" and adding "++ x" look like file headers out of context.
  const TRICKY = ["--- a/init.lua", "+++ b/init.lua", "@@ -1,2 +1,2 @@", "--- old", "+++ new", " end", ""].join("\n");

  it("reads a removed line that starts with -- as a removal, by the hunk's counts", () => {
    expect(diffStats(TRICKY)).toEqual({ files: ["init.lua"], added: 1, removed: 1, hunks: 1 });
    const lines = colourDiff(TRICKY, palette(true)).split("\n");
    expect(lines[3]).toBe("\u001b[31m--- old\u001b[39m");
    expect(lines[4]).toBe("\u001b[32m+++ new\u001b[39m");
  });

  it("splits a diff into its hunks, each with its file", () => {
    expect(splitHunks(DIFF)).toEqual([
      { path: "src/app.ts", text: "@@ -1,3 +1,3 @@\n keep\n-old\n+new" },
      { path: "src/app.ts", text: "@@ -10 +10,2 @@\n ctx\n+added" },
      { path: "src/new.ts", text: "@@ -0,0 +1 @@\n+fresh" },
      { path: "src/gone.ts", text: "@@ -1 +0,0 @@\n-bye" },
    ]);
    expect(splitHunks(TRICKY)).toEqual([{ path: "init.lua", text: "@@ -1,2 +1,2 @@\n--- old\n+++ new\n end" }]);
  });
});

describe("answers", () => {
  it.each([
    ["y", "approve"],
    ["YES", "approve"],
    ["  approve ", "approve"],
    ["apply", "approve"],
    ["r", "revise"],
    ["Revise", "revise"],
    ["n", "reject"],
    ["no", "reject"],
    ["reject", "reject"],
    ["", undefined],
    ["yep", undefined],
    ["s", "select"],
    ["some", "select"],
    ["ok", undefined],
  ])("%j means %s", (line, meaning) => {
    expect(interpretAnswer(line)).toBe(meaning);
  });
});

describe("flags", () => {
  const spec = { values: ["root", "model"], switches: ["yes-plan"] };
  it.each([
    [["do it", "--root", "/tmp/x"], { ok: true, values: { root: "/tmp/x" }, positionals: ["do it"] }],
    [["--root=/tmp/x", "do", "it"], { ok: true, values: { root: "/tmp/x" }, positionals: ["do", "it"] }],
    [["--model"], { ok: false, reason: "--model needs a value." }],
    [["--root", "  ", "x"], { ok: false, reason: "--root needs a value." }],
    [["--colour"], { ok: false, reason: "--colour is not an option of this command." }],
    [["--yes-plan=1"], { ok: false, reason: "--yes-plan does not take a value." }],
  ])("%j", (argv, expected) => {
    const parsed = parseFlags(argv, spec);
    if (parsed.ok) expect({ ok: true, values: parsed.values, positionals: parsed.positionals }).toEqual(expected);
    else expect(parsed).toEqual(expected);
  });
});

describe("reading answers from a pipe", () => {
  function pipe() {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = "";
    output.on("data", (d: Buffer) => (shown += d.toString()));
    const reader = createLineReader({ input, output });
    return { input, reader, shown: () => shown };
  }

  it("keeps every line that arrives before its question, and answers null at the end", async () => {
    const { input, reader, shown } = pipe();
    input.write("y\nr\nmake it ");
    input.end("shorter\r\nn\n");
    // Let the reader see all of the input, end included, before the first question.
    await new Promise((resolve) => setImmediate(resolve));
    const answers = [];
    for (const question of ["plan? ", "revise? ", "feedback? ", "diff? ", "again? ", "still? "]) answers.push(await reader.ask(question));
    expect(answers).toEqual(["y", "r", "make it shorter", "n", null, null]);
    expect(shown()).toBe("plan? y\nrevise? r\nfeedback? make it shorter\ndiff? n\nagain? \nstill? \n");
    reader.close();
  });

  it("waits for a line that has not arrived yet", async () => {
    const { input, reader } = pipe();
    const answer = reader.ask("q? ");
    input.write("late answer\n");
    expect(await answer).toBe("late answer");
    input.end();
    expect(await reader.ask("q? ")).toBeNull();
    reader.close();
  });
});

describe("progress on a pipe", () => {
  it("prints one plain line per change of activity", () => {
    let written = "";
    const progress = createProgress({ isTTY: false, write: (chunk: string) => ((written += chunk), true) });
    progress.update("planning");
    progress.update("planning");
    progress.update("writing the edits");
    progress.clear();
    progress.update("writing the edits");
    progress.stop();
    expect(written).toBe("burrow: planning\nburrow: writing the edits\nburrow: writing the edits\n");
  });
});

describe("outcomes", () => {
  it.each([
    ["runtime-unreachable", 3],
    ["model-missing", 3],
    ["conflict", 1],
    [undefined, 1],
  ])("error code %s exits %i", (code, exit) => {
    expect(exitCodeForError(code)).toBe(exit);
  });

  it.each([
    [undefined, true],
    ["ollama", true],
    ["LMStudio", true],
    ["anthropic", false],
    ["openai", false],
  ])("provider %s runs locally: %s", (provider, local) => {
    expect(isLocalProvider(provider)).toBe(local);
  });

  it("explains a server that ended, with its last stderr line", () => {
    expect(describeServerEnd({ code: 1, signal: null }, "starting\nError: boom\n")).toBe(
      "The Burrow server exited with code 1 before the work was done. Its last words: Error: boom",
    );
    expect(describeServerEnd({ code: null, signal: "SIGKILL" }, "")).toMatch(/was stopped by SIGKILL.*--verbose/);
  });
});

describe("waiting for the server to start", () => {
  const never = new Promise<never>(() => undefined);
  const server = (ready: Promise<unknown>, exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>, tail = "") =>
    ({ ready, exited, stderrTail: () => tail }) as unknown as SpawnedServer;

  it.each([
    ["answers initialize", () => server(Promise.resolve({}), never), { ok: true }],
    [
      "exits first",
      () => server(never, Promise.resolve({ code: 1, signal: null }), "Error: cannot load grammars"),
      { ok: false, reason: "The Burrow server exited with code 1 before the work was done. Its last words: Error: cannot load grammars" },
    ],
    [
      "refuses initialize",
      () => server(Promise.reject(new ResponseError(-32602, 'Burrow setting "models.coder" is not valid')), never),
      { ok: false, reason: 'Burrow setting "models.coder" is not valid.' },
    ],
    [
      "says nothing",
      () => server(never, never),
      { ok: false, reason: "The Burrow server did not finish starting within 0 s; run again with --verbose to see its log." },
    ],
  ])("when it %s", async (_name, make, expected) => {
    expect(await waitUntilReady(make(), 50)).toEqual(expected);
  });
});
