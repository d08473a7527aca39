/**
 * The document the user is in, as `burrow.chat` reads it: through the same reader as a task, so the
 * sandbox decides whether it may be read, a selection ending at the start of a line leaves that line
 * out, and a document the sandbox refuses is reported in the answer's `unavailable` (and to the
 * model) instead of being dropped without a word.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";
import { inProcessServer, type Harness } from "../helpers/servers.js";
import { makeFixture, serverEnv, type Fixture } from "../helpers/workspace-fixture.js";

const LIST = ["export const first = 'ALPHA-LINE';", "export const second = 'BRAVO-LINE';", "export const third = 'CHARLIE-LINE';", "export const fourth = 'DELTA-LINE';"].join("\n") + "\n";

let fake: FakeOllama;
let fixture: Fixture;
let harness: Harness;

beforeEach(async () => {
  fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  fixture = makeFixture({ "src/list.ts": LIST, ".env": "API_KEY=SECRET-ON-DISK-4242\n" });
  harness = await inProcessServer({ root: fixture.root, kind: "plugin", env: serverEnv(fixture, fake.url) });
});
afterEach(async () => {
  await harness.close();
  await fake.close();
  fixture.cleanup();
});

interface ChatAnswer {
  sessionId: string;
  text: string;
  unavailable: Array<{ path: string; reason: string }>;
}

function sentToModel(): string {
  return JSON.stringify(fake.chatRequests().at(-1)?.messages ?? []);
}

describe("burrow.chat and the document the user is in", () => {
  const selections = [
    { name: "a selection ending at the start of a line leaves that line out", end: { line: 2, character: 0 }, lines: "1–2", shown: ["ALPHA-LINE", "BRAVO-LINE"], hidden: ["CHARLIE-LINE", "DELTA-LINE"] },
    { name: "a selection ending inside a line includes it", end: { line: 2, character: 5 }, lines: "1–3", shown: ["ALPHA-LINE", "BRAVO-LINE", "CHARLIE-LINE"], hidden: ["DELTA-LINE"] },
    { name: "a selection on one line is that line", end: { line: 0, character: 0 }, lines: "1–1", shown: ["ALPHA-LINE"], hidden: ["BRAVO-LINE"] },
  ];
  for (const c of selections) {
    it(c.name, async () => {
      const { client } = harness;
      fake.enqueueChat({ chunks: ["Fine."] });
      const uri = client.openDocument(fixture.path("src/list.ts"), undefined, "typescript");
      const answer = await client.command<ChatAnswer>("burrow.chat", { prompt: "What is selected?", uri, range: { start: { line: 0, character: 0 }, end: c.end } });
      expect(answer.unavailable).toEqual([]);
      const sent = sentToModel();
      expect(sent).toContain(`selected lines ${c.lines} of 4`);
      for (const text of c.shown) expect(sent).toContain(text);
      for (const text of c.hidden) expect(sent).not.toContain(text);
    });
  }

  it("reports a document the sandbox refuses, and sends neither its buffer nor its file", async () => {
    const { client } = harness;
    fake.enqueueChat({ chunks: ["I cannot see that file."] });
    const uri = client.openDocument(fixture.path(".env"), "API_KEY=SECRET-IN-BUFFER-9999\n");
    const answer = await client.command<ChatAnswer>("burrow.chat", { prompt: "What is in this file?", uri });
    expect(answer.text).toBe("I cannot see that file.");
    expect(answer.unavailable).toHaveLength(1);
    expect(answer.unavailable[0]!.path).toBe(".env");
    expect(answer.unavailable[0]!.reason).not.toBe("");
    const sent = sentToModel();
    expect(sent).not.toContain("SECRET-IN-BUFFER-9999");
    expect(sent).not.toContain("SECRET-ON-DISK-4242");
    // The model is told the file exists but is not shown, so it does not guess at its content.
    expect(sent).toContain(".env");
  });

  it("reports a document outside the granted folders by its path", async () => {
    const { client } = harness;
    fake.enqueueChat({ chunks: ["Outside."] });
    const outside = join(fixture.outside, "elsewhere.ts");
    const uri = client.openDocument(outside, "export const OUTSIDE_TEXT = 1;\n");
    const answer = await client.command<ChatAnswer>("burrow.chat", { prompt: "Explain this.", uri });
    expect(answer.unavailable).toEqual([{ path: outside, reason: expect.stringMatching(/outside the folders granted/) }]);
    expect(sentToModel()).not.toContain("OUTSIDE_TEXT");
  });
});
