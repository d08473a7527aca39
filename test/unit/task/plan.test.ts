/**
 * Reading the model's plan: what small models actually send (fences, prose around the JSON, string
 * steps, synonyms for actions, duplicates) is read when the meaning is clear, and refused with a
 * sentence the model can act on when it is not.
 */
import { describe, expect, it } from "vitest";
import { planMessages, readPlan, renderPlan } from "../../../server/src/agent/task/plan.js";

const good = { summary: "Add a flag.", steps: [{ description: "Parse it." }], files: [{ path: "src/cli.ts", action: "modify", reason: "parse the flag" }] };

const accepted: { name: string; answer: string; files: [string, string][]; steps?: string[] }[] = [
  { name: "plain JSON", answer: JSON.stringify(good), files: [["src/cli.ts", "modify"]] },
  { name: "JSON in a json fence", answer: "```json\n" + JSON.stringify(good, null, 2) + "\n```", files: [["src/cli.ts", "modify"]] },
  { name: "JSON after prose", answer: "Here is the plan:\n" + JSON.stringify(good) + "\nLet me know.", files: [["src/cli.ts", "modify"]] },
  {
    name: "steps as strings",
    answer: JSON.stringify({ ...good, steps: ["Parse it.", "Use it."] }),
    files: [["src/cli.ts", "modify"]],
    steps: ["Parse it.", "Use it."],
  },
  {
    name: "action synonyms and case",
    answer: JSON.stringify({ ...good, files: [{ path: "a.ts", action: "Edit", reason: "" }, { path: "b.ts", action: "add", reason: "" }, { path: "c.ts", action: "REMOVE", reason: "" }] }),
    files: [["a.ts", "modify"], ["b.ts", "create"], ["c.ts", "delete"]],
  },
  {
    name: "a file listed twice keeps the stronger action",
    answer: JSON.stringify({ ...good, files: [{ path: "a.ts", action: "read", reason: "" }, { path: "a.ts", action: "modify", reason: "" }] }),
    files: [["a.ts", "modify"]],
  },
  {
    name: "missing reason and path in backticks",
    answer: JSON.stringify({ ...good, files: [{ path: "`src/x.ts`", action: "modify" }] }),
    files: [["src/x.ts", "modify"]],
  },
  { name: "no files at all", answer: JSON.stringify({ summary: "Nothing to do.", steps: [] }), files: [] },
];

const refused: { name: string; answer: string; reason: RegExp }[] = [
  { name: "an empty answer", answer: "   ", reason: /empty/ },
  { name: "prose only", answer: "I would change the CLI parser.", reason: /not a JSON object/ },
  { name: "a JSON array", answer: "[1,2]", reason: /not a JSON object/ },
  { name: "no summary", answer: JSON.stringify({ steps: [], files: [] }), reason: /summary/ },
  { name: "an unknown action", answer: JSON.stringify({ ...good, files: [{ path: "a.ts", action: "rename", reason: "" }] }), reason: /rename.*read, modify, create, delete/ },
  { name: "truncated JSON", answer: JSON.stringify(good).slice(0, 40), reason: /not a JSON object/ },
];

describe("readPlan", () => {
  for (const c of accepted) {
    it(`reads ${c.name}`, () => {
      const r = readPlan(c.answer);
      expect(r.ok, r.ok ? "" : r.reason).toBe(true);
      if (!r.ok) return;
      expect(r.plan.files.map((f) => [f.path, f.action])).toEqual(c.files);
      if (c.steps) expect(r.plan.steps.map((s) => s.description)).toEqual(c.steps);
    });
  }
  for (const c of refused) {
    it(`refuses ${c.name}`, () => {
      const r = readPlan(c.answer);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(c.reason);
    });
  }
});

describe("planMessages", () => {
  it("carries the map, the selection, earlier feedback and the plan being revised", () => {
    const messages = planMessages({
      task: "Add a --verbose flag",
      repoMap: "src/cli.ts\n  function main()",
      openDocument: { path: "src/cli.ts", text: "a\nb\nc\nd\n", selection: { startLine: 2, endLine: 3 } },
      revision: { previous: { summary: "Old plan.", steps: [], files: [] }, feedback: "also update the docs" },
      feedback: ["keep it short"],
    });
    const user = messages[1]!.content;
    expect(messages[0]!.role).toBe("system");
    expect(user).toContain("function main()");
    expect(user).toContain("lines 2-3 of src/cli.ts");
    expect(user).toContain("b\nc");
    expect(user).not.toContain("a\nb\nc\nd");
    expect(user).toContain("Old plan.");
    expect(user).toContain("also update the docs");
    expect(user).toContain("keep it short");
    expect(user.trim().endsWith("Task: Add a --verbose flag")).toBe(true);
  });
});

describe("renderPlan", () => {
  it("shows refused files with their reason", () => {
    const text = renderPlan({ summary: "S.", steps: [{ description: "one" }], files: [{ path: "../x", action: "modify", reason: "r", refused: "outside the granted folders" }] }, "Title");
    expect(text).toContain("# Title");
    expect(text).toContain("1. one");
    expect(text).toContain("refused: outside the granted folders");
  });
});
