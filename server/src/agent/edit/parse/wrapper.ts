/**
 * A fence around the whole answer (```` ```markdown ```` holding the name lines, fences and
 * blocks) is a wrapper, not a listing: its lines are read as if it were not there, and its closing
 * line is skipped. It must carry no file name of its own, and hold a SEARCH marker or a named fence
 * of its own.
 */
import { nameFromLine } from "../names.js";
import type { BlockReader } from "./scan.js";
import { fenceLanguage, fenceOpen, SEARCH } from "./syntax.js";

/** The languages a wrapper fence may declare: none, or a kind of prose. */
const WRAPPER_LANGUAGES = ["", "markdown", "md", "text", "txt"];

export const wrapperReader: BlockReader = {
  claims(scan, at, fence) {
    if (!fence || !WRAPPER_LANGUAGES.includes(fenceLanguage(fence))) return false;
    const named = scan.nameForFence(at, fence);
    if (named && named.source !== "prose" && named.source !== "single") return false;
    const close = scan.listingClose(at + 1, fence.marker);
    const end = close < 0 ? scan.lines.length : close;
    for (let j = at + 1; j < end; j++) {
      const line = scan.lines[j]!;
      const inner = fenceOpen(line);
      const namedInner = inner?.info && j > at + 1 && nameFromLine(scan.lines[j - 1]!, scan.inPlay);
      if (SEARCH.test(line) || namedInner) return true;
    }
    return false;
  },
  read(scan, at, fence) {
    const close = fence ? scan.listingClose(at + 1, fence.marker) : -1;
    if (close >= 0) scan.skip.add(close);
    return at + 1;
  },
};
