// The ranking puts the file that defines what the task names first, in every language the map
// understands, and the rendered map outlines that file's definitions with their line numbers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openFixture, type Harness } from "./fixture.js";

const cases: Array<{ repo: string; task: string; first: string; mapLine?: RegExp }> = [
  { repo: "ts-app", task: "parseConfig should reject a negative port", first: "src/config/parser.ts", mapLine: /^\s+8: export function parseConfig/m },
  { repo: "ts-app", task: "Closing a Session twice should be harmless", first: "src/server/session.ts", mapLine: /^\s+\d+: close\(\): void \{/m },
  { repo: "ts-app", task: "make slugify keep unicode letters", first: "src/util/strings.ts" },
  { repo: "ts-app", task: "Router.dispatch returns 404 for unknown paths; add a fallback handler", first: "src/server/router.ts" },
  { repo: "ts-app", task: "update src/index.ts to register a /version route", first: "src/index.ts" },
  { repo: "py-lib", task: "follow_redirects loops forever when location repeats", first: "pkg/http/client.py", mapLine: /^\s+\d+: def follow_redirects/m },
  { repo: "py-lib", task: "refresh_token should cache the token until it expires", first: "pkg/auth.py" },
  { repo: "py-lib", task: "RetryPolicy should back off exponentially between attempts", first: "pkg/retry.py" },
  { repo: "go-svc", task: "Store.Get should return a copy", first: "internal/store/store.go", mapLine: /^\s+\d+: func \(s \*Store\) Get/m },
  { repo: "go-svc", task: "ServeItem should return 404 text for a missing key", first: "internal/api/handler.go" },
  { repo: "rust-cli", task: "next_token panics on multi-digit numbers", first: "src/lexer.rs", mapLine: /^\s+\d+: pub fn next_token/m },
  { repo: "rust-cli", task: "evaluate should support multiplication", first: "src/parser.rs" },
  { repo: "polyglot", task: "placeOrder must reject a zero quantity", first: "java/com/acme/OrderService.java", mapLine: /^\s+\d+: public Order placeOrder/m },
  { repo: "polyglot", task: "ringbuf_push overwrites data when the buffer is full", first: "c/src/ringbuf.c" },
  { repo: "polyglot", task: "Matrix transpose is slow for large matrices", first: "cpp/matrix.cpp" },
  { repo: "polyglot", task: "open_float should accept a width option", first: "lua/plugin/window.lua", mapLine: /^\s+\d+: function M\.open_float/m },
  { repo: "polyglot", task: "TaxCalculator.tax_for rounds the wrong way", first: "ruby/lib/tax_calculator.rb", mapLine: /^\s+\d+: def self\.tax_for/m },
  { repo: "polyglot", task: "deploy_staging should push to the staging host", first: "scripts/deploy.sh" },
];

const repos = [...new Set(cases.map((c) => c.repo))];
const harnesses = new Map<string, Harness>();

beforeAll(async () => {
  for (const repo of repos) harnesses.set(repo, await openFixture(repo));
});
afterAll(() => {
  for (const h of harnesses.values()) h.cleanup();
});

describe("ranking", () => {
  it.each(cases)("$repo: \"$task\" puts $first first", async ({ repo, task, first, mapLine }) => {
    const { engine } = harnesses.get(repo)!;
    const result = await engine.build({ task, budgetTokens: 1024 });
    expect(result.files[0]?.path).toBe(first);
    expect(result.map.startsWith(`${first}\n`)).toBe(true);
    if (mapLine) expect(result.map).toMatch(mapLine);
  });

  it("scores are positive and sorted best first", async () => {
    const { engine } = harnesses.get("ts-app")!;
    const { files } = await engine.build({ task: "session configuration parsing", budgetTokens: 512 });
    expect(files.length).toBeGreaterThan(1);
    for (let i = 1; i < files.length; i++) expect(files[i - 1]!.score).toBeGreaterThanOrEqual(files[i]!.score);
    expect(files.every((f) => f.score > 0)).toBe(true);
  });

  it("the open document and its selection pull their definitions up", async () => {
    const { engine } = harnesses.get("ts-app")!;
    const text = "export function truncate(text: string, max: number): string {\n  return text;\n}\n";
    const result = await engine.build({
      task: "make this handle the edge case",
      budgetTokens: 512,
      openDocument: { path: "src/util/strings.ts", text, selection: { startLine: 1, endLine: 2 } },
    });
    expect(result.files[0]?.path).toBe("src/util/strings.ts");
  });

  it("a file that merely uses a named identifier ranks below the file that defines it", async () => {
    const { engine } = harnesses.get("ts-app")!;
    const { files } = await engine.build({ task: "Session", budgetTokens: 512 });
    const paths = files.map((f) => f.path);
    expect(paths[0]).toBe("src/server/session.ts");
    expect(paths.indexOf("src/server/router.ts")).toBeGreaterThan(0);
  });
});
