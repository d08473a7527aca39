// Budgets are never exceeded: not by the rendered map at any budget, not by a file view, and the
// token estimate itself composes (the estimate of joined text is at most the sum of its parts),
// which is what lets the map and the views be assembled line by line.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estimateTokens } from "../../../server/src/agent/context/index.js";
import { openFixture, type Harness } from "./fixture.js";

let polyglot: Harness;
let tsApp: Harness;
beforeAll(async () => {
  polyglot = await openFixture("polyglot");
  tsApp = await openFixture("ts-app");
});
afterAll(() => {
  polyglot.cleanup();
  tsApp.cleanup();
});

describe("estimateTokens", () => {
  it("is zero for nothing and positive for anything", () => {
    expect(estimateTokens("")).toBe(0);
    fc.assert(fc.property(fc.string({ minLength: 1 }), (s) => estimateTokens(s) >= 1));
  });

  it("never charges more for joined text than for its parts", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (a, b) => {
        expect(estimateTokens(a + b)).toBeLessThanOrEqual(estimateTokens(a) + estimateTokens(b));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ["plain code", "    const total = items.reduce((sum, item) => sum + item.price, 0);\n", 14, 30],
    ["English", "The quick brown fox jumps over the lazy dog.", 9, 18],
    ["CJK", "配置文件解析失败", 8, 8],
  ])("is in a sensible range for %s", (_name, text, atLeast, atMost) => {
    const tokens = estimateTokens(text);
    expect(tokens).toBeGreaterThanOrEqual(atLeast);
    expect(tokens).toBeLessThanOrEqual(atMost);
  });
});

describe("the rendered map", () => {
  it("never exceeds its budget, whatever the budget", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1500 }),
        fc.constantFrom("ringbuf push pop", "Matrix transpose", "open_float window border", "invoice total tax", "orders"),
        async (budget, task) => {
          const result = await polyglot.engine.build({ task, budgetTokens: budget });
          expect(result.tokens).toBeLessThanOrEqual(budget);
          expect(estimateTokens(result.map)).toBe(result.tokens);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("is empty at a zero budget and grows with the budget", async () => {
    const sizes = [];
    for (const budget of [0, 10, 40, 160, 640]) {
      const result = await tsApp.engine.build({ task: "session router config", budgetTokens: budget });
      sizes.push(result.tokens);
      if (budget === 0) expect(result.map).toBe("");
    }
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]!).toBeGreaterThanOrEqual(sizes[i - 1]!);
    expect(sizes[sizes.length - 1]!).toBeGreaterThan(sizes[1]!);
  });

  it("lists files in rank order with line-numbered definitions", async () => {
    const result = await tsApp.engine.build({ task: "Router dispatch", budgetTokens: 4000 });
    const headers = result.map.split("\n").filter((l) => l !== "" && !l.startsWith(" "));
    expect(headers).toEqual(result.files.slice(0, headers.length).map((f) => f.path));
    for (const line of result.map.split("\n").filter((l) => l.startsWith(" "))) expect(line).toMatch(/^ +\d+: \S/);
  });
});
