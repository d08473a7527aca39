/**
 * Finding the files a chat prompt names, so chat can show them to the model. Users name files the
 * way they would to a colleague: in backticks (`` `src/app.ts` ``), as a path (`src/app.ts`), or as
 * a bare file name (`app.ts`). A backticked name, a path with an extension or a leading `./`, and a
 * dotfile name are taken as deliberate ("explicit"): if Burrow cannot show such a file the user is
 * told why. A bare word that merely looks like a file name ("Node.js", "and/or") is only a guess,
 * so a miss is not worth a word.
 */

export interface Mention {
  /** The name as the user wrote it, without backticks or trailing punctuation. */
  name: string;
  explicit: boolean;
}

/** More than this many named files is a list, not a question; the rest are left out and reported. */
export const MAX_MENTIONS = 8;

// Words that look like file names but are everyday abbreviations.
const NOT_FILES = new Set(["e.g", "i.e", "etc", "vs", "a.k.a", "p.s", "n.b"]);

const BACKTICKED = /`([^`\n]+)`/g;
// A path-like word: optional ./ or ../ prefixes, segments of word characters, dots, @ and dashes,
// and a final extension that starts with a letter (so versions like 2.5 or 1.5b are not files).
const BARE = /(?<![\w@./-])((?:\.{1,2}\/)*[\w@.-]*[\w@-](?:\/[\w@.-]+)*\.[A-Za-z][\w-]{0,9})(?![\w/-])/g;
const SLASH_PATH = /(?<![\w@./:-])((?:\.{1,2}\/)*[\w@.-]+(?:\/[\w@.-]+)+)(?![\w/-])/g;
// A dotfile on its own: `.env`, `.eslintrc.json`.
const DOTFILE = /(?<![\w@./-])(\.[A-Za-z][\w.-]*)(?![\w/-])/g;

/** The files a prompt names, in the order first named, without duplicates. */
export function findMentions(prompt: string): Mention[] {
  const found = new Map<string, Mention>();
  const add = (raw: string, explicit: boolean) => {
    const name = clean(raw);
    if (!looksLikePath(name)) return;
    const existing = found.get(name);
    if (existing) existing.explicit ||= explicit;
    else found.set(name, { name, explicit });
  };

  for (const match of prompt.matchAll(BACKTICKED)) add(match[1]!, true);
  // Backticked spans were handled above; blank them so their contents are not counted twice.
  const prose = prompt.replace(BACKTICKED, (span) => " ".repeat(span.length)).replace(/\bhttps?:\/\/\S+/g, " ");
  // A slash alone does not make a file ("and/or", "src/components"): it needs an extension or a
  // leading ./ to count as deliberate.
  for (const match of prose.matchAll(SLASH_PATH)) {
    const name = clean(match[1]!);
    add(name, /^\.{1,2}\//.test(name) || /\.[A-Za-z][\w-]*$/.test(name));
  }
  for (const match of prose.matchAll(BARE)) add(match[1]!, false);
  for (const match of prose.matchAll(DOTFILE)) add(match[1]!, true);
  return [...found.values()];
}

function clean(raw: string): string {
  // Sentence punctuation and a ":12" line suffix are not part of the name.
  return raw.trim().replace(/:\d+(?::\d+)?$/, "").replace(/[.,;:!?)]+$/, "");
}

function looksLikePath(name: string): boolean {
  if (name === "" || /\s/.test(name) || name.length > 300) return false;
  if (NOT_FILES.has(name.toLowerCase())) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(name)) return false;
  // A backticked identifier (`parseArgs`, `foo()`) is code, not a file: a file has a slash or a dot.
  if (!name.includes("/") && !name.includes(".")) return false;
  if (/[()<>{}[\]"'=,;*|$]/.test(name)) return false;
  // "1.5" or "v2.0" are numbers, and a name cannot end in a slash-less dot.
  if (!name.includes("/") && !/\.[A-Za-z][\w-]*$/.test(name) && !/^\.[\w-]/.test(name)) return false;
  return true;
}
