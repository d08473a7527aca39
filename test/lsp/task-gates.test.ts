/**
 * The task flow through the LSP layer, in process: every gate decision and what it leaves behind.
 * Each case scripts the fake model, drives the gates through commands, and asserts on the files,
 * the state directory and what the fake model received (feedback present, rejected output absent).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";
import { inProcessServer, type Harness } from "../helpers/servers.js";
import { makeFixture, serverEnv, type Fixture } from "../helpers/workspace-fixture.js";
import { planAnswer, wholeFileAnswer } from "../helpers/scripted-model.js";
import type { ClientKind, TestClient } from "../helpers/test-client.js";

// Two functions far enough apart that a change to each makes its own hunk.
const SPACER = Array.from({ length: 10 }, (_, i) => `// line ${i + 1} between the functions`).join("\n");
const MATH = `export function add(a: number, b: number): number {\n  return a + b;\n}\n${SPACER}\nexport function sub(a: number, b: number): number {\n  return a - b;\n}\n`;
const MATH_NEW = MATH.replace("  return a + b;", "  // Adds two numbers.\n  return a + b;").replace("  return a - b;", "  // Subtracts b from a.\n  return a - b;");
const REJECTED_MARKER = "Adds two numbers.";

let fake: FakeOllama;
let fixture: Fixture;
let harness: Harness | undefined;

beforeEach(async () => {
  fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  fixture = makeFixture({ "src/math.ts": MATH, "notes.txt": "notes\n" });
});

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await fake.close();
  fixture.cleanup();
});

async function start(kind: ClientKind = "bare", answerPrompt?: Parameters<typeof inProcessServer>[0]["answerPrompt"]) {
  harness = await inProcessServer({ root: fixture.root, kind, env: serverEnv(fixture, fake.url), ...(answerPrompt ? { answerPrompt } : {}) });
  return harness.client;
}

/**
 * Start a task, approve its plan at gate 1 and wait for its proposal at gate 2, which is where every
 * test of the second gate begins; returns the task's id and the update that carried the proposal.
 */
async function startAtGate2(client: TestClient, prompt: string, extra: Record<string, unknown> = {}) {
  const taskId = await client.startTask(prompt, extra);
  await client.waitForState(taskId, "awaitingPlanApproval");
  await client.command("burrow.plan.approve", { taskId });
  const proposed = await client.waitForState(taskId, "awaitingChangesApproval");
  return { taskId, proposed };
}

const plan = planAnswer("Document add and sub.", [{ path: "src/math.ts", action: "modify" }]);
const edits = wholeFileAnswer({ "src/math.ts": MATH_NEW });

