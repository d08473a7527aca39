/**
 * Unified diffs, which some models write unasked: in a `diff` or `patch` fence (or any fence whose
 * first line is a diff header or a hunk), or bare in the answer from a `diff --git` or a `---` line
 * followed by a `+++` line. A diff of several files becomes one block per file; `--- /dev/null`
 * creates a file and `+++ /dev/null` deletes one. The diff's own `+++` header names the file more
 * surely than anything around it.
 */
import { ParseError, type AnswerScan, type BlockReader, type Named } from "./scan.js";
import { closes, fenceLanguage, type Fence } from "./syntax.js";

export const unifiedDiffReader: BlockReader = {
  claims(scan, at, fence) {
    if (!fence) return diffStartsAt(scan, at);
    const lang = fenceLanguage(fence);
    if (lang === "diff" || lang === "patch" || lang === "udiff") return true;
    let j = at + 1;
    while (j < scan.lines.length && scan.lines[j]!.trim() === "") j++;
    return diffStartsAt(scan, j) || /^@@ .*@@/.test(scan.lines[j] ?? "");
  },
  read(scan, at, fence) {
    return fence ? diffFence(scan, at, fence) : rawDiff(scan, at);
  },
};

/** A diff starts with `diff --git`, or a `--- ` line directly followed by a `+++ ` line. */
function diffStartsAt(scan: AnswerScan, at: number): boolean {
  const line = scan.lines[at];
  if (line === undefined) return false;
  if (line.startsWith("diff --git ")) return true;
  return line.startsWith("--- ") && (scan.lines[at + 1] ?? "").startsWith("+++ ");
}

function diffFence(scan: AnswerScan, at: number, fence: Fence): number {
  const lines = scan.lines;
  let close = -1;
  for (let j = at + 1; j < lines.length; j++) {
    if (closes(lines[j]!, fence.marker)) {
      close = j;
      break;
    }
  }
  const named = scan.nameForFence(at, fence);
  if (close < 0) {
    throw new ParseError(`${scan.blockLabel("diff")} has no closing fence: the answer looks cut off. Send the whole diff again.`);
  }
  diffSections(scan, lines.slice(at + 1, close), named);
  return close + 1;
}

function rawDiff(scan: AnswerScan, at: number): number {
  const lines = scan.lines;
  let j = at;
  while (j < lines.length) {
    const line = lines[j]!;
    if (/^(?:diff |index |--- |\+\+\+ |@@|[ +\-\\]|new file mode|deleted file mode|old mode|new mode|similarity|rename )/.test(line)) {
      j++;
      continue;
    }
    // An empty line inside a hunk is an empty context line when the diff goes on after it.
    if (line === "" && j + 1 < lines.length && /^(?:[ +\-]|@@)/.test(lines[j + 1]!)) {
      j++;
      continue;
    }
    break;
  }
  diffSections(scan, lines.slice(at, j), scan.nameBefore(at, at - 2));
  return j;
}

/** Split diff text into one block per file. */
function diffSections(scan: AnswerScan, body: string[], named: Named | undefined): void {
  interface Section {
    oldPath?: string;
    newPath?: string;
    gitPaths?: [string, string];
    hunk: string[];
  }
  const sections: Section[] = [];
  let current: Section = { hunk: [] };
  const startSection = () => {
    if (current.hunk.length > 0 || current.oldPath || current.gitPaths) sections.push(current);
    current = { hunk: [] };
  };
  for (let j = 0; j < body.length; j++) {
    const line = body[j]!;
    const git = /^diff --git (\S+) (\S+)$/.exec(line);
    if (git) {
      startSection();
      current.gitPaths = [git[1]!, git[2]!];
      continue;
    }
    if (line.startsWith("--- ") && (body[j + 1] ?? "").startsWith("+++ ")) {
      if (current.hunk.length > 0 || current.oldPath) startSection();
      current.oldPath = headerPath(line.slice(4));
      current.newPath = headerPath(body[j + 1]!.slice(4));
      j++;
      continue;
    }
    if (/^(?:index |new file mode|deleted file mode|old mode|new mode|similarity|rename |Index: |={5,}$)/.test(line)) continue;
    current.hunk.push(line);
  }
  startSection();

  for (const section of sections) {
    let oldPath = section.oldPath ?? section.gitPaths?.[0];
    let newPath = section.newPath ?? section.gitPaths?.[1];
    if (oldPath && newPath) [oldPath, newPath] = stripPrefixes(oldPath, newPath);
    const hunk = trimBlankEdges(section.hunk);
    const changes = hunk.some((l) => /^[+-]/.test(l) && !/^(?:\+\+\+|---) /.test(l));
    const label = scan.blockLabel("diff");
    if (newPath === "/dev/null" && oldPath && oldPath !== "/dev/null") {
      const path = scan.resolve(oldPath, false, label);
      scan.drafts.push({ kind: "delete", path, source: "header" });
      scan.lastPath = path;
      continue;
    }
    if (!changes) continue;
    const creates = oldPath === "/dev/null";
    // The diff's own "+++" header names the file more surely than anything around the fence.
    const { path, source } = scan.fileOfBlock(
      newPath && newPath !== "/dev/null" ? { name: newPath, source: "header" } : named,
      creates,
      label,
      'does not say which file it changes. Start it with "--- path" and "+++ path" lines, or write the path alone above the fence.',
    );
    scan.lastPath = path;
    scan.drafts.push({ kind: "unified-diff", path, source, patch: hunk.join("\n") });
  }
}

/** The path of a `---`/`+++` header, without a timestamp or quotes. */
function headerPath(raw: string): string {
  let t = raw.replace(/\t.*$/, "").trim();
  if (/^".*"$/.test(t)) t = t.slice(1, -1);
  return t;
}

/** Drop git's `a/` and `b/` prefixes when both sides carry them (or one side is /dev/null). */
function stripPrefixes(oldPath: string, newPath: string): [string, string] {
  const oldOk = oldPath === "/dev/null" || oldPath.startsWith("a/");
  const newOk = newPath === "/dev/null" || newPath.startsWith("b/");
  if (oldOk && newOk) {
    return [oldPath === "/dev/null" ? oldPath : oldPath.slice(2), newPath === "/dev/null" ? newPath : newPath.slice(2)];
  }
  return [oldPath, newPath];
}

function trimBlankEdges(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === "") start++;
  while (end > start && lines[end - 1]!.trim() === "") end--;
  return lines.slice(start, end);
}
