// File views: a file that fits is sent whole; a large one is cut to one window around the named
// definition, with the window's true line numbers, and never over the budget.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estimateTokens } from "../../../server/src/agent/context/index.js";
import { openFixture, type Harness } from "./fixture.js";

/** A Python module of `count` functions, each a few lines long. */
function bigPython(count: number): string {
  const parts = ['"""A generated module with many functions."""', "import math", ""];
  for (let i = 0; i < count; i++) {
    parts.push(`def compute_${i}(value):`, `    """Scale the value by ${i}."""`, `    scaled = value * ${i}`, `    return math.sqrt(abs(scaled))`, "", "");
  }
  return parts.join("\n");
}

function bigTypeScript(count: number): string {
  const parts = ["// A generated class with many methods.", "export class Ledger {"];
  for (let i = 0; i < count; i++) {
    parts.push(`  /** Entry ${i}. */`, `  entry${i}(amount: number): number {`, `    const fee = amount * 0.0${i % 10};`, `    return amount - fee;`, "  }", "");
  }
  parts.push("}", "");
  return parts.join("\n");
}

let harness: Harness;
beforeAll(async () => {
  harness = await openFixture("py-lib");
  await harness.engine.build({ task: "warm up", budgetTokens: 100 });
});
afterAll(() => harness.cleanup());

describe("fileView", () => {
  it("returns a file that fits whole, without a window", () => {
    const text = "def small():\n    return 1\n";
    const view = harness.engine.fileView("pkg/small.py", text, ["small"], 1000);
    expect(view.text).toBe(text);
    expect(view.window).toBeUndefined();
    expect(view.tokens).toBe(estimateTokens(text));
  });

  it.each([
    ["pkg/generated.py", bigPython(400), "compute_250", "def compute_250(value):"],
    ["src/ledger.ts", bigTypeScript(300), "entry123", "entry123(amount: number): number {"],
  ])("windows %s around %s with its line numbers", (path, text, name, signature) => {
    const view = harness.engine.fileView(path, text, [name], 300);
    expect(view.window).toBeDefined();
    expect(view.text).toContain(signature);
    expect(view.tokens).toBeLessThanOrEqual(300);
    const lines = text.split("\n");
    const { startLine, endLine } = view.window!;
    expect(view.text).toBe(`${lines.slice(startLine - 1, endLine).join("\n")}\n`);
    expect(view.totalLines).toBe(text.endsWith("\n") ? lines.length - 1 : lines.length);
    // The named definition's own line sits inside the window, where the file has it.
    const defLine = lines.findIndex((l) => l.includes(signature)) + 1;
    expect(defLine).toBeGreaterThanOrEqual(startLine);
    expect(defLine).toBeLessThanOrEqual(endLine);
  });

  it("without a named definition, centres on the region that matches the words", () => {
    const text = bigPython(400).replace("    scaled = value * 317", "    scaled = value * 317  # the frobnicate correction");
    const view = harness.engine.fileView("pkg/generated.py", text, ["frobnicate"], 200);
    expect(view.text).toContain("frobnicate");
  });

  it("never exceeds the budget, for any budget and focus", () => {
    const text = bigPython(300);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.array(fc.constantFrom("compute_3", "compute_299", "compute_150", "sqrt", "nothing_here"), { maxLength: 3 }), (budget, focus) => {
        const view = harness.engine.fileView("pkg/generated.py", text, focus, budget);
        expect(view.tokens).toBeLessThanOrEqual(budget);
        expect(estimateTokens(view.text)).toBe(view.tokens);
      }),
      { numRuns: 200 },
    );
  });

  it("takes one window over several named definitions when they fit together", () => {
    const text = bigPython(400);
    const view = harness.engine.fileView("pkg/generated.py", text, ["compute_10", "compute_12"], 400);
    expect(view.text).toContain("def compute_10(");
    expect(view.text).toContain("def compute_12(");
  });
});
