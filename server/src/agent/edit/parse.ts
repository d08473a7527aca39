/**
 * The liberal parser: a model's answer in, edit blocks out.
 *
 * It reads every format whatever the model was asked for: whole-file listings, SEARCH/REPLACE
 * blocks and unified diffs, in fences of any length, with the file name wherever models put it.
 * What it will not do is guess: a block that is cut off, a block for a file that is not in play,
 * or two different listings of one file are errors with a sentence the model can act on, and a
 * fence it cannot attribute to a file is treated as prose rather than as an edit.
 */
import {
  SHELL_LANGUAGES,
  isPlainRelativePath,
  nameFromInfo,
  nameFromLine,
  namesInBackticks,
  resolveInPlay,
} from "./names.js";
import type { EditBlock, FileInPlay } from "./types.js";

export interface ParseOptions {
  /**
   * Accept listings, empty-SEARCH blocks and `/dev/null` diffs for paths that are not in play,
   * as new files. `burrow edits apply` allows it; the task pipeline does not, because the approved
   * plan already lists the files it creates.
   */
  allowNewFiles?: boolean;
}

export type ParseResult = { ok: true; blocks: EditBlock[] } | { ok: false; reason: string };

const SEARCH = /^\s*(?:<{3,9}|-{3,9})\s*SEARCH\s*>?\s*$/i;
const DIVIDER = /^\s*={5,9}\s*$/;
const REPLACE = /^\s*(?:>{3,9}|\+{3,9})\s*REPLACE\s*>?\s*$/i;
const FENCE_OPEN = /^\s*(`{3,}|~{3,})\s*([^`]*)$/;
/** The tags of Cline-style tool calls, which carry no content of their own. */
const TOOL_TAG = /^\s*<\/?(?:write_to_file|replace_in_file|diff|content|args|tool_call)>\s*$/i;
const CONTENT_OPEN = /^\s*<content>\s*$/i;
const CONTENT_CLOSE = /^\s*<\/content>\s*$/i;

/** How a block got its file name; names from a name line, the info string or a header are strong. */
type NameSource = "line" | "info" | "inside" | "header" | "prose" | "single" | "inherited";

type Draft = (
  | { kind: "whole-file"; content: string }
  | { kind: "search-replace"; search: string; replace: string }
  | { kind: "unified-diff"; patch: string }
  | { kind: "delete" }
) & { path: string; source: NameSource };

class ParseError extends Error {}

interface Fence {
  marker: string;
  info: string;
}

function fenceOpen(line: string): Fence | undefined {
  const m = FENCE_OPEN.exec(line);
  return m ? { marker: m[1]!, info: m[2]!.trim() } : undefined;
}

