// The edit engine's smaller promises, table by table: which format a model is asked for, that the
// examples in the instructions are themselves valid answers, hunk ids and tiers, and undo snapshots
// stored through the real state store (under a temporary XDG_STATE_HOME).
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  applyEdits,
  applyHunks,
  buildChangeset,
  chooseEditFormat,
  formatInstructions,
  lineEdits,
  loadUndoSnapshot,
  parseEdits,
  planUndo,
  removeUndoSnapshot,
  saveUndoSnapshot,
  unknownHunkIds,
  type EditFormat,
} from "../../../server/src/agent/edit/index.js";
import { createStateStore } from "../../../server/src/agent/sandbox/index.js";
import type { StateStore } from "../../../server/src/agent/sandbox/types.js";

describe("chooseEditFormat", () => {
  it.each<[number | undefined, number, number, EditFormat]>([
    [1.5, 40, 0, "whole-file"],
    [1.5, 2000, 0, "whole-file"],
    [7, 900, 0, "whole-file"],
    [14, 100, 0, "whole-file"],
    [14, 151, 0, "search-replace"],
    [32, 2000, 0, "search-replace"],
    [32, 2000, 1, "search-replace"],
    [32, 2000, 2, "whole-file"],
    [undefined, 400, 0, "search-replace"],
    [undefined, 400, 3, "whole-file"],
    [undefined, 20, 0, "whole-file"],
  ])("size %sB, %i lines, %i failed matches → %s", (size, lines, failed, format) => {
    expect(chooseEditFormat(size, lines, failed)).toBe(format);
  });
});

describe("formatInstructions", () => {
  const original = 'import sys\n\n\ndef greet(name):\n    return "Hello, " + name\n\n\nif __name__ == "__main__":\n    print(greet(sys.argv[1]))\n';

  it.each<EditFormat>(["whole-file", "search-replace"])("the %s example is an answer the engine applies", (format) => {
    const text = formatInstructions(format);
    const example = text.slice(text.indexOf("the answer is\n") + "the answer is\n".length);
    const files = [{ path: "src/greet.py", text: original }];
    const parsed = parseEdits(example, files);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.blocks[0]?.kind).toBe(format);
    const applied = applyEdits(files, parsed.blocks);
    expect(applied.ok).toBe(true);
    if (applied.ok) expect(applied.files[0]?.after).toContain('return f"Hello, {name}"');
  });

  it("tells the model never to elide code in whole files and to keep SEARCH exact", () => {
    expect(formatInstructions("whole-file")).toMatch(/never shorten it/);
    expect(formatInstructions("search-replace")).toMatch(/exactly one place/);
  });
});

