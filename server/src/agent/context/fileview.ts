/**
 * A file as the model gets it inside a budget: the whole text when it fits, otherwise one
 * contiguous window of lines around the definitions the caller names (or, failing those, the
 * region that best matches the words given), with its position in the file. The window is one
 * piece because the edit engine splices a rewritten window back by its line range.
 *
 * Lines are added one at a time against the budget, so the view never exceeds it: the definitions
 * themselves first, then up to a few lines just above them (doc comments, decorators), then the
 * surroundings on both sides while room remains.
 */
import type { Definition, FileFacts } from "./facts.js";
import { estimateTokens } from "./tokens.js";
import type { FileView } from "./types.js";
import { addTerms } from "./words.js";

const LEADING_CONTEXT = 3;

export function viewFile(text: string, facts: FileFacts | null, focus: readonly string[], budgetTokens: number): FileView {
  const whole = estimateTokens(text);
  if (whole <= budgetTokens) return { text, tokens: whole };

  const lines = text.split("\n");
  const hasFinalNewline = text.endsWith("\n");
  if (hasFinalNewline) lines.pop();
  const total = lines.length;
  const cost = (i: number) => estimateTokens(`${lines[i - 1]}\n`);

  const [first, last] = target(lines, facts?.defs ?? [], focus, budgetTokens, cost);
  let start = first;
  let end = first - 1;
  let used = 0;
  // The target itself, from its first line down, as far as the budget allows.
  for (let i = first; i <= last; i++) {
    const c = cost(i);
    if (used + c > budgetTokens) break;
    used += c;
    end = i;
  }
  if (end === last) {
    for (let k = 0; k < LEADING_CONTEXT && start > 1; k++) {
      const c = cost(start - 1);
      if (used + c > budgetTokens) break;
      used += c;
      start--;
    }
    // Then both sides in turn, below first: what follows a definition is usually what it is used with.
    let grew = true;
    while (grew) {
      grew = false;
      if (end < total && used + cost(end + 1) <= budgetTokens) {
        used += cost(end + 1);
        end++;
        grew = true;
      }
      if (start > 1 && used + cost(start - 1) <= budgetTokens) {
        used += cost(start - 1);
        start--;
        grew = true;
      }
    }
  }
  const body = lines.slice(start - 1, end).join("\n");
  const windowText = end >= start && (end < total || hasFinalNewline) ? `${body}\n` : body;
  return { text: windowText, tokens: estimateTokens(windowText), window: { startLine: start, endLine: end }, totalLines: total };
}

/** The line range to centre on: named definitions, else the best-matching definition or region, else the top. */
function target(lines: string[], defs: readonly Definition[], focus: readonly string[], budget: number, cost: (i: number) => number): [number, number] {
  const named: Definition[] = [];
  for (const name of focus) {
    const exact = defs.filter((d) => d.name === name);
    const found = exact.length > 0 ? exact : defs.filter((d) => d.name.toLowerCase() === name.toLowerCase());
    for (const d of found) if (!named.includes(d)) named.push(d);
  }
  if (named.length > 0) {
    // Several named definitions: one window over all of them when it fits, else the first named.
    const from = Math.min(...named.map((d) => d.line));
    const to = Math.max(...named.map((d) => d.endLine));
    let span = 0;
    for (let i = from; i <= to && span <= budget; i++) span += cost(i);
    if (span <= budget) return [from, to];
    return [named[0]!.line, named[0]!.endLine];
  }

  // A named thing the definitions do not list (a grammar not loaded yet, an unusual form): the line
  // that declares it, else the first line that uses it.
  for (const name of focus) {
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) continue;
    const escaped = name.replace(/\$/g, "\\$");
    const declares = new RegExp(`(\\b(def|function|fn|func|fun|class|struct|interface|trait|type|enum|sub|module|let|const|var)\\s+${escaped}\\b)|^\\s*(?:[\\w$<>\\[\\],.*&:]+\\s+)*${escaped}\\s*[(=:]`);
    const uses = new RegExp(`(^|[^A-Za-z0-9_$])${escaped}([^A-Za-z0-9_$]|$)`);
    let at = lines.findIndex((line) => declares.test(line));
    if (at < 0) at = lines.findIndex((line) => uses.test(line));
    if (at >= 0) return [at + 1, at + 1];
  }

  const terms = new Map<string, number>();
  for (const word of focus) addTerms(word, terms);
  if (terms.size === 0) return [1, lines.length];

  const lineHits = lines.map((line) => {
    const found = new Map<string, number>();
    addTerms(line, found);
    let hits = 0;
    for (const term of found.keys()) if (terms.has(term)) hits++;
    return hits;
  });
  let bestDef: Definition | null = null;
  let bestScore = 0;
  for (const def of defs) {
    let score = 0;
    for (let i = def.line; i <= def.endLine; i++) score += lineHits[i - 1] ?? 0;
    // Prefer the tightest definition that carries the matches.
    score /= Math.sqrt(def.endLine - def.line + 1);
    if (score > bestScore) {
      bestScore = score;
      bestDef = def;
    }
  }
  if (bestDef) return [bestDef.line, bestDef.endLine];
  const firstHit = lineHits.findIndex((h) => h > 0);
  return firstHit >= 0 ? [firstHit + 1, firstHit + 1] : [1, lines.length];
}
