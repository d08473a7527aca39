/**
 * Cline-style tool calls, which models trained on such transcripts write unasked. `write_to_file`
 * is `<path>…</path>` then the whole file between `<content>` and `</content>`: a listing (a fence
 * pair around the content is dropped). `replace_in_file` carries SEARCH/REPLACE blocks in a
 * `<diff>` tag, which the SEARCH/REPLACE reader reads (its name lookup skips the tags).
 */
import { ParseError, type BlockReader } from "./scan.js";
import { CONTENT_CLOSE, CONTENT_OPEN, fenceOpen, joinLines } from "./syntax.js";

export const toolCallReader: BlockReader = {
  claims: (scan, at, fence) => !fence && CONTENT_OPEN.test(scan.lines[at]!),
  read(scan, at) {
    const named = scan.nameBefore(at, at - 3);
    let close = at + 1;
    while (close < scan.lines.length && !CONTENT_CLOSE.test(scan.lines[close]!)) close++;
    if (!named) return at + 1;
    const label = scan.blockLabel(`listing of ${named.name}`);
    if (close >= scan.lines.length) {
      throw new ParseError(`${label} has no closing </content> tag: the answer looks cut off. Send the complete file again.`);
    }
    let body = scan.lines.slice(at + 1, close);
    if (body.length >= 2 && fenceOpen(body[0]!) && /^\s*(`{3,}|~{3,})\s*$/.test(body[body.length - 1]!)) body = body.slice(1, -1);
    const path = scan.resolve(named.name, true, label);
    scan.drafts.push({ kind: "whole-file", path, source: named.source, content: joinLines(body) });
    return close + 1;
  },
};