describe("changeset", () => {
  const before = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";

  it("numbers hunks across files in path order and reports unknown ids", () => {
    const after = before.replace("line 2\n", "line two\n").replace("line 28\n", "line twenty-eight\n");
    const changes = buildChangeset([
      { path: "z.txt", before, after, tiers: ["exact"] },
      { path: "a.txt", before: null, after: "new\n", tiers: ["new-file"] },
    ]);
    expect(changes.hunks.map((h) => [h.hunkId, h.path, h.kind])).toEqual([
      ["h1", "a.txt", "create"],
      ["h2", "z.txt", "modify"],
      ["h3", "z.txt", "modify"],
    ]);
    expect(changes.diff.indexOf("+++ b/a.txt")).toBeLessThan(changes.diff.indexOf("+++ b/z.txt"));
    expect(unknownHunkIds(changes, ["h1", "h9", "x"])).toEqual(["h9", "x"]);
    const onlyLast = applyHunks(changes, ["h3"]);
    expect([...onlyLast.keys()]).toEqual(["z.txt"]);
    expect(onlyLast.get("z.txt")).toBe(before.replace("line 28\n", "line twenty-eight\n"));
  });

  it("gives each hunk the tier of the block that placed it, in the right file positions", () => {
    const files = [{ path: "f.txt", text: before }];
    const answer = [
      "f.txt", "```", "<<<<<<< SEARCH", "line 3", "=======", "line three", ">>>>>>> REPLACE", "```",
      "f.txt", "```", "<<<<<<< SEARCH", "  line 25", "  line 26", "=======", "  line 25", "  line 26b", ">>>>>>> REPLACE", "```",
    ].join("\n");
    const parsed = parseEdits(answer, files);
    if (!parsed.ok) throw new Error(parsed.reason);
    const applied = applyEdits(files, parsed.blocks);
    if (!applied.ok) throw new Error(applied.message);
    const changes = buildChangeset(applied.files);
    expect(changes.hunks.map((h) => [h.oldStart, h.tier])).toEqual([
      [1, "exact"],
      [23, "indentation"],
    ]);
  });

  it("returns no files for no hunks and no line edits for equal texts", () => {
    const changes = buildChangeset([{ path: "f.txt", before, after: before, tiers: [] }]);
    expect(changes.hunks).toEqual([]);
    expect(changes.files).toEqual([]);
    expect(changes.diff).toBe("");
    expect(applyHunks(changes, undefined).size).toBe(0);
    expect(lineEdits(before, before)).toEqual([]);
  });

  it("line edits touch only the changed line, in UTF-16 units", () => {
    const a = "😀 first\nsecond\nthird";
    const b = "😀 first\nSECOND\nthird";
    expect(lineEdits(a, b)).toEqual([{ startLine: 1, startCharacter: 0, endLine: 2, endCharacter: 0, newText: "SECOND\n" }]);
    expect(lineEdits("a\nb", "a\nc")).toEqual([{ startLine: 1, startCharacter: 0, endLine: 1, endCharacter: 1, newText: "c" }]);
  });

  it.each([
    { name: "LF", before: "a\nb\n", after: "a\nb\nc\nd\n", edit: { startLine: 1, startCharacter: 1, endLine: 1, endCharacter: 1, newText: "\nc\nd" } },
    { name: "CRLF", before: "a\r\nb\r\n", after: "a\r\nb\r\nc\r\n", edit: { startLine: 1, startCharacter: 1, endLine: 1, endCharacter: 1, newText: "\r\nc" } },
    // Added text that does not end with the file's break keeps the plain shape.
    { name: "no final break", before: "a\nb\n", after: "a\nb\nc", edit: { startLine: 2, startCharacter: 0, endLine: 2, endCharacter: 0, newText: "c" } },
  ])("lines appended to a file that ends with a break are inserted before that break, inside the document ($name)", ({ before, after, edit }) => {
    // Neovim 0.8 to 0.12 leave a blank line after an edit that starts past the last line.
    expect(lineEdits(before, after)).toEqual([edit]);
  });
});

