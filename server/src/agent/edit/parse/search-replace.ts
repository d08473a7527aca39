/**
 * SEARCH/REPLACE blocks: `<<<<<<< SEARCH`, the lines to find, `=======`, the lines to put there,
 * `>>>>>>> REPLACE` (with Cline's `------- SEARCH` and `+++++++ REPLACE` too). Bare in the answer or
 * inside a fence, several to a fence, each named by the line above it or by the fence's name. Between
 * the markers everything is content, fences included, so markers rather than fences decide where a
 * fenced group of blocks ends.
 */
import { nameFromLine } from "../names.js";
import { ParseError, type AnswerScan, type BlockReader, type Named } from "./scan.js";
import { closes, DIVIDER, fenceOpen, joinLines, REPLACE, SEARCH, type Fence } from "./syntax.js";

export const searchReplaceReader: BlockReader = {
  claims(scan, at, fence) {
    if (!fence) return SEARCH.test(scan.lines[at]!);
    // A fence holding SEARCH/REPLACE blocks: a marker before the fence closes (or a named fence opens).
    for (let j = at + 1; j < scan.lines.length; j++) {
      const line = scan.lines[j]!;
      if (SEARCH.test(line)) return true;
      if (closes(line, fence.marker) || fenceOpen(line)?.info) return false;
    }
    return false;
  },
  read(scan, at, fence) {
    return fence ? searchReplaceFence(scan, at, fence) : searchReplace(scan, at, scan.nameBefore(at, at - 3));
  },
};

/** Parse one SEARCH/REPLACE block whose SEARCH marker is at line `at`; returns the line after it. */
function searchReplace(scan: AnswerScan, at: number, named: Named | undefined): number {
  const lines = scan.lines;
  const label = scan.blockLabel("SEARCH/REPLACE");
  let j = at + 1;
  const search: string[] = [];
  for (; ; j++) {
    if (j >= lines.length) {
      throw new ParseError(`${label} ends before its "=======" line: the answer looks cut off. Send the whole block again.`);
    }
    const line = lines[j]!;
    if (DIVIDER.test(line)) break;
    if (SEARCH.test(line) || REPLACE.test(line)) {
      throw new ParseError(
        `${label} has no "=======" line between "<<<<<<< SEARCH" and "${line.trim()}" (line ${j + 1} of your answer). Each block needs SEARCH, =======, REPLACE in that order.`,
      );
    }
    search.push(line);
  }
  const replace: string[] = [];
  for (j++; ; j++) {
    if (j >= lines.length) {
      throw new ParseError(`${label} ends before its ">>>>>>> REPLACE" line: the answer looks cut off. Send the whole block again.`);
    }
    const line = lines[j]!;
    if (REPLACE.test(line)) break;
    if (SEARCH.test(line)) {
      throw new ParseError(
        `${label} has no ">>>>>>> REPLACE" line before the next "<<<<<<< SEARCH" (line ${j + 1} of your answer). End every block with ">>>>>>> REPLACE".`,
      );
    }
    replace.push(line);
  }
  const searchText = joinLines(search);
  const createsFile = searchText.trim() === "";
  const { path, source } = scan.fileOfBlock(
    named,
    createsFile,
    label,
    "does not say which file it edits. Write the file's path alone on the line just above the opening fence.",
  );
  scan.lastPath = path;
  scan.drafts.push({ kind: "search-replace", path, source, search: searchText, replace: joinLines(replace) });
  return j + 1;
}

/** The blocks of a fence opening at `at`; returns the line after the fence (or after the last block). */
function searchReplaceFence(scan: AnswerScan, at: number, fence: Fence): number {
  const lines = scan.lines;
  const outer = scan.nameForFence(at, fence);
  let j = at + 1;
  let first = true;
  while (j < lines.length) {
    const line = lines[j]!;
    if (line.trim() === "") {
      j++;
      continue;
    }
    if (SEARCH.test(line)) {
      const inside = scan.nameBefore(j, at + 1);
      const named = inside ?? (first ? outer : undefined);
      j = searchReplace(scan, j, named);
      first = false;
      continue;
    }
    // Any bare fence ends the blocks, even one shorter than the opening (models mix ``` and ````).
    if (closes(line, fence.marker) || (!first && fenceOpen(line)?.info === "")) return j + 1;
    // A name line introducing the next block inside the same fence.
    if (nameFromLine(line, scan.inPlay) && nextNonBlankIsSearch(scan, j + 1)) {
      j++;
      continue;
    }
    if (first) {
      j++;
      continue;
    }
    return j;
  }
  return j;
}

function nextNonBlankIsSearch(scan: AnswerScan, from: number): boolean {
  for (let j = from; j < scan.lines.length; j++) {
    const line = scan.lines[j]!;
    if (line.trim() === "") continue;
    const fence = fenceOpen(line);
    if (fence && !fence.info) continue;
    return SEARCH.test(line);
  }
  return false;
}
