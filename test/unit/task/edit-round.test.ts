/**
 * The editing round against the fake Ollama: a block that does not match goes back to the model
 * with the reason and nothing changes; the same failing answer twice stops the task with a
 * suggestion of a larger model; a model that keeps failing ends the task after the retries; a
 * planned deletion needs no text from the model.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama } from "../../fakes/fake-ollama.js";
import { makeFixture, type Fixture } from "../../helpers/workspace-fixture.js";
import { planAnswer, wholeFileAnswer } from "../../helpers/scripted-model.js";
import { agentHarness, type AgentHarness } from "./harness.js";

const CODE = "export function total(xs: number[]): number {\n  let sum = 0;\n  for (const x of xs) sum += x;\n  return sum;\n}\n";

let ollama: FakeOllama;
let fixture: Fixture;
let agent: AgentHarness;

beforeEach(async () => {
  ollama = await startFakeOllama({ models: ["qwen2.5-coder:14b"] });
  fixture = makeFixture({ "src/total.ts": CODE, "src/old.ts": "export const unused = true;\n" });
  agent = await agentHarness(fixture, { settings: { ollama: { host: ollama.url }, models: { coder: "qwen2.5-coder:14b" }, editFormat: "search-replace" } });
});

afterEach(async () => {
  await agent.dispose();
  await ollama.close();
  fixture.cleanup();
});

const plan = planAnswer("Use reduce.", [{ path: "src/total.ts", action: "modify" }]);
const badBlock = { text: "src/total.ts\n```\n<<<<<<< SEARCH\n  let total = 0;\n=======\n  let total = 1;\n>>>>>>> REPLACE\n```\n" };
const goodBlock = {
  text: "src/total.ts\n```\n<<<<<<< SEARCH\n  let sum = 0;\n  for (const x of xs) sum += x;\n  return sum;\n=======\n  return xs.reduce((a, b) => a + b, 0);\n>>>>>>> REPLACE\n```\n",
};

async function toEditing(prompt = "Use reduce in total") {
  const { taskId } = agent.tasks.start({ prompt });
  await agent.waitFor(taskId, (s) => s.state === "awaitingPlanApproval", "the plan");
  agent.tasks.decide(taskId, { kind: "approvePlan" });
  return taskId;
}

describe("edit round", () => {
  it("tells the model which block failed and why, then takes its corrected answer", async () => {
    ollama.enqueueChat(plan, badBlock, goodBlock);
    const taskId = await toEditing();
    const s = await agent.waitFor(taskId, (x) => x.state === "awaitingChangesApproval" || x.state === "failed", "the diff");
    expect(s.error).toBeUndefined();
    expect(s.diff).toContain("+  return xs.reduce((a, b) => a + b, 0);");
    const retry = ollama.chatRequests()[2].messages;
    const feedback = retry[retry.length - 1].content as string;
    expect(feedback).toContain("src/total.ts");
    expect(feedback).toContain("No file was changed");
    expect(fixture.read("src/total.ts")).toBe(CODE);
  });

  it("stops when the same failing answer comes back twice, suggesting a larger model", async () => {
    ollama.enqueueChat(plan, badBlock, badBlock);
    const taskId = await toEditing();
    const s = await agent.waitFor(taskId, (x) => x.state === "failed", "the task to fail");
    expect(s.error?.code).toBe("model-stuck");
    expect(s.error?.message).toMatch(/larger model/);
    expect(ollama.chatRequests()).toHaveLength(3);
    expect(fixture.read("src/total.ts")).toBe(CODE);
  });

  it("gives up after three retries with the last reason, and changes nothing", async () => {
    const different = (n: number) => ({ text: badBlock.text.replace("total = 0", `total = ${n}`) });
    ollama.enqueueChat(plan, different(1), different(2), different(3), different(4));
    const taskId = await toEditing();
    const s = await agent.waitFor(taskId, (x) => x.state === "failed", "the task to fail");
    expect(s.error?.code).toBe("edits-failed");
    expect(s.error?.message).toMatch(/after 4 attempts: block 1 for src\/total\.ts: /);
    expect(ollama.chatRequests()).toHaveLength(5);
    expect(fixture.read("src/total.ts")).toBe(CODE);
  });

  it("an empty answer is retried, not applied", async () => {
    ollama.enqueueChat(plan, { text: "" }, goodBlock);
    const taskId = await toEditing();
    const s = await agent.waitFor(taskId, (x) => x.state === "awaitingChangesApproval" || x.state === "failed", "the diff");
    expect(s.state).toBe("awaitingChangesApproval");
  });

  it("a planned deletion is proposed without any text from the model", async () => {
    ollama.enqueueChat(planAnswer("Remove the old module.", [{ path: "src/old.ts", action: "delete" }, { path: "src/total.ts", action: "modify" }]), goodBlock);
    const taskId = await toEditing("Remove old.ts and use reduce");
    const s = await agent.waitFor(taskId, (x) => x.state === "awaitingChangesApproval" || x.state === "failed", "the diff");
    expect(s.changes?.some((c) => c.path === "src/old.ts" && c.tier === "delete")).toBe(true);
    agent.tasks.decide(taskId, { kind: "applyChanges" });
    await agent.waitFor(taskId, (x) => x.state === "applied", "the apply");
    expect(fixture.snapshot()["src/old.ts"]).toBeUndefined();
  });

  it("a plan naming files outside the folders marks them refused and never reads them", async () => {
    fixture.write("../outside/secret.ts", "export const key = 'OUTSIDE-SECRET';\n");
    ollama.enqueueChat(planAnswer("Touch both.", [{ path: "../outside/secret.ts", action: "modify" }, { path: "src/total.ts", action: "modify" }]), goodBlock);
    const taskId = await toEditing();
    const s = await agent.waitFor(taskId, (x) => x.state === "awaitingChangesApproval" || x.state === "failed", "the diff");
    expect(s.plan?.files.find((f) => f.path.includes("secret"))?.refused).toBeDefined();
    expect(JSON.stringify(ollama.chatRequests())).not.toContain("OUTSIDE-SECRET");
  });
});
