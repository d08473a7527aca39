// The edit corpus: every JSON file in test/fixtures/edits/ is one case (files in play, a model's
// answer, and either the files it must produce or the error it must give). Each successful case is
// also checked through the changeset and the editor edits, so the whole path from model text to
// the bytes an editor receives is exercised on realistic answers.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import { describe, expect, it } from "vitest";
import {
  applyEdits,
  applyHunks,
  buildChangeset,
  lineEdits,
  parseEdits,
  type FileInPlay,
  type MatchTier,
} from "../../../server/src/agent/edit/index.js";

/** Texts are written as a string, or as an array of lines joined with "\n" (a final "" gives a final newline). */
type Text = string | string[];

interface Case {
  description: string;
  files: Record<string, Text | null>;
  windows?: Record<string, { startLine: number; endLine: number }>;
  allowNewFiles?: boolean;
  response: Text;
  expect:
    | { files: Record<string, Text | null>; tiers?: Record<string, MatchTier[]>; hunkTiers?: MatchTier[] }
    | { error: "parse" | "apply"; contains?: string[]; failedBlocks?: number[] };
}

const dir = join(import.meta.dirname, "../../fixtures/edits");
const names = readdirSync(dir).filter((n) => n.endsWith(".json")).sort();
const text = (t: Text): string => (Array.isArray(t) ? t.join("\n") : t);

describe("edit corpus", () => {
  it("has at least 150 cases", () => {
    expect(names.length).toBeGreaterThanOrEqual(150);
  });

  for (const name of names) {
    const c = JSON.parse(readFileSync(join(dir, name), "utf8")) as Case;
    it(`${name.replace(/\.json$/, "")}: ${c.description}`, () => {
      const files: FileInPlay[] = Object.entries(c.files).map(([path, t]) => ({
        path,
        text: t === null ? null : text(t),
        ...(c.windows?.[path] ? { window: c.windows[path] } : {}),
      }));
      const parsed = parseEdits(text(c.response), files, { allowNewFiles: c.allowNewFiles });
      const expected = c.expect;
      if ("error" in expected && expected.error === "parse") {
        expect(parsed.ok, "the answer should not parse").toBe(false);
        if (!parsed.ok) for (const part of expected.contains ?? []) expect(parsed.reason).toContain(part);
        return;
      }
      if (!parsed.ok) throw new Error(`parse failed: ${parsed.reason}`);
      // New files the answer may create join the files in play, as `burrow edits apply` does.
      const inPlay = [...files];
      for (const block of parsed.blocks) {
        if (!inPlay.some((f) => f.path === block.path)) inPlay.push({ path: block.path, text: null });
      }
      const applied = applyEdits(inPlay, parsed.blocks);
      if ("error" in expected) {
        expect(applied.ok, "the edits should not apply").toBe(false);
        if (!applied.ok) {
          for (const part of expected.contains ?? []) expect(applied.message).toContain(part);
          if (expected.failedBlocks) expect(applied.failures.map((f) => f.index)).toEqual(expected.failedBlocks);
        }
        return;
      }
      if (!applied.ok) throw new Error(`apply failed: ${applied.message}`);
      const got = Object.fromEntries(applied.files.map((f) => [f.path, f.after]));
      const want = Object.fromEntries(Object.entries(expected.files).map(([p, t]) => [p, t === null ? null : text(t)]));
      expect(got).toEqual(want);
      if (expected.tiers) {
        expect(Object.fromEntries(applied.files.map((f) => [f.path, f.tiers]))).toEqual(expected.tiers);
      }

      // The same result must come out of the changeset and out of the editor edits.
      const changeset = buildChangeset(applied.files);
      if (expected.hunkTiers) expect(changeset.hunks.map((h) => h.tier)).toEqual(expected.hunkTiers);
      const all = applyHunks(changeset, undefined);
      for (const file of applied.files) {
        expect(all.get(file.path)).toEqual(file.after);
        if (file.before !== null && file.after !== null) {
          // Editors hold a file's byte-order mark outside the buffer text, and so do line edits.
          const bom = file.before.startsWith("\uFEFF") && file.after.startsWith("\uFEFF") ? 1 : 0;
          const doc = TextDocument.create("file:///x", "text", 1, file.before.slice(bom));
          const edits = lineEdits(file.before, file.after).map((e) => ({
            range: { start: { line: e.startLine, character: e.startCharacter }, end: { line: e.endLine, character: e.endCharacter } },
            newText: e.newText,
          }));
          expect(TextDocument.applyEdits(doc, edits)).toBe(file.after.slice(bom));
        }
      }
    });
  }
});
