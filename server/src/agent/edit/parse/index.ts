/**
 * The liberal parser: a model's answer in, edit blocks out.
 *
 * It reads every format whatever the model was asked for: whole-file listings, SEARCH/REPLACE
 * blocks and unified diffs, in fences of any length, with the file name wherever models put it,
 * and Cline-style tool calls. What it will not do is guess: a block that is cut off, a block for a
 * file that is not in play, or two different listings of one file are errors with a sentence the
 * model can act on, and a fence it cannot attribute to a file is treated as prose rather than as an
 * edit.
 *
 * Each format is one reader in this folder behind the `BlockReader` interface (scan.ts). The answer
 * is read line by line; at each line the readers are asked in the order below, and the first that
 * claims the line reads its block. The order matters where two could claim one fence: a fence
 * holding SEARCH markers is blocks, a diff fence is a diff, a prose fence around the whole answer
 * is looked through, and only then is a fence a file listing.
 */
import type { EditBlock, FileInPlay } from "../types.js";
import { settleDrafts } from "./drafts.js";
import { listingReader } from "./listing.js";
import { AnswerScan, ParseError, type BlockReader, type ParseOptions } from "./scan.js";
import { searchReplaceReader } from "./search-replace.js";
import { fenceOpen, withoutThinking } from "./syntax.js";
import { toolCallReader } from "./tool-call.js";
import { unifiedDiffReader } from "./unified-diff.js";
import { wrapperReader } from "./wrapper.js";
import type { Outcome } from "../../outcome.js";

export type { ParseOptions } from "./scan.js";

export type ParseResult = Outcome<{ blocks: EditBlock[] }>;

/** Every format, in the order the readers are asked. */
const READERS: readonly BlockReader[] = [searchReplaceReader, unifiedDiffReader, wrapperReader, listingReader, toolCallReader];

/** Parse a model's answer into edit blocks. */
export function parseEdits(response: string, files: FileInPlay[], options: ParseOptions = {}): ParseResult {
  try {
    return { ok: true, blocks: readAnswer(response, files, options) };
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, reason: err.message };
    throw err;
  }
}

function readAnswer(response: string, files: FileInPlay[], options: ParseOptions): EditBlock[] {
  const scan = new AnswerScan(withoutThinking(response.replace(/\r\n?/g, "\n")), files, options);
  let i = 0;
  while (i < scan.lines.length) {
    if (scan.skip.has(i)) {
      i++;
      continue;
    }
    const fence = fenceOpen(scan.lines[i]!);
    const reader = READERS.find((r) => r.claims(scan, i, fence));
    i = reader ? reader.read(scan, i, fence) : i + 1;
  }
  return settleDrafts(scan);
}
