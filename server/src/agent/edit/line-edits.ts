/**
 * Line-level text edits from one text to another, for `workspace/applyEdit`. Replacing a whole
 * buffer makes editors drop marks, folds and the cursor's place and gives one giant undo step;
 * edits that cover only the changed lines keep all of that.
 *
 * Lines here are LSP lines: "\r\n", "\r" and "\n" all end one, and characters are UTF-16 code
 * units, which is what JavaScript string lengths count.
 */
import { diffArrays } from "diff";
import type { LineEdit } from "./types.js";

const BOM = "\uFEFF";

/** Split into LSP lines, each keeping its terminator. */
function lspLines(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/**
 * The edits that turn `before` into `after`, ordered from the end of the document to its start.
 * When both texts start with a byte-order mark, positions are counted without it, as editors do.
 * That order means applying them one after another gives the same result as applying them all at
 * once against `before`, the way LSP defines a `TextEdit[]`: no edit moves the place of another.
 */
export function lineEdits(before: string, after: string): LineEdit[] {
  if (before === after) return [];
  // Editors keep a file's byte-order mark outside the buffer's text, so positions must not count it.
  if (before.startsWith(BOM) && after.startsWith(BOM)) return lineEdits(before.slice(1), after.slice(1));
  const oldLines = lspLines(before);
  const newLines = lspLines(after);
  const count = oldLines.length;
  const last = oldLines[count - 1];
  const endsOpen = last !== undefined && !/[\r\n]$/.test(last);
  const position = (index: number): { line: number; character: number } => {
    if (index < count) return { line: index, character: 0 };
    return endsOpen ? { line: count - 1, character: last!.length } : { line: count, character: 0 };
  };

  const edits: LineEdit[] = [];
  let oldIndex = 0;
  let pending: { start: number; removed: number; added: string[] } | undefined;
  const flush = () => {
    if (!pending) return;
    const appended = pending.removed === 0 && pending.start === count && count > 0 && !endsOpen ? appendBeforeFinalBreak(count - 1, last!, pending.added.join("")) : undefined;
    // An edit that ends where the insertion would go (before an empty last line) would make two
    // edits at one position, whose order LSP leaves to the array; keep the plain shape then.
    const previous = edits[edits.length - 1];
    const collides = previous !== undefined && previous.endLine === appended?.startLine && previous.endCharacter === appended.startCharacter;
    if (appended && !collides) {
      edits.push(appended);
      pending = undefined;
      return;
    }
    const start = position(pending.start);
    const end = position(pending.start + pending.removed);
    edits.push({
      startLine: start.line,
      startCharacter: start.character,
      endLine: end.line,
      endCharacter: end.character,
      newText: pending.added.join(""),
    });
    pending = undefined;
  };
  for (const change of diffArrays(oldLines, newLines)) {
    if (!change.added && !change.removed) {
      flush();
      oldIndex += change.count ?? change.value.length;
      continue;
    }
    pending ??= { start: oldIndex, removed: 0, added: [] };
    if (change.removed) {
      pending.removed += change.value.length;
      oldIndex += change.value.length;
    } else {
      pending.added.push(...change.value);
    }
  }
  flush();
  return edits.reverse();
}

/**
 * Lines added after the last line of a file that ends with a line break, as an insertion just
 * before that break: "last⏎" + "new⏎" is sent as "⏎new" inserted at the end of "last". Both shapes
 * mean the same text, but the plain one starts on the line after the last, and Neovim 0.8 to 0.12
 * append such an edit with the trailing empty piece of its text as one more line and skip their
 * end-of-buffer clean-up (fixed upstream in neovim/neovim#40133), which leaves a blank line that
 * `:write` puts on disk. Every position here lies inside the document, which every editor takes alike.
 */
function appendBeforeFinalBreak(lastIndex: number, lastLine: string, added: string): LineEdit | undefined {
  const body = lastLine.replace(/(\r\n|\r|\n)$/, "");
  const lastBreak = lastLine.slice(body.length);
  // Added text that ends otherwise (without a break, or with another kind) cannot keep the old
  // break at the very end, so it keeps the plain shape.
  if (/(\r\n|\r|\n)$/.exec(added)?.[1] !== lastBreak) return undefined;
  return {
    startLine: lastIndex,
    startCharacter: body.length,
    endLine: lastIndex,
    endCharacter: body.length,
    // The old final break now ends the last added line, so the text moves it to the front.
    newText: lastBreak + added.slice(0, added.length - lastBreak.length),
  };
}

