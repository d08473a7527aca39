/**
 * How text becomes search terms, the same way for file contents, paths, definition names and the
 * user's task, so that "parse the config file" meets `parseConfigFile`, `parse_config` and
 * `config/parser.py` alike. Identifiers are split at camelCase, snake_case, digits and
 * punctuation; parts are lower-cased and reduced by a small suffix stemmer ("parsing", "parsed"
 * and "parses" all become "pars"); very common English and keyword terms are dropped because
 * they would match every file.
 */

const IDENTIFIER = /[A-Za-z_$][A-Za-z0-9_$]*/g;

/** Words that carry no signal for finding files: English glue, commit verbs and keywords. */
const STOP = new Set(
  (
    "a an the and or but not no nor of to in on at by for from with without into onto over under " +
    "is are was were be been being am do does did done has have had having it its it's this that these those " +
    "there their they them then than so as if else elif when while where which who whom whose what why how " +
    "can could should would will shall may might must just also only very too more most less all any some each " +
    "every both either neither other such own same about after before again further once here out up down off " +
    "i me my we our you your he she his her us one two via per etc eg ie e g " +
    "var let const def fn func function return returns class new self this true false null nil none undefined " +
    "void int str bool import export package public private protected static end begin use using pub mut impl"
  ).split(/\s+/),
);

/** Stem a lower-case word so that inflections of the same word meet. Applied to both sides. */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith("ies")) w = w.slice(0, -3) + "y";
  else if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) w = w.slice(0, -1);
  if (w.length > 4 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

/** The parts of one identifier, in source case: `parseHTTPResponse2` → parse, HTTP, Response, 2. */
export function identifierParts(identifier: string): string[] {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .replace(/([A-Za-z])([0-9])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p.length > 0);
}

/** A term for one identifier part, or null when it says nothing (too short, a stop word, a number). */
export function termOf(part: string): string | null {
  const lower = part.toLowerCase();
  if (lower.length < 2 || STOP.has(lower) || /^[0-9]+$/.test(lower)) return null;
  return stem(lower);
}

/**
 * Add the terms of every identifier in `text` to `counts`. A compound identifier also contributes
 * itself, lower-cased and whole, so a task that spells the identifier out matches it more strongly
 * than a file that merely shares its parts.
 */
export function addTerms(text: string, counts: Map<string, number>, weight = 1): void {
  IDENTIFIER.lastIndex = 0;
  for (let m = IDENTIFIER.exec(text); m !== null; m = IDENTIFIER.exec(text)) {
    addIdentifierTerms(m[0], counts, weight);
  }
}

export function addIdentifierTerms(identifier: string, counts: Map<string, number>, weight = 1): void {
  const parts = identifierParts(identifier);
  let kept = 0;
  for (const part of parts) {
    const term = termOf(part);
    if (term === null) continue;
    counts.set(term, (counts.get(term) ?? 0) + weight);
    kept++;
  }
  if (parts.length > 1 && kept > 0) {
    const whole = identifier.toLowerCase().replace(/[^a-z0-9]/g, "");
    if (whole.length >= 4) counts.set(whole, (counts.get(whole) ?? 0) + weight);
  }
}

/** Every identifier in `text` with its number of occurrences. */
export function identifierCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  IDENTIFIER.lastIndex = 0;
  for (let m = IDENTIFIER.exec(text); m !== null; m = IDENTIFIER.exec(text)) {
    counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  }
  return counts;
}

/** The terms of a path, from its folders, its file name and its extension-less stem. */
export function pathTerms(rel: string): Map<string, number> {
  const counts = new Map<string, number>();
  const withoutExtension = rel.replace(/\.[A-Za-z0-9]+$/, "");
  addTerms(withoutExtension, counts);
  return counts;
}
