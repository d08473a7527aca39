/**
 * The repo map as the model reads it: the ranked files, best first, each with the lines that
 * introduce its key definitions and their line numbers, nested by containment:
 *
 *     server/src/agent/context/bm25.ts
 *       26: export class Bm25Index {
 *         43:   set(doc: string, fieldTerms: …): void {
 *
 * Which definitions a file shows is decided by the task first (names it mentions or shares words
 * with), then by how much the rest of the repository uses them; better-ranked files get more lines.
 * The map is built line by line against the budget and never exceeds it.
 */
import type { Definition } from "./facts.js";
import { estimateTokens } from "./tokens.js";
import { addIdentifierTerms } from "./words.js";

export interface MapFile {
  display: string;
  defs: readonly Definition[];
}

export interface MapContext {
  /** Query terms and named identifiers, to prefer the definitions the task is about. */
  terms: ReadonlyMap<string, number>;
  identifiers: ReadonlyMap<string, number>;
  /** How many files reference a name: a widely used definition is a key one. */
  referencedBy: ReadonlyMap<string, number>;
}

/** Lines a file may show, by its rank: the best files get room to show their structure. */
function lineAllowance(rank: number): number {
  if (rank === 0) return 40;
  if (rank < 3) return 24;
  if (rank < 10) return 12;
  return 6;
}

export function renderMap(files: readonly MapFile[], budgetTokens: number, context: MapContext): { map: string; tokens: number; shown: number } {
  const lines: string[] = [];
  let used = 0;
  let shown = 0;
  const fits = (line: string) => used + estimateTokens(`${line}\n`) <= budgetTokens;
  const push = (line: string) => {
    used += estimateTokens(`${line}\n`);
    lines.push(line);
  };
  for (let rank = 0; rank < files.length; rank++) {
    const file = files[rank]!;
    if (!fits(file.display)) break;
    push(file.display);
    shown++;
    const chosen = chooseDefinitions(file.defs, lineAllowance(rank), context);
    for (const line of definitionLines(chosen)) {
      if (!fits(line)) break;
      push(line);
    }
  }
  const map = lines.length > 0 ? `${lines.join("\n")}\n` : "";
  return { map, tokens: estimateTokens(map), shown };
}

/** The definitions worth showing, at most `limit`, returned in file order. */
function chooseDefinitions(defs: readonly Definition[], limit: number, context: MapContext): Definition[] {
  if (defs.length <= limit) return [...defs];
  const scored = defs.map((def, order) => ({ def, order, score: definitionScore(def, context) }));
  scored.sort((a, b) => b.score - a.score || a.order - b.order);
  const kept = scored.slice(0, limit);
  // A chosen method reads better with its class: keep the innermost container when there is room.
  kept.sort((a, b) => a.order - b.order);
  return kept.map((k) => k.def);
}

function definitionScore(def: Definition, context: MapContext): number {
  let score = 0;
  const named = context.identifiers.get(def.name);
  if (named) score += 10 * named;
  const terms = new Map<string, number>();
  addIdentifierTerms(def.name, terms);
  for (const term of terms.keys()) if (context.terms.has(term)) score += 2;
  score += Math.log1p(context.referencedBy.get(def.name) ?? 0);
  if (def.kind === "class" || def.kind === "interface" || def.kind === "struct" || def.kind === "trait" || def.kind === "module") score += 1;
  if (def.kind === "variable") score -= 0.5;
  return score;
}

/** `  <line>: <signature>`, indented one step per enclosing definition shown. */
function definitionLines(defs: readonly Definition[]): string[] {
  const out: string[] = [];
  const open: number[] = [];
  for (const def of defs) {
    while (open.length > 0 && open[open.length - 1]! < def.line) open.pop();
    out.push(`${"  ".repeat(open.length + 1)}${def.line}: ${def.signature}`);
    if (def.endLine > def.line) open.push(def.endLine);
  }
  return out;
}
