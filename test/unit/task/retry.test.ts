/**
 * The retry loop the plan round and the edit round share: how many attempts, what counts as the same
 * answer twice, and what goes back to the model. Driven with scripted answers; the rounds' own tests
 * (edit-round.test.ts, and the plan round below through the real task manager) cover their wiring.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { answerFingerprint, askUntilUsable, MAX_ATTEMPTS, type Reading } from "../../../server/src/agent/task/retry.js";
import type { ChatMessage } from "../../../server/src/agent/model/types.js";
import { startFakeOllama, type FakeOllama } from "../../fakes/fake-ollama.js";
import { makeFixture, type Fixture } from "../../helpers/workspace-fixture.js";
import { agentHarness, type AgentHarness } from "./harness.js";

/** A reading that accepts "ok" and refuses everything else, saying what it got. */
function read(answer: string): Reading<{ value: string }, { hint: string }> {
  return answer.trim() === "ok" ? { ok: true, value: answer } : { ok: false, reason: `not ok: ${answer.trim()}`, hint: "say ok" };
}

async function run(answers: string[]) {
  const asked: ChatMessage[][] = [];
  const messages: ChatMessage[] = [{ role: "user", content: "say ok" }];
  const result = await askUntilUsable({
    messages,
    ask: async (m) => {
      asked.push([...m]);
      return answers[asked.length - 1] ?? "(nothing left)";
    },
    read,
    correction: (unusable, attempt) => `${unusable.hint} (after attempt ${attempt})`,
  });
  return { result, asked };
}

describe("askUntilUsable", () => {
  it("allows the first attempt and three retries", () => {
    expect(MAX_ATTEMPTS).toBe(4);
  });

  const cases: { name: string; answers: string[]; expected: { ok: boolean; stuck?: boolean; attempts: number; reason?: string } }[] = [
    { name: "a usable first answer", answers: ["ok"], expected: { ok: true, attempts: 1 } },
    { name: "usable on the last attempt", answers: ["a", "b", "c", "ok"], expected: { ok: true, attempts: 4 } },
    { name: "never usable, never the same", answers: ["a", "b", "c", "d", "ok"], expected: { ok: false, stuck: false, attempts: 4, reason: "not ok: d" } },
    { name: "the same answer twice", answers: ["a", "a"], expected: { ok: false, stuck: true, attempts: 2, reason: "not ok: a" } },
    { name: "answers that differ beyond runs of whitespace", answers: ['{"files": []}', '{ "files":\n  [] }', "x"], expected: { ok: false, stuck: false, attempts: 4 } },
    { name: "the same answer re-indented", answers: ["a  b\n", "  a b", "ok"], expected: { ok: false, stuck: true, attempts: 2 } },
    { name: "an earlier answer repeated later", answers: ["a", "b", "a"], expected: { ok: false, stuck: true, attempts: 3 } },
  ];
  it.each(cases)("$name", async ({ answers, expected }) => {
    const { result, asked } = await run(answers);
    expect(result).toMatchObject(expected);
    expect(asked).toHaveLength(expected.attempts);
  });

  it("sends each unusable answer back with its correction, and nothing after the last attempt", async () => {
    const { asked } = await run(["a", "b", "c", "d"]);
    expect(asked[1]!.slice(1)).toEqual([
      { role: "assistant", content: "a" },
      { role: "user", content: "say ok (after attempt 1)" },
    ]);
    expect(asked[3]).toHaveLength(1 + 2 * 3);
  });

  it("fingerprints by collapsing whitespace", () => {
    expect(answerFingerprint(" a\n\tb  c \n")).toBe("a b c");
    expect(answerFingerprint("a b")).not.toBe(answerFingerprint("ab"));
  });
});

describe("the plan round's retries", () => {
  let ollama: FakeOllama;
  let fixture: Fixture;
  let agent: AgentHarness;

  beforeEach(async () => {
    ollama = await startFakeOllama({ models: ["qwen2.5-coder:14b"] });
    fixture = makeFixture({ "src/a.ts": "export const a = 1;\n" });
    agent = await agentHarness(fixture, { settings: { ollama: { host: ollama.url }, models: { coder: "qwen2.5-coder:14b" } } });
  });

  afterEach(async () => {
    await agent.dispose();
    await ollama.close();
    fixture.cleanup();
  });

  it("asks four times for a plan before failing with bad-plan", async () => {
    ollama.enqueueChat({ text: "no plan 1" }, { text: "no plan 2" }, { text: "no plan 3" }, { text: "no plan 4" });
    const { taskId } = agent.tasks.start({ prompt: "Change a" });
    const s = await agent.waitFor(taskId, (x) => x.state === "failed", "the task to fail");
    expect(s.error?.code).toBe("bad-plan");
    expect(s.error?.message).toMatch(/after 4 attempts/);
    expect(ollama.chatRequests()).toHaveLength(4);
    const last = ollama.chatRequests()[3]!.messages;
    expect(last[last.length - 1]!.content).toMatch(/Answer again with only the JSON object/);
  });

  it("stops at once when the model repeats its unusable plan, even re-indented", async () => {
    ollama.enqueueChat({ text: '{"summary": ""}' }, { text: '  {"summary":\n    ""}\n' });
    const { taskId } = agent.tasks.start({ prompt: "Change a" });
    const s = await agent.waitFor(taskId, (x) => x.state === "failed", "the task to fail");
    expect(s.error?.code).toBe("model-stuck");
    expect(ollama.chatRequests()).toHaveLength(2);
    expect(fixture.read("src/a.ts")).toBe("export const a = 1;\n");
  });
});
