// The chat document and the stored session: what the user reads, and what a restart gets back.
import { describe, expect, it } from "vitest";
import {
  historyOf,
  newTranscript,
  parseTranscript,
  renderTranscript,
  SESSION_ID_PATTERN,
  type Transcript,
} from "../../../server/src/agent/chat/transcript.js";

function sample(): Transcript {
  const t = newTranscript("s1", new Date("2026-11-27T13:40:12Z"));
  t.turns.push(
    {
      prompt: "What does `src/app.ts` do?",
      answer: "It starts the server.",
      status: "answered",
      at: "2026-11-27T13:41:00.000Z",
      shown: [{ path: "src/app.ts", truncated: false }],
      unavailable: [{ path: ".env", reason: "it is a secret file." }],
    },
    { prompt: "And then?", answer: "It li", status: "stopped", at: "2026-11-27T13:42:00.000Z", shown: [], unavailable: [], note: "The answer was cancelled." },
    { prompt: "Try again", answer: "", status: "failed", at: "2026-11-27T13:43:00.000Z", shown: [], unavailable: [], note: "Ollama is not running." },
    { prompt: "Now?", answer: "Partly", status: "answering", at: "2026-11-27T13:44:00.000Z", shown: [], unavailable: [] },
  );
  return t;
}

describe("chat transcript", () => {
  it("renders every turn with its context and its ending", () => {
    const doc = renderTranscript(sample());
    expect(doc).toContain("Session `s1`, started 2026-11-27 13:40 UTC.");
    expect(doc).toContain("## You (2026-11-27 13:41 UTC)\n\nWhat does `src/app.ts` do?");
    expect(doc).toContain("_Shown to the model: `src/app.ts`. Not shown: `.env` (it is a secret file)._");
    expect(doc).toContain("## Burrow\n\nIt starts the server.");
    expect(doc).toContain("It li\n\n_Stopped. The answer was cancelled._");
    expect(doc).toContain("_No answer: Ollama is not running._");
    expect(doc).toContain("Partly\n\n_Burrow is still answering…_");
  });

  it("gives the model only answered turns as history", () => {
    expect(historyOf(sample())).toEqual([{ prompt: "What does `src/app.ts` do?", answer: "It starts the server." }]);
  });

  it("reads back what it stored, marking an unfinished answer as stopped", () => {
    const back = parseTranscript(JSON.stringify(sample()), "s1")!;
    expect(back.turns).toHaveLength(4);
    expect(back.turns[3]!.status).toBe("stopped");
    expect(back.turns[3]!.note).toMatch(/server stopped/);
  });

  it.each([
    ["not json", "s1"],
    [JSON.stringify({ version: 2, sessionId: "s1", turns: [] }), "s1"],
    [JSON.stringify({ version: 1, sessionId: "other", turns: [] }), "s1"],
  ])("refuses a stored file that is not this session's transcript (%s)", (text, id) => {
    expect(parseTranscript(text, id)).toBeNull();
  });

  it.each([
    ["3f2b7c1e-4d5a-4f3b-9c2d-1a2b3c4d5e6f", true],
    ["my-session_1", true],
    ["../escape", false],
    ["a/b", false],
    ["", false],
    [".hidden", false],
    ["x".repeat(65), false],
  ])("session id %j is accepted: %s", (id, ok) => {
    expect(SESSION_ID_PATTERN.test(id)).toBe(ok);
  });
});
