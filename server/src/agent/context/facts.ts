/**
 * What the context engine keeps about one file's contents: its definitions (name, kind, line span
 * and the line that introduces it) and every identifier it uses with a count. This record is
 * what gets cached by content hash, so a file whose bytes have not changed is never read or
 * parsed again; it is deliberately small and plain JSON.
 *
 * Files without a grammar get the plain-text reading here: definitions are found by keyword
 * (`def`, `function`, `class`, `fn`, …) at the start of a line, and Markdown headings count as
 * definitions, which is enough to outline a README or a shell script in the map.
 */
import { identifierCounts } from "./words.js";

/** Bump when the shape or the meaning of `FileFacts` changes, so old cache entries are ignored. */
export const FACTS_VERSION = 2;

export interface Definition {
  name: string;
  /** function, method, class, interface, type, struct, enum, trait, module, macro, constant, variable, impl, heading. */
  kind: string;
  /** 1-based first and last line of the whole definition. */
  line: number;
  endLine: number;
  /** The definition's first line, trimmed and shortened: what the map shows. */
  signature: string;
}

export interface FileFacts {
  /** `plain` for the keyword reading, else the tree-sitter grammar that parsed the file. */
  language: string;
  lines: number;
  defs: Definition[];
  /** Identifiers used in the file and how often, most frequent first (capped for huge files). */
  idents: Array<[string, number]>;
}

const MAX_IDENTS = 4000;
const MAX_SIGNATURE = 140;

const KEYWORD_DEFINITION =
  /^\s*(?:(?:export|public|private|protected|internal|static|async|abstract|final|override|local|pub(?:\([a-z]+\))?|default)\s+)*(def|function|fn|func|fun|class|struct|interface|trait|module|sub|proc|enum|object|record|macro|defn|defmodule)\s+([A-Za-z_][A-Za-z0-9_?!]*)/;
const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

/** The first line of a definition as the map shows it. */
export function signatureOf(line: string): string {
  const trimmed = line.trim().replace(/\s+/g, " ");
  return trimmed.length > MAX_SIGNATURE ? `${trimmed.slice(0, MAX_SIGNATURE - 1)}…` : trimmed;
}

/** Identifier counts for `FileFacts.idents`, most frequent first. */
export function identsOf(text: string): Array<[string, number]> {
  const entries = [...identifierCounts(text)];
  entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return entries.length > MAX_IDENTS ? entries.slice(0, MAX_IDENTS) : entries;
}

export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** The plain-text reading: keyword definitions and Markdown headings, each running to the next. */
export function plainFacts(rel: string, text: string): FileFacts {
  const lines = splitLines(text);
  const markdown = /\.(md|markdown|mdx|rst|txt)$/i.test(rel);
  const defs: Definition[] = [];
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > 400) continue;
    if (markdown) {
      if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
      if (inFence) continue;
      const heading = HEADING.exec(line);
      if (heading) defs.push({ name: heading[2]!, kind: "heading", line: i + 1, endLine: i + 1, signature: signatureOf(line) });
      continue;
    }
    const match = KEYWORD_DEFINITION.exec(line);
    if (match) defs.push({ name: match[2]!, kind: kindOfKeyword(match[1]!), line: i + 1, endLine: i + 1, signature: signatureOf(line) });
  }
  // A plain definition runs until the next one at the same or a shallower indentation.
  for (let d = 0; d < defs.length; d++) {
    const def = defs[d]!;
    const indent = indentation(lines[def.line - 1]!);
    let end = lines.length;
    for (let e = d + 1; e < defs.length; e++) {
      const next = defs[e]!;
      if (markdown ? next.signature.indexOf(" ") <= def.signature.indexOf(" ") : indentation(lines[next.line - 1]!) <= indent) {
        end = next.line - 1;
        break;
      }
    }
    def.endLine = Math.max(def.line, trimTrailingBlank(lines, end));
  }
  return { language: "plain", lines: lines.length, defs, idents: identsOf(text) };
}

function kindOfKeyword(keyword: string): string {
  switch (keyword) {
    case "class":
    case "object":
    case "record":
      return "class";
    case "struct":
      return "struct";
    case "interface":
    case "trait":
      return keyword;
    case "module":
    case "defmodule":
      return "module";
    case "enum":
      return "enum";
    case "macro":
      return "macro";
    default:
      return "function";
  }
}

function indentation(line: string): number {
  const match = /^[ \t]*/.exec(line);
  return match ? match[0].replace(/\t/g, "    ").length : 0;
}

function trimTrailingBlank(lines: string[], end: number): number {
  let last = end;
  while (last > 1 && (lines[last - 1] ?? "").trim() === "") last--;
  return last;
}