function closes(line: string, marker: string): boolean {
  const t = line.trim();
  return t.length >= marker.length && t[0] === marker[0] && /^(`+|~+)$/.test(t);
}

/** Parse a model's answer into edit blocks. */
export function parseEdits(response: string, files: FileInPlay[], options: ParseOptions = {}): ParseResult {
  try {
    return { ok: true, blocks: new Parser(response, files, options).run() };
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, reason: err.message };
    throw err;
  }
}

class Parser {
  private readonly lines: string[];
  private readonly inPlay: Set<string>;
  private readonly drafts: Draft[] = [];
  /** The file of the last SEARCH/REPLACE block or diff, for a following block that names none. */
  private lastPath: string | undefined;
  private unnamedFences = 0;
  /** Closing lines of wrapper fences, which are not fences of their own. */
  private readonly skip = new Set<number>();

  constructor(
    response: string,
    private readonly files: FileInPlay[],
    private readonly options: ParseOptions,
  ) {
    this.lines = withoutThinking(response.replace(/\r\n?/g, "\n")).split("\n");
    this.inPlay = new Set(files.map((f) => f.path));
  }

  run(): EditBlock[] {
    const lines = this.lines;
    let i = 0;
    while (i < lines.length) {
      const line = lines[i]!;
      if (this.skip.has(i)) {
        i++;
        continue;
      }
      if (SEARCH.test(line)) {
        i = this.searchReplace(i, this.nameBefore(i, i - 3));
        continue;
      }
      if (this.diffStartsAt(i)) {
        i = this.rawDiff(i);
        continue;
      }
      const fence = fenceOpen(line);
      if (fence) {
        i = this.fenced(i, fence);
        continue;
      }
      if (CONTENT_OPEN.test(line)) {
        i = this.toolContent(i);
        continue;
      }
      i++;
    }
    return this.finish();
  }

  /**
   * A Cline-style `write_to_file` call: `<path>…</path>` then the whole file between `<content>`
   * and `</content>`, which some models trained on such transcripts write unasked. A fence pair
   * around the content is dropped.
   */
  private toolContent(at: number): number {
    const named = this.nameBefore(at, at - 3);
    let close = at + 1;
    while (close < this.lines.length && !CONTENT_CLOSE.test(this.lines[close]!)) close++;
    if (!named) return at + 1;
    const label = this.blockLabel(`listing of ${named.name}`);
    if (close >= this.lines.length) {
      throw new ParseError(`${label} has no closing </content> tag: the answer looks cut off. Send the complete file again.`);
    }
    let body = this.lines.slice(at + 1, close);
    if (body.length >= 2 && fenceOpen(body[0]!) && /^\s*(`{3,}|~{3,})\s*$/.test(body[body.length - 1]!)) body = body.slice(1, -1);
    const path = this.resolve(named.name, true, label);
    this.drafts.push({ kind: "whole-file", path, source: named.source, content: joinLines(body) });
    return close + 1;
  }

  // ---- names -------------------------------------------------------------------------------

  /**
   * The name written just above line `at`: the nearest non-blank line, skipping fence openings
   * (whose info string may hold the name). Looks no further back than `limit`.
   */
  private nameBefore(at: number, limit: number): { name: string; source: NameSource } | undefined {
    for (let j = at - 1; j >= Math.max(0, limit); j--) {
      const line = this.lines[j]!;
      if (line.trim() === "" || TOOL_TAG.test(line)) continue;
      const fence = fenceOpen(line);
      if (fence) {
        const fromInfo = nameFromInfo(fence.info, this.inPlay);
        if (fromInfo) return { name: fromInfo, source: "info" };
        continue;
      }
      if (SEARCH.test(line) || DIVIDER.test(line) || REPLACE.test(line)) return undefined;
      const name = nameFromLine(line, this.inPlay);
      return name ? { name, source: "line" } : undefined;
    }
    return undefined;
  }

  /** The name for a fence opening at line `at`: the line above it, its info string, or a prose line naming one file in play. */
  private nameForFence(at: number, fence: Fence): { name: string; source: NameSource } | undefined {
    let j = at - 1;
    while (j >= 0 && this.lines[j]!.trim() === "") j--;
    if (j >= 0 && !fenceOpen(this.lines[j]!)) {
      const name = nameFromLine(this.lines[j]!, this.inPlay);
      if (name) return { name, source: "line" };
    }
    const fromInfo = nameFromInfo(fence.info, this.inPlay);
    if (fromInfo) return { name: fromInfo, source: "info" };
    if (j >= 0 && !this.isStructural(this.lines[j]!)) {
      const named = namesInBackticks(this.lines[j]!, this.files);
      if (named.length === 1) return { name: named[0]!, source: "prose" };
    }
    return undefined;
  }

  private isStructural(line: string): boolean {
    return Boolean(fenceOpen(line)) || SEARCH.test(line) || DIVIDER.test(line) || REPLACE.test(line);
  }

  /**
   * Turn a written name into the path of a file in play, or of a new file where that is allowed.
   * Throws when the name is ambiguous or names a file outside the task.
   */
  private resolve(name: string, createsFile: boolean, what: string): string {
    const resolved = resolveInPlay(name, this.files);
    if (resolved.kind === "in-play") return resolved.path;
    if (resolved.kind === "ambiguous") {
      throw new ParseError(
        `${what} names "${name}", which could be any of ${resolved.candidates.join(", ")}; write the file's full path as it was given to you.`,
      );
    }
    if (createsFile && this.options.allowNewFiles && isPlainRelativePath(resolved.path)) return resolved.path;
    const known = this.files.map((f) => f.path).join(", ") || "none";
    if (createsFile && !this.options.allowNewFiles) {
      throw new ParseError(
        `${what} creates "${resolved.path}", which is not among the files this task may change (${known}). Only edit the files you were given.`,
      );
    }
    throw new ParseError(
      `${what} edits "${resolved.path}", which is not among the files this task may change (${known}). Only edit the files you were given, using their paths exactly.`,
    );
  }

  private singleFile(): string | undefined {
    return this.files.length === 1 ? this.files[0]!.path : undefined;
  }

  private blockLabel(kind: string): string {
    return `Edit block ${this.drafts.length + 1} (${kind})`;
  }

  /**
   * The file an edit block changes: the name found for it, else the file the previous block
   * changed (models often send several blocks for one file under a single name), else the only
   * file in play. A block with none of these is an error, `unnamed` finishing the sentence that
   * starts with the block's label, since guessing would write to a file the model did not mean.
   */
  private fileOfBlock(
    named: { name: string; source: NameSource } | undefined,
    creates: boolean,
    label: string,
    unnamed: string,
  ): { path: string; source: NameSource } {
    if (named) return { path: this.resolve(named.name, creates, label), source: named.source };
    if (this.lastPath) return { path: this.lastPath, source: "inherited" };
    const only = this.singleFile();
    if (only) return { path: only, source: "single" };
    throw new ParseError(`${label} ${unnamed}`);
  }

  // ---- SEARCH/REPLACE -----------------------------------------------------------------------

  /** Parse one SEARCH/REPLACE block whose SEARCH marker is at line `at`; returns the line after it. */
  private searchReplace(at: number, named: { name: string; source: NameSource } | undefined): number {
    const lines = this.lines;
    const label = this.blockLabel("SEARCH/REPLACE");
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
    const { path, source } = this.fileOfBlock(
      named,
      createsFile,
      label,
      "does not say which file it edits. Write the file's path alone on the line just above the opening fence.",
    );
    this.lastPath = path;
    this.drafts.push({ kind: "search-replace", path, source, search: searchText, replace: joinLines(replace) });
    return j + 1;
  }

  // ---- fences ------------------------------------------------------------------------------

  /** Handle a fence opening at line `at`; returns the line to continue from. */
  private fenced(at: number, fence: Fence): number {
    const lines = this.lines;
    // A fence holding SEARCH/REPLACE blocks: markers, not fences, decide where content ends.
    for (let j = at + 1; j < lines.length; j++) {
      if (SEARCH.test(lines[j]!)) return this.searchReplaceFence(at, fence);
      if (closes(lines[j]!, fence.marker) || fenceOpen(lines[j]!)?.info) break;
    }
    if (this.isDiffFence(at, fence)) return this.diffFence(at, fence);
    if (this.isWrapper(at, fence)) return at + 1;
    return this.listing(at, fence);
  }

  /**
   * A fence around the whole answer ("```markdown" holding the name lines, fences and blocks)
   * is a wrapper, not a listing: its lines are read as if it were not there. It must carry no
   * file name of its own, and hold a SEARCH marker or a named fence of its own.
   */
  private isWrapper(at: number, fence: Fence): boolean {
    const lang = fence.info.split(/\s+/)[0]!.toLowerCase();
    if (!["", "markdown", "md", "text", "txt"].includes(lang)) return false;
    const named = this.nameForFence(at, fence);
    if (named && !isWeak(named.source)) return false;
    const close = this.listingClose(at + 1, fence.marker);
    const end = close < 0 ? this.lines.length : close;
    for (let j = at + 1; j < end; j++) {
      const line = this.lines[j]!;
      const inner = fenceOpen(line);
      const namedInner = inner?.info && j > at + 1 && nameFromLine(this.lines[j - 1]!, this.inPlay);
      if (SEARCH.test(line) || namedInner) {
        if (close >= 0) this.skip.add(close);
        return true;
      }
    }
    return false;
  }

  private searchReplaceFence(at: number, fence: Fence): number {
    const lines = this.lines;
    const outer = this.nameForFence(at, fence);
    let j = at + 1;
    let first = true;
    while (j < lines.length) {
      const line = lines[j]!;
      if (line.trim() === "") {
        j++;
        continue;
      }
      if (SEARCH.test(line)) {
        const inside = this.nameBefore(j, at + 1);
        const named = inside ?? (first ? outer : undefined);
        j = this.searchReplace(j, named);
        first = false;
        continue;
      }
      // Any bare fence ends the blocks, even one shorter than the opening (models mix ``` and ````).
      if (closes(line, fence.marker) || (!first && fenceOpen(line)?.info === "")) return j + 1;
      // A name line introducing the next block inside the same fence.
      if (nameFromLine(line, this.inPlay) && this.nextNonBlankIsSearch(j + 1)) {
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

  private nextNonBlankIsSearch(from: number): boolean {
    for (let j = from; j < this.lines.length; j++) {
      const line = this.lines[j]!;
      if (line.trim() === "") continue;
      const fence = fenceOpen(line);
      if (fence && !fence.info) continue;
      return SEARCH.test(line);
    }
    return false;
  }

  /** Where a listing's fence closes, counting fences opened inside it; -1 when it never closes. */
  private listingClose(from: number, marker: string): number {
    const stack: string[] = [];
    for (let j = from; j < this.lines.length; j++) {
      const line = this.lines[j]!;
      const inner = fenceOpen(line);
      if (!inner || inner.marker[0] !== marker[0]) continue;
      if (inner.info) {
        stack.push(inner.marker);
        continue;
      }
      const top = stack[stack.length - 1];
      if (top !== undefined && closes(line, top)) stack.pop();
      else if (stack.length === 0 && closes(line, marker)) return j;
      else stack.push(inner.marker);
    }
    return -1;
  }

  private listing(at: number, fence: Fence): number {
    const lines = this.lines;
    const close = this.listingClose(at + 1, fence.marker);
    const end = close < 0 ? lines.length : close;
    const content = lines.slice(at + 1, end);
    let named = this.nameForFence(at, fence);
    let body = content;
    if (!named) {
      const inside = this.nameInsideListing(content);
      if (inside) {
        named = { name: inside.path, source: "inside" };
        body = inside.keepFirstLine ? content : content.slice(1);
      }
    }
    const shell = SHELL_LANGUAGES.has(fence.info.split(/\s+/)[0]!.toLowerCase());
    // A shell fence is a command to run, unless a name line gives it a script to be: a shell script
    // or a file without an extension. "src/app.py" above a ```bash fence is a confused command.
    if (named && shell && (!(named.source === "line" || named.source === "info") || !looksLikeScript(named.name))) named = undefined;
    if (!named && !shell) {
      const only = this.singleFile();
      if (only) named = { name: only, source: "single" };
      else this.unnamedFences++;
    }
    if (!named) return close < 0 ? lines.length : close + 1;

    const label = this.blockLabel(`listing of ${named.name}`);
    const weak = named.source === "prose" || named.source === "single";
    if (close < 0) {
      // A cut-off listing of a file already listed is a stray fence, not a second listing.
      if (weak && this.drafts.some((d) => d.path === named!.name)) return lines.length;
      throw new ParseError(
        `${label} has no closing fence: the answer looks cut off. Send the complete file again, ending with the closing fence.`,
      );
    }
    const path = weak ? named.name : this.resolve(named.name, true, label);
    this.drafts.push({ kind: "whole-file", path, source: named.source, content: joinLines(body) });
    return close + 1;
  }

  /**
   * A first content line that is only the name of a file in play, bare or as a comment
   * ("src/a.py", "# src/a.py"), which some models write instead of a name line. The line is dropped from the content unless the file
   * really starts with it.
   */
  private nameInsideListing(content: string[]): { path: string; keepFirstLine: boolean } | undefined {
    const first = content[0];
    if (first === undefined) return undefined;
    const m = /^\s*(?:#+|\/\/+|--|;+|\/\*+|<!--)?\s*(.+?)\s*(?:\*\/|-->)?\s*$/.exec(first);
    if (!m) return undefined;
    const name = nameFromLine(m[1]!, this.inPlay);
    if (!name) return undefined;
    const resolved = resolveInPlay(name, this.files);
    if (resolved.kind !== "in-play") return undefined;
    const text = this.files.find((f) => f.path === resolved.path)?.text;
    const firstLine = text?.split("\n", 1)[0]?.replace(/\r$/, "");
    return { path: resolved.path, keepFirstLine: firstLine === first };
  }

  // ---- unified diffs -----------------------------------------------------------------------

  private isDiffFence(at: number, fence: Fence): boolean {
    const lang = fence.info.split(/\s+/)[0]!.toLowerCase();
    if (lang === "diff" || lang === "patch" || lang === "udiff") return true;
    let j = at + 1;
    while (j < this.lines.length && this.lines[j]!.trim() === "") j++;
    return this.diffStartsAt(j) || /^@@ .*@@/.test(this.lines[j] ?? "");
  }

  /** A diff starts with `diff --git`, or a `--- ` line directly followed by a `+++ ` line. */
  private diffStartsAt(at: number): boolean {
    const line = this.lines[at];
    if (line === undefined) return false;
    if (line.startsWith("diff --git ")) return true;
    return line.startsWith("--- ") && (this.lines[at + 1] ?? "").startsWith("+++ ");
  }

  private diffFence(at: number, fence: Fence): number {
    const lines = this.lines;
    let close = -1;
    for (let j = at + 1; j < lines.length; j++) {
      if (closes(lines[j]!, fence.marker)) {
        close = j;
        break;
      }
    }
    const named = this.nameForFence(at, fence);
    if (close < 0) {
      throw new ParseError(
        `${this.blockLabel("diff")} has no closing fence: the answer looks cut off. Send the whole diff again.`,
      );
    }
    this.diffSections(lines.slice(at + 1, close), named);
    return close + 1;
  }

  private rawDiff(at: number): number {
    const lines = this.lines;
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
    this.diffSections(lines.slice(at, j), this.nameBefore(at, at - 2));
    return j;
  }

  /** Split diff text into one block per file. */
  private diffSections(body: string[], named: { name: string; source: NameSource } | undefined): void {
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
      const label = this.blockLabel("diff");
      if (newPath === "/dev/null" && oldPath && oldPath !== "/dev/null") {
        const path = this.resolve(oldPath, false, label);
        this.drafts.push({ kind: "delete", path, source: "header" });
        this.lastPath = path;
        continue;
      }
      if (!changes) continue;
      const creates = oldPath === "/dev/null";
      // The diff's own "+++" header names the file more surely than anything around the fence.
      const { path, source } = this.fileOfBlock(
        newPath && newPath !== "/dev/null" ? { name: newPath, source: "header" } : named,
        creates,
        label,
        'does not say which file it changes. Start it with "--- path" and "+++ path" lines, or write the path alone above the fence.',
      );
      this.lastPath = path;
      this.drafts.push({ kind: "unified-diff", path, source, patch: hunk.join("\n") });
    }
  }

  // ---- result ------------------------------------------------------------------------------

  /** True when the file has several lines of text and `content` repeats none of them. */
  private sharesNoLine(path: string, content: string): boolean {
    const text = this.files.find((f) => f.path === path)?.text;
    if (!text) return false;
    const original = new Set(text.split("\n").map((l) => l.trim()).filter((l) => l !== ""));
    if (original.size < 3) return false;
    return !content.split("\n").some((l) => original.has(l.trim()));
  }

  private finish(): EditBlock[] {
    // Paths with an edit that is unmistakably an edit: a named listing, a block, a diff.
    const edited = new Set(
      this.drafts.filter((d) => d.kind !== "whole-file" || !isWeak(d.source)).map((d) => d.path),
    );
    const kept: Draft[] = [];
    for (const draft of this.drafts) {
      if (draft.kind === "whole-file" && isWeak(draft.source)) {
        // A fence named only by prose or by being the single file never replaces a real edit of
        // that file, before or after it: it is an excerpt, an example, a command to run.
        if (edited.has(draft.path)) continue;
        if (kept.some((k) => k.path === draft.path)) continue;
        // Nor is a fence that shares not one line with the file it would replace: that is a usage
        // example or a command, and taking it as the file would erase the file.
        if (this.sharesNoLine(draft.path, draft.content)) {
          this.unnamedFences++;
          continue;
        }
      }
      const twin = kept.find((k) => sameDraft(k, draft));
      if (twin) continue;
      if (draft.kind === "whole-file") {
        const other = kept.find((k) => k.kind === "whole-file" && k.path === draft.path);
        if (other) {
          throw new ParseError(
            `Your answer has two different listings of ${draft.path}. Send one complete listing per file.`,
          );
        }
      }
      kept.push(draft);
    }
    if (kept.length === 0) {
      if (this.unnamedFences > 0) {
        throw new ParseError(
          `Your answer has code blocks, but none says which file it is for. Write the file's path alone on the line just above each opening fence.`,
        );
      }
      throw new ParseError(
        `Your answer has no edits in it. Write each change as a file listing or a SEARCH/REPLACE block, as described.`,
      );
    }
    return kept.map((draft, index) => toBlock(draft, index));
  }
}

/**
 * Drop reasoning sections (`<think>…</think>`, as Qwen3 and DeepSeek-R1 write them): drafts of
 * blocks inside them are not the answer. An unclosed section runs to the end of the text.
 */
function withoutThinking(text: string): string {
  return text.replace(/<think(?:ing)?>[\s\S]*?(?:<\/think(?:ing)?>|$)/g, "");
}

/** Lines back to text, each with its "\n", so a blank last line is not lost ("" stays no lines). */
function joinLines(lines: string[]): string {
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

function looksLikeScript(path: string): boolean {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return !base.includes(".") || /\.(?:sh|bash|zsh|fish|ksh|csh|tcsh|ps1|psm1|bat|cmd|command)$/i.test(base);
}

function isWeak(source: NameSource): boolean {
  return source === "prose" || source === "single";
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
