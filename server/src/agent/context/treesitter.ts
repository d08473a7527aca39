/**
 * Definitions from tree-sitter: loads the prebuilt grammars shipped in the `tree-sitter-wasms`
 * package (nothing is fetched at run time), compiles each language's definition query once, and
 * turns a file's text into `FileFacts`. Loading is asynchronous and happens once per grammar per
 * process; extraction is synchronous, so the engine can parse in small slices between other work.
 *
 * web-tree-sitter is pinned to 0.24: later releases refuse the grammars' older `dylink` section,
 * and the grammars in tree-sitter-wasms are still built that way.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import Parser from "web-tree-sitter";
import { type Definition, type FileFacts, identsOf, signatureOf, splitLines } from "./facts.js";
import { definitionQuery, type LanguageSpec } from "./languages.js";

/** Files beyond these sizes are generated or minified more often than not; they get the plain reading. */
const MAX_PARSE_BYTES = 1_000_000;
const MAX_AVERAGE_LINE = 250;
/** A pathological file must not stall the engine: tree-sitter gives up after this long. */
const PARSE_TIMEOUT_MICROS = 2_000_000;

interface LoadedGrammar {
  language: Parser.Language;
  query: Parser.Query;
}

// Grammars are shared by every reader in the process, and loaded strictly one after another:
// web-tree-sitter links each grammar into one module, and overlapping loads resolve each other's
// external scanners.
let runtime: Promise<void> | null = null;
const grammars = new Map<string, Promise<LoadedGrammar | null>>();
const loaded = new Map<string, LoadedGrammar | null>();
let queue: Promise<unknown> = Promise.resolve();

function loadGrammar(grammar: string, log: (message: string) => void): Promise<LoadedGrammar | null> {
  let pending = grammars.get(grammar);
  if (!pending) {
    runtime ??= Parser.init();
    pending = queue.then(async () => {
      try {
        await runtime;
        const language = await Parser.Language.load(join(grammarDirectory(), `tree-sitter-${grammar}.wasm`));
        return { language, query: compileQuery(language, grammar, log) };
      } catch (err) {
        log(`context: the ${grammar} grammar did not load (${err instanceof Error ? err.message : String(err)}); its files get the plain reading.`);
        return null;
      }
    });
    pending.then((result) => loaded.set(grammar, result));
    queue = pending;
    grammars.set(grammar, pending);
  }
  return pending;
}

export class TreeSitterReader {
  private parser: Parser | null = null;
  private disposed = false;

  constructor(private readonly log: (message: string) => void = () => {}) {}

  /** Load the grammars named (once each per process); a grammar that fails leaves its files to the plain reading. */
  async prepare(wanted: Iterable<string>): Promise<void> {
    await Promise.all([...new Set(wanted)].map((grammar) => loadGrammar(grammar, this.log)));
    if (!this.parser && !this.disposed && runtime) {
      await runtime;
      this.parser = new Parser();
      this.parser.setTimeoutMicros(PARSE_TIMEOUT_MICROS);
    }
  }

  /** True when `extract` can run for this grammar now. */
  ready(grammar: string): boolean {
    return this.parser !== null && (loaded.get(grammar) ?? null) !== null;
  }

  /** Facts for a file of a loaded grammar, or null when the grammar is not loaded or the file is unsuitable. */
  extract(spec: LanguageSpec, text: string): FileFacts | null {
    const grammar = loaded.get(spec.grammar);
    if (!grammar || !this.parser) return null;
    if (text.length > MAX_PARSE_BYTES) return null;
    const lines = splitLines(text);
    if (text.length / Math.max(lines.length, 1) > MAX_AVERAGE_LINE) return null;
    this.parser.setLanguage(grammar.language);
    let tree: Parser.Tree | null = null;
    try {
      tree = this.parser.parse(text);
      if (!tree) return null;
      const defs = definitionsFrom(grammar.query.matches(tree.rootNode), lines);
      return { language: spec.grammar, lines: lines.length, defs, idents: identsOf(text) };
    } catch (err) {
      this.log(`context: tree-sitter could not parse a ${spec.grammar} file (${err instanceof Error ? err.message : String(err)}); using the plain reading.`);
      return null;
    } finally {
      tree?.delete();
      this.parser.reset();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.parser?.delete();
    this.parser = null;
  }
}

let grammarDir: string | null = null;

/** Where tree-sitter-wasms keeps its prebuilt grammars, found through Node's module resolution. */
function grammarDirectory(): string {
  grammarDir ??= join(dirname(createRequire(import.meta.url).resolve("tree-sitter-wasms/package.json")), "out");
  return grammarDir;
}

/** Compile the query; if the grammar lacks a node type one pattern names, keep the patterns it accepts. */
function compileQuery(language: Parser.Language, grammar: string, log: (m: string) => void): Parser.Query {
  const source = definitionQuery(grammar);
  try {
    return language.query(source);
  } catch {
    const accepted = source
      .split("\n")
      .filter((line) => line.trim() !== "")
      .filter((line) => {
        try {
          language.query(line).delete();
          return true;
        } catch {
          log(`context: the ${grammar} grammar rejects the pattern ${line.trim()}; skipping it.`);
          return false;
        }
      });
    return language.query(accepted.join("\n"));
  }
}

/** Turn query matches into definitions: one per definition node, named by its last name segment. */
function definitionsFrom(matches: Parser.QueryMatch[], lines: string[]): Definition[] {
  const seen = new Set<string>();
  const defs: Definition[] = [];
  for (const match of matches) {
    let defNode: Parser.SyntaxNode | null = null;
    let kind = "";
    let nameNode: Parser.SyntaxNode | null = null;
    for (const capture of match.captures) {
      if (capture.name === "name") nameNode = capture.node;
      else if (capture.name.startsWith("def.")) {
        defNode = capture.node;
        kind = capture.name.slice(4);
      }
    }
    if (!defNode || !nameNode) continue;
    const name = lastSegment(nameNode.text);
    if (name === null) continue;
    const line = defNode.startPosition.row + 1;
    const key = `${line}:${name}:${kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const endRow =
      defNode.endPosition.column === 0 && defNode.endPosition.row > defNode.startPosition.row ? defNode.endPosition.row - 1 : defNode.endPosition.row;
    defs.push({ name, kind, line, endLine: endRow + 1, signature: signatureOf(lines[line - 1] ?? nameNode.text) });
  }
  defs.sort((a, b) => a.line - b.line || b.endLine - a.endLine);
  return defs;
}

/** `Foo::bar` → bar, `M.run` → run, `obj:method` → method, `Vec<T>` → Vec; null for nothing usable. */
function lastSegment(text: string): string | null {
  const segments = text.split(/::|->|[.:]/);
  const last = segments[segments.length - 1] ?? "";
  const match = /~?[A-Za-z_$][A-Za-z0-9_$?!]*/.exec(last);
  return match ? match[0] : null;
}
