/**
 * One reading of a model's answer: its lines, the files in play, the blocks read so far (drafts),
 * and how each block finds the file it is for. The readers of each format (one file each in this
 * folder) share it: they read a block at a line into a draft, and this decides its file.
 *
 * A file is named by a line above the block, a fence's info string, a header inside a diff, a
 * comment on a listing's first line, or a prose line naming exactly one file in play. Without a
 * name, a block takes the file of the block before it, or the only file in play. A name that could
 * be several files, or one outside the task, is an error, never a guess.
 */
import { isPlainRelativePath, nameFromInfo, nameFromLine, namesInBackticks, resolveInPlay } from "../names.js";
import type { FileInPlay } from "../types.js";
import { closes, DIVIDER, fenceOpen, isStructural, REPLACE, SEARCH, TOOL_TAG, type Fence } from "./syntax.js";

export interface ParseOptions {
  /**
   * Accept listings, empty-SEARCH blocks and `/dev/null` diffs for paths that are not in play,
   * as new files. `burrow edits apply` allows it; the task pipeline does not, because the approved
   * plan already lists the files it creates.
   */
  allowNewFiles?: boolean;
}

/** How a block got its file name; names from a name line, the info string or a header are strong. */
export type NameSource = "line" | "info" | "inside" | "header" | "prose" | "single" | "inherited";

/** A name found for a block, and where it was found. */
export interface Named {
  name: string;
  source: NameSource;
}

/** A block as read, before duplicates and weak listings are settled (drafts.ts). */
export type Draft = (
  | { kind: "whole-file"; content: string }
  | { kind: "search-replace"; search: string; replace: string }
  | { kind: "unified-diff"; patch: string }
  | { kind: "delete" }
) & { path: string; source: NameSource };

/** What the model must fix, in a sentence; thrown by any reader, returned by `parseEdits`. */
export class ParseError extends Error {}

/**
 * One format the parser reads. A new format is a new reader: a file in this folder, and its place
 * in the list in index.ts (readers are asked in order, and the first that claims a line reads it).
 */
export interface BlockReader {
  /** Whether a block of this format starts at line `at`; `fence` is set when that line opens a fence. */
  claims(scan: AnswerScan, at: number, fence: Fence | undefined): boolean;
  /** Read the block into the scan's drafts; returns the line to go on from. */
  read(scan: AnswerScan, at: number, fence: Fence | undefined): number;
}

export class AnswerScan {
  readonly lines: string[];
  readonly inPlay: Set<string>;
  readonly drafts: Draft[] = [];
  /** The file of the last SEARCH/REPLACE block or diff, for a following block that names none. */
  lastPath: string | undefined;
  /** Fences no file could be found for: the error for an answer without edits says so. */
  unnamedFences = 0;
  /** Closing lines of wrapper fences, which are not fences of their own. */
  readonly skip = new Set<number>();

  constructor(
    answer: string,
    readonly files: FileInPlay[],
    readonly options: ParseOptions,
  ) {
    this.lines = answer.split("\n");
    this.inPlay = new Set(files.map((f) => f.path));
  }

  /**
   * The name written just above line `at`: the nearest non-blank line, skipping fence openings
   * (whose info string may hold the name). Looks no further back than `limit`.
   */
  nameBefore(at: number, limit: number): Named | undefined {
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
  nameForFence(at: number, fence: Fence): Named | undefined {
    let j = at - 1;
    while (j >= 0 && this.lines[j]!.trim() === "") j--;
    if (j >= 0 && !fenceOpen(this.lines[j]!)) {
      const name = nameFromLine(this.lines[j]!, this.inPlay);
      if (name) return { name, source: "line" };
    }
    const fromInfo = nameFromInfo(fence.info, this.inPlay);
    if (fromInfo) return { name: fromInfo, source: "info" };
    if (j >= 0 && !isStructural(this.lines[j]!)) {
      const named = namesInBackticks(this.lines[j]!, this.files);
      if (named.length === 1) return { name: named[0]!, source: "prose" };
    }
    return undefined;
  }

  /**
   * Turn a written name into the path of a file in play, or of a new file where that is allowed.
   * Throws when the name is ambiguous or names a file outside the task.
   */
  resolve(name: string, createsFile: boolean, what: string): string {
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

  /** The only file in play, when there is exactly one. */
  singleFile(): string | undefined {
    return this.files.length === 1 ? this.files[0]!.path : undefined;
  }

  /** How the next block is named in an error ("Edit block 2 (SEARCH/REPLACE)"). */
  blockLabel(kind: string): string {
    return `Edit block ${this.drafts.length + 1} (${kind})`;
  }

  /**
   * The file an edit block changes: the name found for it, else the file the previous block
   * changed (models often send several blocks for one file under a single name), else the only
   * file in play. A block with none of these is an error, `unnamed` finishing the sentence that
   * starts with the block's label, since guessing would write to a file the model did not mean.
   */
  fileOfBlock(named: Named | undefined, creates: boolean, label: string, unnamed: string): { path: string; source: NameSource } {
    if (named) return { path: this.resolve(named.name, creates, label), source: named.source };
    if (this.lastPath) return { path: this.lastPath, source: "inherited" };
    const only = this.singleFile();
    if (only) return { path: only, source: "single" };
    throw new ParseError(`${label} ${unnamed}`);
  }

  /** Where a listing's fence closes, counting fences opened inside it; -1 when it never closes. */
  listingClose(from: number, marker: string): number {
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
}
