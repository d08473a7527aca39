// Property tests of the changeset and the editor edits: for random texts (mixed CRLF and LF, lone
// CR, missing final newline, non-ASCII and astral characters) the diff, the hunks and the line
// edits built from A to B must turn A into B exactly, and any subset of hunks must give the same
// text whether taken together or one at a time in any order. Also round trips of the formats the
// model writes, so the parser and matcher agree with what formatInstructions teaches.
import fc from "fast-check";
import { TextDocument } from "vscode-languageserver-textdocument";
import { describe, expect, it } from "vitest";
import { applyPatch } from "diff";
import {
  applyEdits,
  applyHunks,
  buildChangeset,
  lineEdits,
  parseEdits,
  type Changeset,
  type Hunk,
  type LineEdit,
} from "../../../server/src/agent/edit/index.js";
import { splitKeepingEnds } from "../../../server/src/agent/edit/changeset.js";

const pool = ["", "a", "b", "  indented", "\tx = 1;", "héllo wörld", "日本語", "👋 emoji 🎉", "const s = '$&$1';", "}", "{", "...", "x", "  "];
const line = fc.constantFrom(...pool);

/** A text of random lines, each ended by "\n" or "\r\n" (or, with `loneCr`, "\r"), maybe without a final ending. */
function textArb(loneCr = false) {
  const eol = loneCr ? fc.constantFrom("\n", "\r\n", "\r") : fc.constantFrom("\n", "\r\n");
  return fc
    .tuple(fc.array(fc.tuple(line, eol), { maxLength: 30 }), fc.boolean())
    .map(([parts, finalEol]) => {
      let out = parts.map(([l, e]) => l + e).join("");
      if (!finalEol && out.length > 0) out = out.replace(/(\r\n|\r|\n)$/, "");
      return out;
    });
}

/** B derived from A by random line edits, so the two share most lines as real edits do. */
const pairArb = (loneCr = false) =>
  fc.oneof(
    fc.tuple(textArb(loneCr), textArb(loneCr)),
    fc
      .tuple(textArb(loneCr), fc.array(fc.tuple(fc.nat(), fc.constantFrom("drop", "add", "change", "eol")), { maxLength: 6 }), line)
      .map(([a, ops, extra]) => {
        const lines = a.match(/[^\n]*\n|[^\n]+$/g) ?? [];
        for (const [pos, op] of ops) {
          const i = lines.length === 0 ? 0 : pos % lines.length;
          if (op === "drop") lines.splice(i, 1);
          else if (op === "add") lines.splice(i, 0, extra + "\n");
          else if (op === "change" && lines[i] !== undefined) lines[i] = extra + "\r\n";
          else if (op === "eol" && lines[i] !== undefined) lines[i] = lines[i]!.replace(/\r?\n$/, "");
        }
        return [a, lines.join("")] as [string, string];
      }),
  );

function changesetOf(a: string, b: string): Changeset {
  return buildChangeset([{ path: "f.txt", before: a, after: b, tiers: ["whole-file"] }]);
}

/** Apply LSP-style edits one after another, each against the text the previous ones left. */
function applySequentially(text: string, edits: LineEdit[]): string {
  let current = text;
  for (const e of edits) {
    const doc = TextDocument.create("file:///p", "text", 1, current);
    const start = doc.offsetAt({ line: e.startLine, character: e.startCharacter });
    const end = doc.offsetAt({ line: e.endLine, character: e.endCharacter });
    current = current.slice(0, start) + e.newText + current.slice(end);
  }
  return current;
}

/** The reference for a subset of hunks: splice them into A one at a time, in the given order. */
function oneByOne(a: string, b: string, hunks: Hunk[]): string {
  const lines = splitKeepingEnds(a);
  const after = splitKeepingEnds(b);
  const applied: { at: number; delta: number }[] = [];
  for (const h of hunks) {
    const oldIndex = h.oldLines === 0 ? h.oldStart : h.oldStart - 1;
    const newIndex = h.newLines === 0 ? h.newStart : h.newStart - 1;
    const shift = applied.filter((p) => p.at < oldIndex).reduce((sum, p) => sum + p.delta, 0);
    lines.splice(oldIndex + shift, h.oldLines, ...after.slice(newIndex, newIndex + h.newLines));
    applied.push({ at: oldIndex, delta: h.newLines - h.oldLines });
  }
  return lines.join("");
}