describe("gate 1", () => {
  it("reject: no file changes, and the plan is gone from memory and the state directory", async () => {
    fake.enqueueChat(plan);
    const client = await start();
    const taskId = await client.startTask("Document the math helpers");
    const waiting = await client.waitForState(taskId, "awaitingPlanApproval");
    expect(waiting.documents?.plan).toBeDefined();
    await client.command("burrow.plan.reject", { taskId, feedback: "not now" });
    const done = await client.waitForState(taskId, "rejected");
    expect(done.plan).toBeUndefined();
    expect(fixture.read("src/math.ts")).toBe(MATH);
    expect(fixture.stateText()).not.toContain("Document add and sub.");
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it("revise: re-plans with the feedback and the previous plan, and waits again", async () => {
    fake.enqueueChat(plan, planAnswer("Document only add.", [{ path: "src/math.ts", action: "modify" }]));
    const client = await start();
    const taskId = await client.startTask("Document the math helpers");
    await client.waitForState(taskId, "awaitingPlanApproval");
    await client.command("burrow.plan.revise", { taskId, feedback: "only document add, leave sub alone" });
    await client.waitUntil(() => client.updates.filter((u) => u.taskId === taskId && u.state === "awaitingPlanApproval").length === 2, 10_000, "second plan");
    const second = fake.chatRequests()[1];
    const text = JSON.stringify(second.messages);
    expect(text).toContain("only document add, leave sub alone");
    expect(text).toContain("Document add and sub.");
    const status = await client.command<{ plan: { summary: string } }>("burrow.task.status", { taskId });
    expect(status.plan.summary).toBe("Document only add.");
  });

  it("a dismissed prompt decides nothing and later decisions still work", async () => {
    fake.enqueueChat(plan, edits);
    const client = await start("neovim", () => null);
    const taskId = await client.startTask("Document the math helpers");
    await client.waitForState(taskId, "awaitingPlanApproval");
    await client.waitUntil(() => client.prompts.length > 0, 5000, "the plan prompt");
    expect((await client.command<{ state: string }>("burrow.task.status", { taskId })).state).toBe("awaitingPlanApproval");
    await client.command("burrow.plan.approve", { taskId });
    await client.waitForState(taskId, "awaitingChangesApproval");
  });

  it("a client that answers MethodNotFound keeps its task waiting on the other channels", async () => {
    fake.enqueueChat(plan, edits);
    const client = await start("neovim", () => "method-not-found");
    const taskId = await client.startTask("Document the math helpers");
    await client.waitForState(taskId, "awaitingPlanApproval");
    await client.waitUntil(() => client.prompts.length > 0, 5000, "the plan prompt");
    const uri = client.openDocument(fixture.path("notes.txt"));
    const actions = await client.codeActions(uri);
    await client.runCodeAction(actions.find((a) => a.title.startsWith("Burrow: approve plan"))!);
    await client.waitForState(taskId, "awaitingChangesApproval");
  });

  it("decisions are first-come and idempotent", async () => {
    fake.enqueueChat(plan, edits);
    const client = await start();
    const taskId = await client.startTask("Document the math helpers");
    await client.waitForState(taskId, "awaitingPlanApproval");
    const [first, second] = await Promise.all([
      client.command<{ state: string }>("burrow.plan.approve", { taskId }),
      client.command<{ state: string }>("burrow.plan.reject", { taskId }),
    ]);
    expect(first.state).not.toBe("rejected");
    expect(second.state).not.toBe("rejected");
    await client.waitForState(taskId, "awaitingChangesApproval");
    expect(client.updates.some((u) => u.taskId === taskId && u.state === "rejected")).toBe(false);
  });
});

describe("gate 2", () => {
  it("reject: no file changes, and the proposed text is nowhere in the state directory", async () => {
    fake.enqueueChat(plan, edits);
    const client = await start();
    const { taskId, proposed } = await startAtGate2(client, "Document the math helpers");
    expect(proposed.diff).toContain(REJECTED_MARKER);
    expect(fixture.stateText()).toContain(REJECTED_MARKER); // the diff document exists while waiting
    await client.command("burrow.changes.reject", { taskId, feedback: "comments should be JSDoc" });
    const done = await client.waitForState(taskId, "rejected");
    expect(done.diff).toBeUndefined();
    expect(fixture.read("src/math.ts")).toBe(MATH);
    expect(fixture.stateText()).not.toContain(REJECTED_MARKER);
  });

  it("retry after reject: regenerates from the approved plan with the feedback, without the rejected output", async () => {
    const jsdoc = MATH.replace("export function add", "/** Adds two numbers. */\nexport function add");
    fake.enqueueChat(plan, edits, wholeFileAnswer({ "src/math.ts": jsdoc }));
    const client = await start();
    const { taskId } = await startAtGate2(client, "Document the math helpers");
    await client.command("burrow.changes.reject", { taskId, feedback: "use JSDoc instead of line comments" });
    await client.waitForState(taskId, "rejected");
    await client.command("burrow.task.retry", { taskId, feedback: "and only for add" });
    await client.waitUntil(() => client.updates.filter((u) => u.taskId === taskId && u.state === "awaitingChangesApproval").length === 2, 10_000, "second proposal");
    const requests = fake.chatRequests();
    expect(requests).toHaveLength(3); // no second plan: the approved plan is reused
    const retryText = JSON.stringify(requests[2].messages);
    expect(retryText).toContain("use JSDoc instead of line comments");
    expect(retryText).toContain("and only for add");
    expect(retryText).not.toContain("// Adds two numbers."); // the rejected output is not sent back
    await client.command("burrow.changes.apply", { taskId });
    await client.waitForState(taskId, "applied");
    expect(fixture.read("src/math.ts")).toBe(jsdoc);
  });

  it("applies only the chosen hunks and lists the declined ones", async () => {
    fake.enqueueChat(plan, edits);
    const client = await start();
    const { taskId, proposed } = await startAtGate2(client, "Document the math helpers");
    const hunks = proposed.changes!;
    expect(hunks.length).toBe(2);
    await client.command("burrow.changes.apply", { taskId, hunks: [hunks[1]!.hunkId] });
    const applied = await client.waitForState(taskId, "applied");
    expect(applied.declinedHunks).toEqual([hunks[0]!.hunkId]);
    expect(fixture.read("src/math.ts")).toBe(MATH.replace("  return a - b;", "  // Subtracts b from a.\n  return a - b;"));
  });

  it("refuses to apply over a file changed after the model read it, and changes nothing", async () => {
    fake.enqueueChat(plan, edits);
    const client = await start();
    const { taskId } = await startAtGate2(client, "Document the math helpers");
    fixture.write("src/math.ts", MATH + "\n// edited by the user\n");
    await client.command("burrow.changes.apply", { taskId });
    const failed = await client.waitForState(taskId, "failed");
    expect(failed.error?.code).toBe("conflict");
    expect(failed.error?.message).toContain("src/math.ts");
    expect(fixture.read("src/math.ts")).toBe(MATH + "\n// edited by the user\n");
    // The user is offered a new proposal against the current text.
    const uri = client.openDocument(fixture.path("notes.txt"));
    const again = (await client.codeActions(uri)).find((a) => a.title === "Burrow: propose again against the current text");
    expect(again?.command?.command).toBe("burrow.task.retry");
  });

  it("respects an open buffer with unsaved changes: the proposal is made against the buffer", async () => {
    const buffer = MATH.replace("a + b", "b + a");
    fake.enqueueChat(plan, wholeFileAnswer({ "src/math.ts": buffer.replace("export function add", "// add\nexport function add") }));
    const client = await start("neovim", () => null);
    const uri = client.openDocument(fixture.path("src/math.ts"), buffer, "typescript");
    const { taskId } = await startAtGate2(client, "Document add", { uri });
    expect(JSON.stringify(fake.chatRequests()[1].messages)).toContain("b + a");
    await client.command("burrow.changes.apply", { taskId });
    await client.waitForState(taskId, "applied");
    expect(client.documentText(uri)).toBe(buffer.replace("export function add", "// add\nexport function add"));
  });

  it("undo restores the files, and refuses once they changed again", async () => {
    fake.enqueueChat(plan, edits, plan, edits);
    const client = await start();
    const { taskId } = await startAtGate2(client, "Document the math helpers");
    await client.command("burrow.changes.apply", { taskId });
    await client.waitForState(taskId, "applied");
    expect(fixture.read("src/math.ts")).toBe(MATH_NEW);
    await client.command("burrow.undo", { taskId });
    expect(fixture.read("src/math.ts")).toBe(MATH);

    const { taskId: second } = await startAtGate2(client, "Document the math helpers again");
    await client.command("burrow.changes.apply", { taskId: second });
    await client.waitForState(second, "applied");
    fixture.write("src/math.ts", "// the user rewrote it\n");
    await expect(client.command("burrow.undo", { taskId: second })).rejects.toThrow(/changed/);
    expect(fixture.read("src/math.ts")).toBe("// the user rewrote it\n");
  });
});

describe("status and errors", () => {
  it("lists every task newest first, and names unknown tasks clearly", async () => {
    fake.enqueueChat(plan, plan);
    const client = await start();
    const a = await client.startTask("first");
    await client.waitForState(a, "awaitingPlanApproval");
    const b = await client.startTask("second");
    await client.waitForState(b, "awaitingPlanApproval");
    const all = await client.command<{ tasks: { taskId: string }[] }>("burrow.task.status");
    expect(all.tasks.map((t) => t.taskId)).toEqual([b, a]);
    await expect(client.command("burrow.plan.approve", { taskId: "nope" })).rejects.toThrow(/no task nope/);
    await expect(client.command("burrow.task", { prompt: "" })).rejects.toThrow(/prompt/);
    await expect(client.command("burrow.nonsense", {})).rejects.toThrow(/no command/);
  });

  it("a runtime that is not running fails the task with one clear sentence", async () => {
    await fake.close();
    const client = await start();
    const taskId = await client.startTask("anything");
    const failed = await client.waitForState(taskId, "failed");
    expect(failed.error?.code).toBe("runtime-unreachable");
    expect(failed.error?.message).toMatch(/Ollama/);
    fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  });
});
