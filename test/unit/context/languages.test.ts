// Definitions come out of every language the map parses with tree-sitter, with the right names
// and line numbers, and other files get the plain keyword reading.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { plainFacts } from "../../../server/src/agent/context/facts.js";
import { languageFor, supportedGrammars } from "../../../server/src/agent/context/languages.js";
import { TreeSitterReader } from "../../../server/src/agent/context/treesitter.js";
import { FIXTURES } from "./fixture.js";

const cases: Array<{ file: string; grammar: string; defs: string[] }> = [
  { file: "ts-app/src/config/parser.ts", grammar: "typescript", defs: ["2 interface AppConfig", "8 function parseConfig", "17 function describeConfig"] },
  { file: "ts-app/src/server/session.ts", grammar: "typescript", defs: ["5 class Session", "9 method constructor", "13 method id", "17 method close", "21 method isOpen"] },
  { file: "ts-app/src/server/router.ts", grammar: "typescript", defs: ["4 type Handler", "6 class Router", "9 method register", "13 method dispatch"] },
  { file: "py-lib/pkg/http/client.py", grammar: "python", defs: ["6 class HttpClient", "9 function __init__", "14 function send_request", "19 function follow_redirects"] },
  { file: "py-lib/pkg/auth.py", grammar: "python", defs: ["4 variable TOKEN_LIFETIME", "7 function refresh_token", "11 function token_expired"] },
  { file: "go-svc/internal/store/store.go", grammar: "go", defs: ["6 type Store", "11 function NewStore", "16 method Get", "23 method Put"] },
  { file: "rust-cli/src/lexer.rs", grammar: "rust", defs: ["2 enum Token", "8 struct Lexer", "13 impl Lexer", "14 function new", "18 function next_token", "31 function collect_tokens"] },
  { file: "rust-cli/src/parser.rs", grammar: "rust", defs: ["3 trait Evaluate", "4 function evaluate", "7 function evaluate"] },
  { file: "polyglot/java/com/acme/OrderService.java", grammar: "java", defs: ["6 class OrderService", "9 method OrderService", "11 method placeOrder", "17 method countOrders"] },
  { file: "polyglot/java/com/acme/Order.java", grammar: "java", defs: ["3 class Order", "4 method isBulk"] },
  { file: "polyglot/c/include/ringbuf.h", grammar: "c", defs: ["6 macro RINGBUF_CAPACITY", "8 struct ringbuf", "8 type ringbuf_t", "14 prototype ringbuf_init", "15 prototype ringbuf_push", "16 prototype ringbuf_pop"] },
  { file: "polyglot/c/src/ringbuf.c", grammar: "c", defs: ["3 function ringbuf_init", "8 function ringbuf_push", "16 function ringbuf_pop", "23 function ringbuf_describe"] },
  { file: "polyglot/cpp/matrix.hpp", grammar: "cpp", defs: ["4 module linalg", "6 class Matrix", "8 prototype Matrix", "9 prototype at", "10 prototype transpose"] },
  { file: "polyglot/cpp/matrix.cpp", grammar: "cpp", defs: ["3 module linalg", "5 function Matrix", "7 function at", "11 function transpose"] },
  { file: "polyglot/lua/plugin/window.lua", grammar: "lua", defs: ["3 function border_chars", "7 function open_float", "12 function close_float"] },
  { file: "polyglot/lua/plugin/init.lua", grammar: "lua", defs: ["5 function setup", "9 function open_panel"] },
  { file: "polyglot/ruby/lib/invoice.rb", grammar: "ruby", defs: ["3 module Billing", "4 class Invoice", "5 method initialize", "9 method total"] },
  { file: "polyglot/ruby/lib/tax_calculator.rb", grammar: "ruby", defs: ["1 module Billing", "2 class TaxCalculator", "5 method tax_for"] },
];

const reader = new TreeSitterReader((m) => {
  throw new Error(`unexpected grammar problem: ${m}`);
});

beforeAll(async () => {
  await reader.prepare(supportedGrammars);
});

describe("tree-sitter definitions", () => {
  it("loads every supported grammar and its query", () => {
    for (const grammar of supportedGrammars) expect(reader.ready(grammar), grammar).toBe(true);
  });

  it.each(cases)("$file ($grammar)", ({ file, grammar, defs }) => {
    const spec = languageFor(file);
    expect(spec?.grammar).toBe(grammar);
    const facts = reader.extract(spec!, readFileSync(join(FIXTURES, file), "utf8"));
    expect(facts?.language).toBe(grammar);
    expect(facts!.defs.map((d) => `${d.line} ${d.kind} ${d.name}`)).toEqual(defs);
    for (const def of facts!.defs) expect(def.endLine).toBeGreaterThanOrEqual(def.line);
  });

  it("records the span of a definition, so a window can cover all of it", () => {
    const facts = reader.extract(languageFor("a.py")!, readFileSync(join(FIXTURES, "py-lib/pkg/http/client.py"), "utf8"))!;
    const follow = facts.defs.find((d) => d.name === "follow_redirects")!;
    expect([follow.line, follow.endLine]).toEqual([19, 24]);
  });
});

describe("the plain reading", () => {
  it("finds keyword definitions in a shell script", () => {
    const facts = plainFacts("scripts/deploy.sh", readFileSync(join(FIXTURES, "polyglot/scripts/deploy.sh"), "utf8"));
    expect(facts.language).toBe("plain");
    expect(facts.idents.map(([name]) => name)).toContain("deploy_staging");
  });

  it("outlines Markdown by its headings, skipping fenced code", () => {
    const text = "# Title\n\nIntro.\n\n```sh\n# not a heading\n```\n\n## Usage\n\nRun it.\n";
    const facts = plainFacts("README.md", text);
    expect(facts.defs.map((d) => `${d.line} ${d.kind} ${d.name}`)).toEqual(["1 heading Title", "9 heading Usage"]);
  });

  it("finds definitions by keyword in languages without a grammar", () => {
    const text = "defmodule Shop.Cart do\n  def add_item(cart, item) do\n    cart\n  end\nend\n";
    const facts = plainFacts("lib/cart.ex", text);
    expect(facts.defs.map((d) => d.name)).toEqual(["Shop", "add_item"]);
  });
});