describe("changeset properties", () => {
  it("all hunks turn A into B exactly", () => {
    fc.assert(
      fc.property(pairArb(), ([a, b]) => {
        const changes = changesetOf(a, b);
        const result = applyHunks(changes, undefined);
        if (a === b) expect(result.size).toBe(0);
        else expect(result.get("f.txt")).toBe(b);
      }),
      { numRuns: 400 },
    );
  });

  it("the unified diff text applies to A and gives B", () => {
    fc.assert(
      fc.property(pairArb(), ([a, b]) => {
        const changes = changesetOf(a, b);
        expect(applyPatch(a, changes.diff)).toBe(b);
      }),
      { numRuns: 300 },
    );
  });

  it("a subset of hunks gives the same text taken together or one by one in any order", () => {
    fc.assert(
      fc.property(pairArb(), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), ([a, b], pick, order) => {
        const changes = changesetOf(a, b);
        const chosen = changes.hunks.filter((_, i) => pick[i]);
        const together = applyHunks(changes, chosen.map((h) => h.hunkId));
        const shuffled = [...chosen].sort((x, y) => (order[changes.hunks.indexOf(x)] ?? 0) - (order[changes.hunks.indexOf(y)] ?? 0));
        if (chosen.length === 0) expect(together.size).toBe(0);
        else expect(together.get("f.txt")).toBe(oneByOne(a, b, shuffled));
      }),
      { numRuns: 400 },
    );
  });

  it("hunk ids are h1..hN in position order and the same for the same input", () => {
    fc.assert(
      fc.property(pairArb(), ([a, b]) => {
        const first = changesetOf(a, b);
        const second = changesetOf(a, b);
        expect(second).toEqual(first);
        first.hunks.forEach((h, i) => {
          expect(h.hunkId).toBe(`h${i + 1}`);
          if (i > 0) expect(h.oldStart).toBeGreaterThan(first.hunks[i - 1]!.oldStart);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("creating and deleting a file is one hunk each", () => {
    fc.assert(
      fc.property(textArb(), (t) => {
        const changes = buildChangeset([
          { path: "new.txt", before: null, after: t, tiers: ["new-file"] },
          { path: "old.txt", before: t, after: null, tiers: ["delete"] },
        ]);
        expect(changes.hunks.map((h) => [h.path, h.kind])).toEqual([
          ["new.txt", "create"],
          ["old.txt", "delete"],
        ]);
        const all = applyHunks(changes, undefined);
        expect(all.get("new.txt")).toBe(t);
        expect(all.get("old.txt")).toBeNull();
        expect(applyHunks(changes, ["h1"]).has("old.txt")).toBe(false);
      }),
    );
  });
});

describe("line edit properties", () => {
  it("applied all at once (LSP semantics) the edits turn A into B exactly", () => {
    fc.assert(
      fc.property(pairArb(true), ([a, b]) => {
        const doc = TextDocument.create("file:///p", "text", 1, a);
        const edits = lineEdits(a, b).map((e) => ({
          range: { start: { line: e.startLine, character: e.startCharacter }, end: { line: e.endLine, character: e.endCharacter } },
          newText: e.newText,
        }));
        expect(TextDocument.applyEdits(doc, edits)).toBe(b);
      }),
      { numRuns: 500 },
    );
  });

  it("applied one after another in the order given, the edits turn A into B exactly", () => {
    fc.assert(
      fc.property(pairArb(true), ([a, b]) => {
        expect(applySequentially(a, lineEdits(a, b))).toBe(b);
      }),
      { numRuns: 500 },
    );
  });

  it("edits cover changed lines only, never the whole text when a line is shared at both ends", () => {
    fc.assert(
      fc.property(textArb(), line, (middle, changed) => {
        const a = `first line\n${middle}\nlast line\n`;
        const b = `first line\n${middle}\n${changed}-changed\nlast line\n`;
        const edits = lineEdits(a, b);
        expect(edits.length).toBeGreaterThan(0);
        for (const e of edits) {
          expect(e.startLine).toBeGreaterThan(0);
          expect(e.newText).not.toContain("first line");
          expect(e.newText).not.toContain("last line");
        }
      }),
    );
  });
});

describe("format round trips", () => {
  const contentLine = fc.constantFrom(...pool.filter((l) => l !== "..."));
  const contentArb = fc.array(contentLine, { minLength: 1, maxLength: 12 });

  it("a whole-file listing of any content gives that content, in the file's own line endings", () => {
    fc.assert(
      fc.property(contentArb, fc.constantFrom("\n", "\r\n"), fc.boolean(), (content, eol, finalEol) => {
        const original = "old\n".replace("\n", eol) + (finalEol ? "" : "tail");
        const response = `src/f.txt\n\`\`\`\n${content.join("\n")}\n\`\`\`\n`;
        const files = [{ path: "src/f.txt", text: original }];
        const parsed = parseEdits(response, files);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const applied = applyEdits(files, parsed.blocks);
        if (!applied.ok) {
          // Only an all-blank listing of a non-empty file is refused (it would erase the file).
          expect(content.every((l) => l.trim() === "")).toBe(true);
          return;
        }
        const expected = content.join(eol) + (finalEol ? eol : "");
        expect(applied.files[0]?.after ?? original).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("an exact SEARCH of a unique stretch replaces exactly that stretch", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.nat(),
        fc.array(contentLine, { maxLength: 5 }),
        fc.constantFrom("\n", "\r\n"),
        (numbers, p, q, replacement, eol) => {
          const lines = numbers.map((n, i) => `value_${i}_${n} = ${n}`);
          const start = p % lines.length;
          const end = start + 1 + (q % (lines.length - start));
          const text = lines.join(eol) + eol;
          const search = lines.slice(start, end).join("\n");
          const response = `f.py\n\`\`\`\n<<<<<<< SEARCH\n${search}\n=======\n${replacement.join("\n")}${replacement.length ? "\n" : ""}>>>>>>> REPLACE\n\`\`\`\n`;
          const files = [{ path: "f.py", text }];
          const parsed = parseEdits(response, files);
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          const applied = applyEdits(files, parsed.blocks);
          expect(applied.ok).toBe(true);
          if (!applied.ok) return;
          const want = [...lines.slice(0, start), ...replacement, ...lines.slice(end)];
          const expected = want.length ? want.join(eol) + eol : "";
          expect(applied.files[0]?.after ?? text).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("parser robustness", () => {
  const tricky = [
    "src/a.py", "**src/a.py**", "`src/b.js`:", "# src/a.py", "Here is `src/a.py`:", "unknown.txt", "../up.py",
    "```", "```python", "````", "~~~", "```diff", "```bash", "```src/a.py",
    "<<<<<<< SEARCH", "=======", ">>>>>>> REPLACE", "------- SEARCH", "+++++++ REPLACE", "<<<<<<< HEAD",
    "--- a/src/a.py", "+++ b/src/a.py", "--- /dev/null", "+++ /dev/null", "@@ -1,2 +1,2 @@", "@@ ... @@", "\\ No newline at end of file",
    "-x = 1", "+x = 2", " x = 1", "x = 1", "    return 1", "...", "# ... existing code ...", "", "<think>", "</think>", "def f():",
  ];
  const files = [
    { path: "src/a.py", text: "x = 1\ny = 2\n\ndef f():\n    return 1\n" },
    { path: "src/b.js", text: "let x = 1;\r\nlet y = 2;\r\n" },
  ];

  it("never throws on arbitrary answers, and every block it returns names a file in play", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tricky), { maxLength: 40 }), fc.boolean(), (lines, allowNewFiles) => {
        const answer = lines.join("\n");
        const parsed = parseEdits(answer, files, { allowNewFiles });
        if (!parsed.ok) {
          expect(parsed.reason.length).toBeGreaterThan(10);
          return;
        }
        expect(parsed.blocks.length).toBeGreaterThan(0);
        parsed.blocks.forEach((b, i) => {
          expect(b.index).toBe(i);
          if (!allowNewFiles) expect(files.map((f) => f.path)).toContain(b.path);
          expect(b.path.split("/")).not.toContain("..");
        });
        const inPlay = [...files, ...parsed.blocks.filter((b) => !files.some((f) => f.path === b.path)).map((b) => ({ path: b.path, text: null }))];
        const applied = applyEdits(inPlay, parsed.blocks);
        if (!applied.ok) {
          expect(applied.failures.length).toBeGreaterThan(0);
          expect(applied.message).toContain("no file was changed");
        } else {
          for (const f of applied.files) expect(f.after).not.toBe(f.before);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("line index", () => {
  it("finds exactly the lines a full scan finds, through any sequence of splices", async () => {
    const { LineIndex } = await import("../../../server/src/agent/edit/line-index.js");
    const word = fc.constantFrom("a", " a", "b\t", "c", "", "  ");
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 30 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(4), fc.array(word, { maxLength: 4 })), { maxLength: 90 }),
        (initial, splices) => {
          const lines = [...initial];
          const index = new LineIndex(lines);
          for (const [at, length, inserted] of splices) {
            const start = lines.length === 0 ? 0 : at % (lines.length + 1);
            const end = Math.min(lines.length, start + length);
            lines.splice(start, end - start, ...inserted);
            index.noteSplice(start, end, inserted.length);
            for (const key of ["a", "b", "c", ""]) {
              const expected = lines.flatMap((l, i) => (l.trim() === key ? [i] : []));
              expect(index.positions(key)).toEqual(expected);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("changesets of long texts", () => {
  /** A long text of mostly unique lines, with some repeated ones, and a copy with scattered edits. */
  const longPair = fc
    .tuple(
      fc.integer({ min: 1000, max: 2500 }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom("drop", "add", "change", "dup", "eol")), { minLength: 1, maxLength: 40 }),
      fc.constantFrom("\n", "\r\n"),
      fc.boolean(),
    )
    .map(([count, ops, eol, finalEol]) => {
      const lines = Array.from({ length: count }, (_, i) => (i % 7 === 0 ? "}" : i % 11 === 0 ? "" : `line ${i} of the file`) + eol);
      if (!finalEol) lines[lines.length - 1] = lines[lines.length - 1]!.replace(/\r?\n$/, "");
      const before = lines.join("");
      const edited = [...lines];
      for (const [pos, op] of ops) {
        const i = pos % edited.length;
        if (op === "drop") edited.splice(i, 1);
        else if (op === "add") edited.splice(i, 0, `added ${pos}${eol}`);
        else if (op === "change") edited[i] = `changed ${pos}${eol}`;
        else if (op === "dup") edited.splice(i, 0, edited[i]!);
        else edited[i] = edited[i]!.replace(/\r?\n$/, "\n");
      }
      let after = edited.join("");
      if (!/\n$/.test(edited[edited.length - 1] ?? "\n") && after.endsWith("\n") === false && finalEol) after += eol;
      return [before, after] as [string, string];
    });

  it("all hunks, the diff text and any subset of hunks give the right texts", () => {
    fc.assert(
      fc.property(longPair, fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }), ([a, b], pick) => {
        const changes = changesetOf(a, b);
        if (a === b) return;
        expect(applyHunks(changes, undefined).get("f.txt")).toBe(b);
        expect(applyPatch(a, changes.diff)).toBe(b);
        const chosen = changes.hunks.filter((_, i) => pick[i % pick.length]);
        const together = applyHunks(changes, chosen.map((h) => h.hunkId));
        if (chosen.length > 0) expect(together.get("f.txt")).toBe(oneByOne(a, b, [...chosen].reverse()));
        changes.hunks.forEach((h, i) => {
          if (i > 0) {
            const prev = changes.hunks[i - 1]!;
            // Hunks of a valid diff never touch: at least one unchanged line lies between them.
            expect(h.oldStart).toBeGreaterThan(prev.oldStart + prev.oldLines);
          }
        });
      }),
      { numRuns: 60 },
    );
  });
});
