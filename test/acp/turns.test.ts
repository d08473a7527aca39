/**
 * Prompt turns through ACP beyond a straight approval: cancel at every state (mid-stream, at each
 * gate), revise with the words of the next prompt, a file taken change by change, and chat mode
 * (answers stream as agent_message_chunk, nothing is written). One `burrow acp` process serves a
 * whole describe block, a new session per test, as an editor keeps one agent for many threads.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama, type FakeReply, type RecordedRequest } from "../fakes/fake-ollama.js";
import { startAcpClient, type AcpTestClient, type PermissionAnswer } from "../helpers/acp-client.js";
import { planAnswer, wholeFileAnswer } from "../helpers/scripted-model.js";
import { greetEdits, greetPlan, ORIGINAL, PROMPT, PROPOSED } from "./greet-task.js";
import { makeFixture, serverEnv, type Fixture } from "../helpers/workspace-fixture.js";

// Two functions far enough apart that a change to each makes its own hunk.
const SPACER = Array.from({ length: 10 }, (_, i) => `// line ${i + 1} between the functions`).join("\n");
const MATH = `export function add(a: number, b: number): number {\n  return a + b;\n}\n${SPACER}\nexport function sub(a: number, b: number): number {\n  return a - b;\n}\n`;
const MATH_NEW = MATH.replace("  return a + b;", "  // Adds two numbers.\n  return a + b;").replace("  return a - b;", "  // Subtracts b from a.\n  return a - b;");

let fake: FakeOllama;
let fixture: Fixture;
let client: AcpTestClient;

beforeAll(async () => {
  fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  fixture = makeFixture({});
  client = await startAcpClient({ env: serverEnv(fixture, fake.url), fs: { read: true, write: true } });
});

afterAll(async () => {
  await client.close();
  await fake.close();
  fixture.cleanup();
});

beforeEach(() => {
  fixture.write("src/greet.ts", ORIGINAL);
  fixture.write("src/math.ts", MATH);
});

afterEach(() => {
  client.setAnswer(undefined);
});

const plan = greetPlan();
const edits = greetEdits;
const isModelRequest = (r: RecordedRequest) => r.path === "/api/chat" && Array.isArray(r.body?.messages) && r.body.messages.length > 0;
const modelRequests = () => fake.requests.filter(isModelRequest);
const isPlanGate = (options: { optionId: string }[]) => options.some((o) => o.optionId === "revise");
const approvePlanOnly: PermissionAnswer = (r) => (isPlanGate(r.options) ? "approve" : undefined);

/** The permission requests asked in this session so far. */
const asked = (sessionId: string) => client.log.filter((e) => e.kind === "asked" && e.request.sessionId === sessionId).length;

describe("cancel", () => {
  const cases: { name: string; replies: FakeReply[]; answer?: PermissionAnswer; reach: (sessionId: string, requestsBefore: number) => Promise<unknown>; modelAborted?: boolean }[] = [
    {
      name: "while the plan streams",
      replies: [{ chunks: ['{"summary":'], stallAfterChunks: 1 }],
      reach: (_, before) => fake.waitFor((r) => isModelRequest(r) && modelRequests().length > before),
      modelAborted: true,
    },
    { name: "at gate 1", replies: [plan], reach: (id) => client.waitFor((e) => e.kind === "asked" && e.request.sessionId === id, "the plan gate") },
    {
      name: "while the edits stream",
      replies: [plan, { chunks: ["src/greet.ts\n```\nexport"], stallAfterChunks: 1 }],
      answer: approvePlanOnly,
      reach: (_, before) => fake.waitFor((r) => isModelRequest(r) && modelRequests().length > before + 1),
      modelAborted: true,
    },
    {
      name: "at gate 2",
      replies: [plan, edits],
      answer: approvePlanOnly,
      reach: (id) => client.waitFor(() => asked(id) === 2, "the changes gate"),
    },
  ];

  for (const c of cases) {
    it(`${c.name}: the prompt answers cancelled and nothing is written`, async () => {
      fake.enqueueChat(...c.replies);
      client.setAnswer(c.answer);
      const sessionId = await client.newSession(fixture.root);
      const before = modelRequests().length;
      const prompt = client.prompt(sessionId, PROMPT);
      await c.reach(sessionId, before);
      await client.cancel(sessionId);
      expect((await prompt).stopReason).toBe("cancelled");
      expect(fixture.read("src/greet.ts")).toBe(ORIGINAL);
      expect(client.log.some((e) => e.kind === "write")).toBe(false);
      if (c.modelAborted) await fake.waitFor((r) => isModelRequest(r) && r.aborted);
      const open = client.updates(sessionId).filter((u) => u.sessionUpdate === "tool_call" || u.sessionUpdate === "tool_call_update");
      const lastStatus = new Map(open.map((u) => [u.toolCallId, u.status ?? undefined]));
      for (const [id, status] of lastStatus) if (status) expect([id, status]).not.toEqual([id, "pending"]);
      expect(client.messageText(sessionId)).toContain("Cancelled: nothing was changed.");
    });
  }

  it("the session serves the next prompt after a cancel", async () => {
    fake.enqueueChat({ hang: true });
    const sessionId = await client.newSession(fixture.root);
    const before = modelRequests().length;
    const first = client.prompt(sessionId, PROMPT);
    await fake.waitFor((r) => isModelRequest(r) && modelRequests().length > before);
    await client.cancel(sessionId);
    expect((await first).stopReason).toBe("cancelled");
    fake.enqueueChat(plan, edits);
    client.setAnswer((r) => (isPlanGate(r.options) ? "approve" : "apply"));
    expect((await client.prompt(sessionId, PROMPT)).stopReason).toBe("end_turn");
    expect(fixture.read("src/greet.ts")).toBe(PROPOSED);
  });
});

