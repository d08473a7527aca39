/**
 * From the blocks as read to the edit blocks of the answer: a block repeated word for word counts
 * once, two different listings of one file are an error, and a fence named only weakly (by prose,
 * or by being the single file in play) never replaces a real edit of that file, nor a file it
 * shares not one line with. An answer left with no edit at all is an error that says why.
 */
import type { EditBlock } from "../types.js";
import { ParseError, type AnswerScan, type Draft, type NameSource } from "./scan.js";

export function settleDrafts(scan: AnswerScan): EditBlock[] {
  // Paths with an edit that is unmistakably an edit: a named listing, a block, a diff.
  const edited = new Set(scan.drafts.filter((d) => d.kind !== "whole-file" || !isWeak(d.source)).map((d) => d.path));
  const kept: Draft[] = [];
  for (const draft of scan.drafts) {
    if (draft.kind === "whole-file" && isWeak(draft.source)) {
      // A fence named only by prose or by being the single file never replaces a real edit of
      // that file, before or after it: it is an excerpt, an example, a command to run.
      if (edited.has(draft.path)) continue;
      if (kept.some((k) => k.path === draft.path)) continue;
      // Nor is a fence that shares not one line with the file it would replace: that is a usage
      // example or a command, and taking it as the file would erase the file.
      if (sharesNoLine(scan, draft.path, draft.content)) {
        scan.unnamedFences++;
        continue;
      }
    }
    const twin = kept.find((k) => sameDraft(k, draft));
    if (twin) continue;
    if (draft.kind === "whole-file") {
      const other = kept.find((k) => k.kind === "whole-file" && k.path === draft.path);
      if (other) throw new ParseError(`Your answer has two different listings of ${draft.path}. Send one complete listing per file.`);
    }
    kept.push(draft);
  }
  if (kept.length === 0) {
    if (scan.unnamedFences > 0) {
      throw new ParseError(
        `Your answer has code blocks, but none says which file it is for. Write the file's path alone on the line just above each opening fence.`,
      );
    }
    throw new ParseError(`Your answer has no edits in it. Write each change as a file listing or a SEARCH/REPLACE block, as described.`);
  }
  return kept.map((draft, index) => toBlock(draft, index));
}

function isWeak(source: NameSource): boolean {
  return source === "prose" || source === "single";
}

/** True when the file has several lines of text and `content` repeats none of them. */
function sharesNoLine(scan: AnswerScan, path: string, content: string): boolean {
  const text = scan.files.find((f) => f.path === path)?.text;
  if (!text) return false;
  const original = new Set(text.split("\n").map((l) => l.trim()).filter((l) => l !== ""));
  if (original.size < 3) return false;
  return !content.split("\n").some((l) => original.has(l.trim()));
}

function sameDraft(a: Draft, b: Draft): boolean {
  if (a.kind !== b.kind || a.path !== b.path) return false;
  if (a.kind === "whole-file" && b.kind === "whole-file") return a.content === b.content;
  if (a.kind === "search-replace" && b.kind === "search-replace") return a.search === b.search && a.replace === b.replace;
  if (a.kind === "unified-diff" && b.kind === "unified-diff") return a.patch === b.patch;
  return a.kind === "delete";
}

function toBlock(draft: Draft, index: number): EditBlock {
  switch (draft.kind) {
    case "whole-file":
      return { kind: "whole-file", index, path: draft.path, content: draft.content };
    case "search-replace":
      return { kind: "search-replace", index, path: draft.path, search: draft.search, replace: draft.replace };
    case "unified-diff":
      return { kind: "unified-diff", index, path: draft.path, patch: draft.patch };
    case "delete":
      return { kind: "delete", index, path: draft.path };
  }
}
