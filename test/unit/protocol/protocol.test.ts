/**
 * The protocol module's pieces, each against a table: argument checking (what passes, and the
 * sentence a mistake gets), LSP ranges to lines, prompt titles, and the error numbers, which must be
 * the ones vscode-languageserver sends so every front end answers alike.
 */
import { ErrorCodes, LSPErrorCodes } from "vscode-languageserver";
import { describe, expect, it } from "vitest";
import { codeOfModelError, parseArguments, promptTitle, RPC_ERROR, type BurrowCommand } from "../../../server/src/protocol/index.js";
import { linesOfRange } from "../../../server/src/protocol/lsp-range.js";

describe("parseArguments", () => {
  const cases: Array<{ command: BurrowCommand; raw: unknown; args?: unknown; reason?: string }> = [
    { command: "burrow.task", raw: { prompt: "  add a flag " }, args: { prompt: "add a flag" } },
    { command: "burrow.task", raw: { prompt: "   " }, reason: 'burrow.task: "prompt" is not valid: prompt must not be empty.' },
    { command: "burrow.task", raw: undefined, reason: 'burrow.task: "prompt" is not valid: Invalid input: expected string, received undefined.' },
    {
      command: "burrow.task",
      raw: { prompt: "p", range: { start: { line: -1, character: 0 }, end: { line: 0, character: 0 } } },
      reason: 'burrow.task: "range.start.line" is not valid: Too small: expected number to be >=0.',
    },
    { command: "burrow.task.status", raw: undefined, args: {} },
    { command: "burrow.task.status", raw: { taskId: "t1" }, args: { taskId: "t1" } },
    { command: "burrow.plan.revise", raw: { taskId: "t1", feedback: " " }, reason: 'burrow.plan.revise: "feedback" is not valid: feedback must say what to change.' },
    { command: "burrow.changes.apply", raw: { taskId: "t1", hunks: ["h1"] }, args: { taskId: "t1", hunks: ["h1"] } },
    { command: "burrow.undo", raw: "t1", reason: "burrow.undo: its argument is not valid: Invalid input: expected object, received string." },
    { command: "burrow.models.list", raw: ["anything"], args: ["anything"] },
    { command: "burrow.models.pull", raw: { name: "" }, reason: 'burrow.models.pull: "name" is not valid: Too small: expected string to have >=1 characters.' },
  ];
  for (const c of cases) {
    it(`${c.command} ${JSON.stringify(c.raw)}`, () => {
      const parsed = parseArguments(c.command, c.raw);
      if (c.reason !== undefined) expect(parsed).toEqual({ ok: false, reason: c.reason });
      else expect(parsed).toEqual({ ok: true, args: c.args });
    });
  }
});

describe("linesOfRange", () => {
  const at = (line: number, character: number) => ({ line, character });
  const cases = [
    { name: "whole lines selected end at the start of the next line", range: { start: at(0, 0), end: at(2, 0) }, lines: { startLine: 1, endLine: 2 } },
    { name: "a selection ending inside a line includes it", range: { start: at(0, 3), end: at(2, 4) }, lines: { startLine: 1, endLine: 3 } },
    { name: "an empty range is its line", range: { start: at(4, 0), end: at(4, 0) }, lines: { startLine: 5, endLine: 5 } },
  ];
  for (const c of cases) it(c.name, () => expect(linesOfRange(c.range)).toEqual(c.lines));
});

describe("promptTitle", () => {
  const cases = [
    { prompt: "Add a --json flag", width: 40, title: "Add a --json flag" },
    { prompt: "  first line  \nsecond line", width: 40, title: "first line" },
    { prompt: "abcdefghij", width: 10, title: "abcdefghij" },
    { prompt: "abcdefghijk", width: 10, title: "abcdefghi…" },
    { prompt: "", width: 10, title: "" },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.prompt), () => {
      const title = promptTitle(c.prompt, c.width);
      expect(title).toBe(c.title);
      expect(title.length).toBeLessThanOrEqual(c.width);
    });
  }
});

describe("error numbers and codes", () => {
  it("are the JSON-RPC and LSP numbers", () => {
    expect(RPC_ERROR).toEqual({
      invalidParams: ErrorCodes.InvalidParams,
      invalidRequest: ErrorCodes.InvalidRequest,
      internalError: ErrorCodes.InternalError,
      serverNotInitialized: ErrorCodes.ServerNotInitialized,
      requestCancelled: LSPErrorCodes.RequestCancelled,
    });
  });

  it("name an unreachable runtime by what the user must fix, and every other model failure by its kind", () => {
    expect(codeOfModelError("unreachable")).toBe("runtime-unreachable");
    expect(codeOfModelError("model-missing")).toBe("model-missing");
    expect(codeOfModelError("timeout")).toBe("timeout");
  });
});
