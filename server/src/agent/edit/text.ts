/**
 * The line model every edit is applied to. A file's text is split into lines without their
 * terminators, and the terminators are kept beside them, so matching compares content only while
 * writing back reproduces the file's own line endings: CRLF files stay CRLF, a file without a final
 * newline stays without one, and lines an edit did not touch keep exactly the bytes they had.
 */

import { LineIndex } from "./line-index.js";

export type Eol = "\n" | "\r\n";

export interface LineDoc {
  /** Line contents, without terminators. */
  lines: string[];
  /** The terminator that followed each line; "" only for a last line with no final newline. */
  eols: string[];
  /** Whether the text ends with a line terminator. An empty text counts as true, so text written into it ends with one. */
  finalNewline: boolean;
  /** The file's prevailing terminator, given to every line an edit writes. */
  eol: Eol;
  /** The text began with a byte-order mark, which no model copies; it is kept out of matching and put back. */
  bom?: boolean;
  /** The lines indexed by trimmed text, built when a block first searches this document. */
  index?: LineIndex;
}

/** Split a file's text into the line model. Only "\n" ends a line; a "\r" before it belongs to the terminator. */
export function toLineDoc(text: string): LineDoc {
  if (text.startsWith("\uFEFF")) return { ...toLineDoc(text.slice(1)), bom: true };
  if (text === "") return { lines: [], eols: [], finalNewline: true, eol: "\n" };
  const parts = text.split("\n");
  const finalNewline = parts[parts.length - 1] === "";
  if (finalNewline) parts.pop();
  const lines: string[] = [];
  const eols: string[] = [];
  let crlf = 0;
  let lf = 0;
  parts.forEach((part, i) => {
    const terminated = i < parts.length - 1 || finalNewline;
    if (terminated && part.endsWith("\r")) {
      lines.push(part.slice(0, -1));
      eols.push("\r\n");
      crlf++;
    } else {
      lines.push(part);
      eols.push(terminated ? "\n" : "");
      if (terminated) lf++;
    }
  });
  return { lines, eols, finalNewline, eol: crlf > lf ? "\r\n" : "\n" };
}

/** A new, empty document for a file an edit creates: LF endings and a final newline, the common default. */
export function emptyLineDoc(eol: Eol = "\n"): LineDoc {
  return { lines: [], eols: [], finalNewline: true, eol };
}

/** Write the line model back to text. Lines an edit inserted carry the file's prevailing terminator. */
export function fromLineDoc(doc: LineDoc): string {
  const n = doc.lines.length;
  let out = doc.bom ? "\uFEFF" : "";
  for (let i = 0; i < n; i++) {
    out += doc.lines[i];
    if (i < n - 1) out += doc.eols[i] || doc.eol;
    else if (doc.finalNewline) out += doc.eols[i] || doc.eol;
  }
  return out;
}

/** Replace lines [start, end) with new lines, which take the document's prevailing terminator. */
export function spliceLines(doc: LineDoc, start: number, end: number, replacement: readonly string[]): void {
  doc.lines.splice(start, end - start, ...replacement);
  doc.eols.splice(start, end - start, ...replacement.map(() => doc.eol));
  doc.index?.noteSplice(start, end, replacement.length);
}

/** The document's line index, built on first use and kept current by `spliceLines`. */
export function indexOf(doc: LineDoc): LineIndex {
  doc.index ??= new LineIndex(doc.lines);
  return doc.index;
}

/**
 * Split text the model wrote into lines. Models are inconsistent about "\r" and about ending
 * with a newline, so both are dropped: the file decides its own terminators.
 */
export function modelLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** True for a line holding nothing but whitespace. */
export function isBlank(line: string): boolean {
  return line.trim() === "";
}

/** The leading whitespace of a line. */
export function indentOf(line: string): string {
  const match = /^[ \t]*/.exec(line);
  return match ? match[0] : "";
}
