// The chat prompt: what goes in, in what order, and what gives way when the window is small.
import { describe, expect, it } from "vitest";
import { answerReserve, buildChatPrompt, CHAT_SYSTEM_PROMPT, type ChatTurn } from "../../../server/src/agent/chat/prompt.js";
import { estimateTokens } from "../../../server/src/agent/context/tokens.js";

const turns = (n: number, words = 40): ChatTurn[] =>
  Array.from({ length: n }, (_, i) => ({
    prompt: `question ${i} ${"alpha ".repeat(words)}`,
    answer: `answer ${i} ${"beta ".repeat(words)}`,
  }));

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `const line${i + 1} = ${i + 1};`).join("\n") + "\n";

describe("buildChatPrompt", () => {
  it("sends the system prompt, the history in order, then the question", () => {
    const prompt = buildChatPrompt({ question: "What now?", history: turns(2, 3), named: [], unavailable: [], contextTokens: 8192 });
    expect(prompt.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user", "assistant", "user"]);
    expect(prompt.messages[0]!.content).toBe(CHAT_SYSTEM_PROMPT);
    expect(prompt.messages[1]!.content).toContain("question 0");
    expect(prompt.messages[4]!.content).toContain("answer 1");
    expect(prompt.messages.at(-1)!.content).toBe("What now?");
    expect(prompt.historyTurns).toBe(2);
    expect(prompt.droppedTurns).toBe(0);
  });

  it.each([
    [1024, 20],
    [2048, 20],
    [4096, 50],
  ])("drops the oldest turns first to fit a %i-token window", (window, count) => {
    const history = turns(count);
    const prompt = buildChatPrompt({ question: "And then?", history, named: [], unavailable: [], contextTokens: window });
    expect(prompt.droppedTurns).toBeGreaterThan(0);
    expect(prompt.historyTurns + prompt.droppedTurns).toBe(count);
    // What is kept is the newest turns, contiguous and in order.
    const kept = prompt.messages.slice(1, -1).filter((m) => m.role === "user").map((m) => m.content);
    expect(kept).toEqual(history.slice(count - prompt.historyTurns).map((t) => t.prompt));
    expect(prompt.tokens).toBeLessThanOrEqual(window - answerReserve(window));
  });

  it("shows only the selected lines of the open document", () => {
    const prompt = buildChatPrompt({
      question: "Explain this.",
      history: [],
      document: { path: "src/app.ts", text: numbered(50), selection: { startLine: 10, endLine: 12 } },
      named: [],
      unavailable: [],
      contextTokens: 8192,
    });
    const question = prompt.messages.at(-1)!.content;
    expect(question).toContain("selected lines 10–12 of 50");
    expect(question).toContain("const line10 = 10;\nconst line11 = 11;\nconst line12 = 12;");
    expect(question).not.toContain("line9 ");
    expect(question).not.toContain("line13 ");
    expect(question.endsWith("The user's question:\nExplain this.")).toBe(true);
    expect(prompt.shown).toEqual([{ path: "src/app.ts", truncated: false, lines: { start: 10, end: 12, of: 50 } }]);
  });

  it("cuts a file that does not fit at a line boundary and says how much is missing", () => {
    const prompt = buildChatPrompt({
      question: "Summarise it.",
      history: [],
      document: { path: "big.ts", text: numbered(3000) },
      named: [],
      unavailable: [],
      contextTokens: 2048,
    });
    const question = prompt.messages.at(-1)!.content;
    const shown = prompt.shown[0]!;
    expect(shown.truncated).toBe(true);
    expect(shown.lines!.start).toBe(1);
    expect(shown.lines!.end).toBeGreaterThan(10);
    expect(question).toContain(`(${3000 - shown.lines!.end} more lines are not shown`);
    expect(question).toContain(`const line${shown.lines!.end} = ${shown.lines!.end};\n`);
    expect(question).not.toContain(`const line${shown.lines!.end + 1} =`);
    expect(prompt.tokens).toBeLessThanOrEqual(2048 - answerReserve(2048));
  });

  it("keeps named files in the order named, and lists the files it may not show", () => {
    const prompt = buildChatPrompt({
      question: "Compare `b.ts` with `a.ts`, and look at `.env`.",
      history: [],
      named: [
        { path: "b.ts", text: "export const b = 2;\n" },
        { path: "a.ts", text: "export const a = 1;\n" },
      ],
      unavailable: [{ path: ".env", reason: "it is a secret file" }],
      contextTokens: 8192,
    });
    const question = prompt.messages.at(-1)!.content;
    expect(question.indexOf("`b.ts`:")).toBeLessThan(question.indexOf("`a.ts`:"));
    expect(question).toContain("- `.env`: it is a secret file");
    expect(prompt.unavailable).toEqual([{ path: ".env", reason: "it is a secret file" }]);
  });

  it("fences a file that itself contains fences with a longer fence", () => {
    const text = "# Notes\n\n```ts\nconst x = 1;\n```\n";
    const prompt = buildChatPrompt({ question: "Q", history: [], named: [{ path: "notes.md", text }], unavailable: [], contextTokens: 8192 });
    expect(prompt.messages.at(-1)!.content).toContain("````md\n# Notes\n\n```ts\nconst x = 1;\n```\n````");
  });

  it("gives the context the user pointed at precedence over old history", () => {
    const file = numbered(200);
    const prompt = buildChatPrompt({
      question: "Look at this.",
      history: turns(30),
      document: { path: "src/app.ts", text: file },
      named: [],
      unavailable: [],
      contextTokens: 4096,
    });
    expect(prompt.shown[0]!.path).toBe("src/app.ts");
    expect(prompt.droppedTurns).toBeGreaterThan(0);
    expect(estimateTokens(prompt.messages.at(-1)!.content)).toBeGreaterThan(estimateTokens(file) / 4);
  });
});
