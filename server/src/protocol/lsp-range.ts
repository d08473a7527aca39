/**
 * LSP ranges turned into the 1-based, inclusive line ranges the agent works with. An LSP range ends
 * before its end position, so a selection that stops at the start of a line (what editors send for
 * whole lines selected) does not include that line.
 */
import type { LspRange } from "./arguments.js";

export interface LineRange {
  startLine: number;
  endLine: number;
}

export function linesOfRange(range: LspRange): LineRange {
  const endsAtLineStart = range.end.character === 0 && range.end.line > range.start.line;
  const endLine = endsAtLineStart ? range.end.line - 1 : range.end.line;
  return { startLine: range.start.line + 1, endLine: endLine + 1 };
}
