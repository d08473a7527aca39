/**
 * What a task points at, read from its words and from where the user is: search terms for BM25,
 * identifiers that some file defines (the strongest hint a task can give), paths or file names it
 * spells out, and the open document with the identifiers of its selection.
 */
import type { Corpus } from "./corpus.js";
import type { ContextQuery } from "./types.js";
import { addIdentifierTerms, identifierParts, termOf } from "./words.js";

export interface TaskSignals {
  /** BM25 query: term → weight. */
  terms: Map<string, number>;
  /** Identifiers some file defines, with how strongly the task names them. */
  identifiers: Map<string, number>;
  /** Files the task names by path or file name, with a strength (1 for an exact path). */
  paths: Map<string, number>;
  /** The open document, when it is an indexed file. */
  openFile: string | null;
}

const TOKEN = /`([^`]+)`|([A-Za-z0-9_$./\\-]+)/g;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function readTask(query: ContextQuery, corpus: Corpus, resolveOpen: (path: string) => string | null): TaskSignals {
  const terms = new Map<string, number>();
  const identifiers = new Map<string, number>();
  const paths = new Map<string, number>();

  const { byDisplay, byBase } = corpus.lookups();

  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(query.task); m !== null; m = TOKEN.exec(query.task)) {
    const quoted = m[1] !== undefined;
    const raw = (m[1] ?? m[2] ?? "").trim();
    const before = query.task.slice(0, m.index).trimEnd();
    // A capitalised word that opens a sentence is English ("Fix", "Make"), not a class name.
    const opensSentence = before === "" || /[.!?:;\n]$/.test(before);
    const followedByCall = query.task.startsWith("(", m.index + m[0].length);
    const dotted = /[A-Za-z0-9_$]\.[A-Za-z_$]/.test(raw) && !/\.[a-z0-9]{1,8}$/i.test(raw);
    // Every piece of a path or dotted name is also a word of the task.
    for (const piece of raw.split(/[^A-Za-z0-9_$]+/)) {
      if (piece === "") continue;
      addIdentifierTerms(piece, terms, quoted ? 1.5 : 1);
      noteIdentifier(piece, { emphasised: quoted || followedByCall || dotted, opensSentence }, corpus, identifiers);
    }
    notePath(raw, byDisplay, byBase, paths);
  }

  let openFile: string | null = null;
  if (query.openDocument) {
    openFile = resolveOpen(query.openDocument.path);
    const selection = query.openDocument.selection;
    if (selection) {
      const lines = query.openDocument.text.split(/\r?\n/).slice(Math.max(selection.startLine - 1, 0), selection.endLine);
      const selected = new Map<string, number>();
      for (const line of lines) for (const id of line.match(/[A-Za-z_$][A-Za-z0-9_$]*/g) ?? []) selected.set(id, (selected.get(id) ?? 0) + 1);
      for (const [id] of selected) {
        addIdentifierTerms(id, terms, 0.3);
        noteIdentifier(id, { emphasised: false, opensSentence: false }, corpus, identifiers, 0.5);
      }
    }
  }
  return { terms, identifiers, paths, openFile };
}

/**
 * An identifier counts when a file defines exactly that spelling, and counts more the more it
 * looks like code: quoted, called, dotted or compound spellings (`parseConfig`, `read_file`,
 * `Store.Get`) fully; a capitalised single word (`Session`) half, unless it opens a sentence; a
 * plain lower-case word that happens to name a definition (`request`) a little.
 */
function noteIdentifier(
  token: string,
  how: { emphasised: boolean; opensSentence: boolean },
  corpus: Corpus,
  out: Map<string, number>,
  scale = 1,
): void {
  if (!IDENTIFIER.test(token) || token.length < 3) return;
  const where = corpus.definersOf(token);
  if (!where || where.size === 0) return;
  const parts = identifierParts(token);
  if (parts.length === 1 && termOf(token) === null) return;
  let strength: number;
  if (how.emphasised || parts.length > 1 || token.includes("_")) strength = 1;
  else if (/^[A-Z]/.test(token)) strength = how.opensSentence ? 0.1 : 0.5;
  else strength = 0.15;
  out.set(token, Math.max(out.get(token) ?? 0, strength * scale));
}

/** A token that looks like a path or a file name and names indexed files. */
function notePath(raw: string, byDisplay: Map<string, string>, byBase: Map<string, string[]>, out: Map<string, number>): void {
  const token = raw.replace(/\\/g, "/").replace(/^\.\//, "").replace(/[.,:;)]+$/, "").toLowerCase();
  if (!/\.[a-z0-9]{1,8}$/.test(token) && !token.includes("/")) return;
  const exact = byDisplay.get(token);
  if (exact) {
    out.set(exact, 1);
    return;
  }
  for (const [display, abs] of byDisplay) {
    if (display.endsWith(`/${token}`)) out.set(abs, Math.max(out.get(abs) ?? 0, 0.9));
  }
  const base = token.slice(token.lastIndexOf("/") + 1);
  const same = byBase.get(base);
  if (same) for (const abs of same) out.set(abs, Math.max(out.get(abs) ?? 0, 0.8 / same.length));
}
