/**
 * Whole-file listings: a fence holding a file's complete new text, named by the line above it, its
 * info string, a comment on its first line, or a prose line naming one file in play. This reader
 * takes every fence no other format claimed, so it also decides what is not an edit: a fence it
 * cannot attribute to a file, or a shell fence (a command to run), is prose.
 */
import { nameFromLine, resolveInPlay, SHELL_LANGUAGES } from "../names.js";
import { ParseError, type AnswerScan, type BlockReader, type Named } from "./scan.js";
import { fenceLanguage, joinLines } from "./syntax.js";

export const listingReader: BlockReader = {
  claims: (_scan, _at, fence) => fence !== undefined,
  read(scan, at, fence) {
    if (!fence) return at + 1;
    const lines = scan.lines;
    const close = scan.listingClose(at + 1, fence.marker);
    const end = close < 0 ? lines.length : close;
    const content = lines.slice(at + 1, end);
    let named: Named | undefined = scan.nameForFence(at, fence);
    let body = content;
    if (!named) {
      const inside = nameInsideListing(scan, content);
      if (inside) {
        named = { name: inside.path, source: "inside" };
        body = inside.keepFirstLine ? content : content.slice(1);
      }
    }
    const shell = SHELL_LANGUAGES.has(fenceLanguage(fence));
    // A shell fence is a command to run, unless a name line gives it a script to be: a shell script
    // or a file without an extension. "src/app.py" above a ```bash fence is a confused command.
    if (named && shell && (!(named.source === "line" || named.source === "info") || !looksLikeScript(named.name))) named = undefined;
    if (!named && !shell) {
      const only = scan.singleFile();
      if (only) named = { name: only, source: "single" };
      else scan.unnamedFences++;
    }
    if (!named) return close < 0 ? lines.length : close + 1;

    const label = scan.blockLabel(`listing of ${named.name}`);
    const weak = named.source === "prose" || named.source === "single";
    if (close < 0) {
      // A cut-off listing of a file already listed is a stray fence, not a second listing.
      if (weak && scan.drafts.some((d) => d.path === named.name)) return lines.length;
      throw new ParseError(`${label} has no closing fence: the answer looks cut off. Send the complete file again, ending with the closing fence.`);
    }
    const path = weak ? named.name : scan.resolve(named.name, true, label);
    scan.drafts.push({ kind: "whole-file", path, source: named.source, content: joinLines(body) });
    return close + 1;
  },
};

/**
 * A first content line that is only the name of a file in play, bare or as a comment
 * ("src/a.py", "# src/a.py"), which some models write instead of a name line. The line is dropped
 * from the content unless the file really starts with it.
 */
function nameInsideListing(scan: AnswerScan, content: string[]): { path: string; keepFirstLine: boolean } | undefined {
  const first = content[0];
  if (first === undefined) return undefined;
  const m = /^\s*(?:#+|\/\/+|--|;+|\/\*+|<!--)?\s*(.+?)\s*(?:\*\/|-->)?\s*$/.exec(first);
  if (!m) return undefined;
  const name = nameFromLine(m[1]!, scan.inPlay);
  if (!name) return undefined;
  const resolved = resolveInPlay(name, scan.files);
  if (resolved.kind !== "in-play") return undefined;
  const text = scan.files.find((f) => f.path === resolved.path)?.text;
  const firstLine = text?.split("\n", 1)[0]?.replace(/\r$/, "");
  return { path: resolved.path, keepFirstLine: firstLine === first };
}

function looksLikeScript(path: string): boolean {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return !base.includes(".") || /\.(?:sh|bash|zsh|fish|ksh|csh|tcsh|ps1|psm1|bat|cmd|command)$/i.test(base);
}