describe("applyEdits on blocks from elsewhere", () => {
  it("refuses a block for a file that is not in play, naming it", () => {
    const result = applyEdits([{ path: "a.txt", text: "a\n" }], [{ kind: "whole-file", index: 0, path: "b.txt", content: "b\n" }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain("b.txt is not among the files this task may change (a.txt)");
  });

  it("deletes, and refuses to delete what does not exist", () => {
    const ok = applyEdits([{ path: "a.txt", text: "a\n" }], [{ kind: "delete", index: 0, path: "a.txt" }]);
    expect(ok.ok && ok.files).toEqual([{ path: "a.txt", before: "a\n", after: null, tiers: ["delete"], placements: [] }]);
    const missing = applyEdits([{ path: "a.txt", text: null }], [{ kind: "delete", index: 0, path: "a.txt" }]);
    expect(missing.ok).toBe(false);
  });

  it("leaves out files whose text does not change", () => {
    const result = applyEdits([{ path: "a.txt", text: "a\n" }], [{ kind: "whole-file", index: 0, path: "a.txt", content: "a\n" }]);
    expect(result.ok && result.files).toEqual([]);
  });
});

describe("undo snapshots", () => {
  let dir: string;
  let state: StateStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "burrow-undo-"));
    state = createStateStore(join(dir, "state"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const files = [
    { abs: "/w/a.txt", before: "old a\n", after: "new a\n" },
    { abs: "/w/created.txt", before: null, after: "made\n" },
    { abs: "/w/deleted.txt", before: "gone\n", after: null },
  ];

  it("saves under the state directory and plans a full restore when nothing changed since", async () => {
    const path = await saveUndoSnapshot(state, "task-1", files);
    expect(path.startsWith(state.dir)).toBe(true);
    const loaded = await loadUndoSnapshot(state, "task-1");
    if (!loaded.ok) throw new Error(loaded.reason);
    const plan = planUndo(loaded.snapshot, new Map<string, string | null>([["/w/a.txt", "new a\n"], ["/w/created.txt", "made\n"]]));
    expect(plan).toEqual({
      ok: true,
      restores: [
        { abs: "/w/a.txt", text: "old a\n", current: "new a\n" },
        { abs: "/w/created.txt", text: null, current: "made\n" },
        { abs: "/w/deleted.txt", text: "gone\n", current: null },
      ],
    });
  });

  it("refuses the whole undo, naming every file that changed since", async () => {
    await saveUndoSnapshot(state, "task-2", files);
    const loaded = await loadUndoSnapshot(state, "task-2");
    if (!loaded.ok) throw new Error(loaded.reason);
    const plan = planUndo(loaded.snapshot, { "/w/a.txt": "edited by the user\n", "/w/created.txt": null, "/w/deleted.txt": "back\n" });
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(plan.reason).toContain("nothing was changed");
    expect(plan.reason).toContain("/w/a.txt (its text is different)");
    expect(plan.reason).toContain("/w/created.txt (it has been deleted)");
    expect(plan.reason).toContain("/w/deleted.txt (the task deleted it, and it exists again)");
  });

  it("says when there is nothing to undo, and when a snapshot is damaged", async () => {
    const none = await loadUndoSnapshot(state, "task-3");
    expect(none.ok === false && none.reason).toContain("nothing to undo");
    await saveUndoSnapshot(state, "task-3", files);
    await removeUndoSnapshot(state, "task-3");
    expect((await loadUndoSnapshot(state, "task-3")).ok).toBe(false);
    mkdirSync(join(state.dir, "undo"), { recursive: true });
    writeFileSync(join(state.dir, "undo", "task-4.json"), "{not json");
    const damaged = await loadUndoSnapshot(state, "task-4");
    expect(damaged.ok === false && damaged.reason).toContain("damaged");
  });

  it("refuses task ids that could name a path outside the undo folder", async () => {
    await expect(saveUndoSnapshot(state, "../escape", files)).rejects.toThrow(/cannot name an undo snapshot/);
  });
});

describe("line edits and byte-order marks", () => {
  it("counts positions without a byte-order mark both texts share, as editors do", () => {
    expect(lineEdits("\uFEFFa\nb\n", "\uFEFFA\nb\n")).toEqual([{ startLine: 0, startCharacter: 0, endLine: 1, endCharacter: 0, newText: "A\n" }]);
  });
});

describe("notes for the preview", () => {
  const long = Array.from({ length: 40 }, (_, i) => `def f${i}():\n    return ${i}\n`).join("\n");

  it("notes a whole-file listing that keeps fewer than half of the file's lines", () => {
    const files = [{ path: "m.py", text: long }];
    const parsed = parseEdits("m.py\n```python\ndef f0():\n    return 100\n```\n", files);
    if (!parsed.ok) throw new Error(parsed.reason);
    const applied = applyEdits(files, parsed.blocks);
    expect(applied.ok && applied.files[0]?.notes).toEqual([
      "The listing of m.py keeps only 1 of its 80 non-blank lines; check that the rest was meant to go.",
    ]);
  });

  it("adds no note when most of the file is kept", () => {
    const files = [{ path: "m.py", text: long }];
    const parsed = parseEdits("m.py\n```python\n" + long.replace("return 3\n", "return 33\n") + "```\n", files);
    if (!parsed.ok) throw new Error(parsed.reason);
    const applied = applyEdits(files, parsed.blocks);
    expect(applied.ok && applied.files[0]?.notes).toBeUndefined();
  });
});

describe("tierLabel", () => {
  it("has words for every tier", async () => {
    const { tierLabel } = await import("../../../server/src/agent/edit/index.js");
    const tiers = ["exact", "trailing-whitespace", "indentation", "leading-blank-line", "elision", "unwrapped-fence", "whole-file", "new-file", "unified-diff", "delete"] as const;
    const labels = tiers.map((t) => tierLabel(t));
    expect(new Set(labels).size).toBe(tiers.length);
    expect(tierLabel("indentation")).toContain("indentation");
  });
});