describe("revise", () => {
  it("takes its words from the next prompt, re-plans, and waits at gate 1 again", async () => {
    fake.enqueueChat(plan, planAnswer("Use a template string and an exclamation mark.", [{ path: "src/greet.ts", action: "modify" }]), edits);
    const sessionId = await client.newSession(fixture.root);
    const before = modelRequests().length;
    client.setAnswer("revise");
    const first = await client.prompt(sessionId, PROMPT);
    expect(first.stopReason).toBe("end_turn");
    expect(client.messageText(sessionId)).toContain("your next message revises it");
    expect(fixture.read("src/greet.ts")).toBe(ORIGINAL);

    client.setAnswer((r) => (isPlanGate(r.options) ? "approve" : "apply"));
    const second = await client.prompt(sessionId, "also end with an exclamation mark");
    expect(second.stopReason).toBe("end_turn");
    const requests = modelRequests().slice(before);
    expect(requests).toHaveLength(3);
    expect(JSON.stringify(requests[1]!.body.messages)).toContain("also end with an exclamation mark");
    expect(JSON.stringify(requests[1]!.body.messages)).toContain("Use a template string in greet.");
    expect(fixture.read("src/greet.ts")).toBe(PROPOSED);
    // Each plan had its own tool call; the first one ended when it was revised.
    const planCalls = new Set(client.updates(sessionId).flatMap((u) => (u.sessionUpdate === "tool_call" && u.kind === "think" && u.title.startsWith("Planning") ? [u.toolCallId] : [])));
    expect(planCalls.size).toBe(2);
  });
});

describe("change by change", () => {
  it("a file with two changes can be taken one change at a time; the one left out is not written", async () => {
    fake.enqueueChat(planAnswer("Document add and sub.", [{ path: "src/math.ts", action: "modify" }]), wholeFileAnswer({ "src/math.ts": MATH_NEW }));
    let hunk = 0;
    client.setAnswer((r) => {
      if (isPlanGate(r.options)) return "approve";
      if (r.options.some((o) => o.optionId === "hunks")) return "hunks";
      return hunk++ === 0 ? "apply-hunk" : "skip-hunk";
    });
    const sessionId = await client.newSession(fixture.root);
    await client.prompt(sessionId, "Document the math helpers");
    expect(fixture.read("src/math.ts")).toBe(MATH.replace("  return a + b;", "  // Adds two numbers.\n  return a + b;"));
    const writes = client.log.filter((e) => e.kind === "write" && e.path === fixture.path("src/math.ts"));
    expect(writes).toHaveLength(1);
    expect(client.messageText(sessionId)).toContain("1 change was left out.");
  });
});

describe("chat mode", () => {
  it("streams the answer as agent_message_chunk, reads the buffer the prompt points at, and writes nothing", async () => {
    fake.enqueueChat({ chunks: ["greet ", "returns ", "a greeting."] });
    const sessionId = await client.newSession(fixture.root);
    await client.agent.request("session/set_mode", { sessionId, modeId: "chat" });
    const done = await client.prompt(sessionId, [
      { type: "text", text: "What does" },
      { type: "resource_link", uri: `file://${fixture.path("src/greet.ts")}`, name: "greet.ts" },
      { type: "text", text: "return?" },
    ]);
    expect(done.stopReason).toBe("end_turn");
    const chunks = client.updates(sessionId).flatMap((u) => (u.sessionUpdate === "agent_message_chunk" && u.content.type === "text" ? [u.content.text] : []));
    expect(chunks).toEqual(["greet ", "returns ", "a greeting."]);
    const question = JSON.stringify(fake.chatRequests().at(-1)!.messages);
    expect(question).toContain("What does `src/greet.ts` return?");
    expect(question).toContain("return 'Hello ' + name;");
    expect(client.permissions().filter((p) => p.sessionId === sessionId)).toHaveLength(0);
    expect(fixture.read("src/greet.ts")).toBe(ORIGINAL);
  });

  it("cancel mid-stream: the pieces already sent stay, the prompt answers cancelled", async () => {
    fake.enqueueChat({ chunks: ["The first piece. ", "never sent"], stallAfterChunks: 1 });
    const sessionId = await client.newSession(fixture.root);
    await client.agent.request("session/set_mode", { sessionId, modeId: "chat" });
    const answer = client.prompt(sessionId, "Explain src/greet.ts");
    await client.waitFor((e) => e.kind === "update" && e.notification.sessionId === sessionId && e.notification.update.sessionUpdate === "agent_message_chunk", "the first piece");
    await client.cancel(sessionId);
    expect((await answer).stopReason).toBe("cancelled");
    expect(client.messageText(sessionId)).toBe("The first piece. ");
    await fake.waitFor((r) => isModelRequest(r) && r.aborted);
  });

  it("an unknown mode is refused with the modes there are", async () => {
    const sessionId = await client.newSession(fixture.root);
    await expect(client.agent.request("session/set_mode", { sessionId, modeId: "yolo" })).rejects.toThrow(/task and chat/);
  });
});
