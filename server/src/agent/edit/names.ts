/**
 * Reading file names out of a model's prose. Models decorate the path above a fence in every way
 * Markdown allows (`**src/a.py**`, `` `src/a.py`: ``, `### src/a.py`, `File: src/a.py`), copy a
 * prefix from the prompt's example, or name the file only in a sentence. These helpers turn such a
 * line into a candidate path and resolve it against the files in play, refusing to pick when two
 * files would fit.
 */
import type { FileInPlay } from "./types.js";

/** Longest name taken seriously; longer "names" are prose. */
const MAX_NAME = 250;

/** Languages and shell names that appear in a fence's info string and are not paths. */
export const SHELL_LANGUAGES = new Set([
  "bash", "sh", "shell", "console", "zsh", "fish", "ksh", "csh", "tcsh", "cmd", "batch", "powershell", "ps1", "shellsession",
]);

/**
 * The path a name line holds, stripped of Markdown decoration, or undefined when the line is not
 * a bare name (a sentence, a marker, code).
 */
export function nameFromLine(line: string, inPlay: ReadonlySet<string>): string | undefined {
  let t = line.trim();
  if (t === "" || t.length > MAX_NAME) return undefined;
  t = t.replace(/^#{1,6}\s+/, "");
  // Cline-style tool calls put the path in a tag: <path>src/a.py</path>.
  t = t.replace(/^<path>\s*(.*?)\s*<\/path>$/i, "$1");
  t = t.replace(/^(?:[-*+]|\d{1,3}[.)])\s+/, "");
  // "src/a.py (updated)", "src/b.py (new file)": a remark after the name.
  t = t.replace(/\s+\((?:updated|new|new file|modified|changed|created|complete|full file|whole file)\)\s*:?$/i, "");
  for (let again = true; again; ) {
    const before = t;
    t = t.trim();
    t = t.replace(/:$/, "");
    t = t.replace(/^(\*\*|__)(.*)\1$/, "$2");
    t = t.replace(/^([*_])(.*)\1$/, "$2");
    t = t.replace(/^`+([^`]*)`+$/, "$1");
    t = t.replace(/^(?:file ?name|file|path|filepath)\s*:\s*/i, "");
    again = t !== before;
  }
  t = t.replace(/^\.\//, "");
  if (t === "" || /^[.…]+$/.test(t)) return undefined;
  if (inPlay.has(t)) return t;
  if (/\s/.test(t)) return undefined;
  if (!/^[\w@.+~\-/\\[\]()$#%=,]+$/.test(t)) return undefined;
  if (!/[./\\]/.test(t)) return undefined;
  // A bare version number, a URL or a sentence's last word ("done.") is not a path.
  if (/^[\d.]+$/.test(t) || /:\/\//.test(t) || /\.$/.test(t)) return undefined;
  return t.replace(/\\/g, "/");
}

/** A name inside a fence's info string: ```src/a.py, ```python:src/a.py, ```python title="src/a.py". */
export function nameFromInfo(info: string, inPlay: ReadonlySet<string>): string | undefined {
  const t = info.trim();
  if (t === "") return undefined;
  const titled = /(?:title|file|filename|path)\s*=\s*["']?([^"'\s]+)["']?/i.exec(t);
  if (titled) return nameFromLine(titled[1]!, inPlay);
  for (const token of t.split(/\s+/)) {
    const afterColon = /^[A-Za-z0-9+#-]+:(.+)$/.exec(token);
    const candidate = afterColon ? afterColon[1]! : token;
    if (!/[./]/.test(candidate) && !inPlay.has(candidate)) continue;
    const name = nameFromLine(candidate, inPlay);
    if (name) return name;
  }
  return undefined;
}

/** The files in play named in backticks on a prose line, for "Here is the updated `src/a.py`:". */
export function namesInBackticks(line: string, files: readonly FileInPlay[]): string[] {
  const found = new Set<string>();
  for (const match of line.matchAll(/`([^`\n]+)`/g)) {
    const resolved = resolveInPlay(match[1]!.trim(), files);
    if (resolved.kind === "in-play") found.add(resolved.path);
  }
  return [...found];
}

export type Resolution =
  | { kind: "in-play"; path: string }
  | { kind: "not-in-play"; path: string }
  | { kind: "ambiguous"; path: string; candidates: string[] };

/**
 * Resolve a name the model wrote to a file in play: the exact path, else the one file whose path
 * ends with the name (the model dropped the folders), else the one file whose path the name ends
 * with (the model added a prefix, e.g. copied from an example).
 */
export function resolveInPlay(name: string, files: readonly FileInPlay[]): Resolution {
  const clean = name.replace(/\\/g, "/").replace(/^\.\//, "").replace(/^\/+/, "");
  if (files.some((f) => f.path === clean)) return { kind: "in-play", path: clean };
  const shorter = files.filter((f) => f.path.endsWith("/" + clean));
  if (shorter.length === 1) return { kind: "in-play", path: shorter[0]!.path };
  if (shorter.length > 1) return { kind: "ambiguous", path: clean, candidates: shorter.map((f) => f.path) };
  const longer = files.filter((f) => clean.endsWith("/" + f.path));
  if (longer.length === 1) return { kind: "in-play", path: longer[0]!.path };
  if (longer.length > 1) {
    // The longest file path that the name ends with is the most specific reading.
    longer.sort((a, b) => b.path.length - a.path.length);
    if (longer[0]!.path.length > longer[1]!.path.length) return { kind: "in-play", path: longer[0]!.path };
    return { kind: "ambiguous", path: clean, candidates: longer.map((f) => f.path) };
  }
  // Last, letter case: on the case-insensitive file systems of macOS and Windows that is the same
  // file, and elsewhere a model that capitalised a folder meant the one file that fits.
  const folded = files.filter((f) => f.path.toLowerCase() === clean.toLowerCase());
  if (folded.length === 1) return { kind: "in-play", path: folded[0]!.path };
  return { kind: "not-in-play", path: clean };
}

/**
 * True when a new file's path is a plain relative path: no absolute root, no `..`, no empty
 * segment. The sandbox checks containment again on the resolved path; this only keeps obviously
 * wrong names out of an edit.
 */
export function isPlainRelativePath(path: string): boolean {
  if (path === "" || path.startsWith("/") || /^[A-Za-z]:/.test(path)) return false;
  return path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}
