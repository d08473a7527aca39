/**
 * Cloud consent inside a task: a task that names a cloud provider asks "send N files (X KB) to
 * HOST?" through its gate before anything leaves, and the answer decides. The cloud fake listens on
 * loopback but is treated as a remote host, as a real provider would be.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isLoopback } from "../../../server/src/agent/model/egress.js";
import { startFakeOllama, type FakeOllama } from "../../fakes/fake-ollama.js";
import { startFakeOpenAi, type FakeOpenAi } from "../../fakes/fake-openai.js";
import { makeFixture, type Fixture } from "../../helpers/workspace-fixture.js";
import { planAnswer, wholeFileAnswer } from "../../helpers/scripted-model.js";
import { agentHarness, type AgentHarness } from "./harness.js";

let ollama: FakeOllama;
let cloud: FakeOpenAi;
let fixture: Fixture;
let agent: AgentHarness;

beforeEach(async () => {
  ollama = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  cloud = await startFakeOpenAi({ apiKey: "sk-test" });
  fixture = makeFixture({ "src/app.ts": "export const version = 1;\n" });
  const cloudPort = String(cloud.port);
  agent = await agentHarness(fixture, {
    settings: { ollama: { host: ollama.url }, cloud: { openai: { baseUrl: `${cloud.url}/v1`, model: "gpt-test" } } },
    env: { OPENAI_API_KEY: "sk-test" },
    egress: { isLocal: (url) => isLoopback(url) && url.port !== cloudPort, requireTls: false },
  });
});

afterEach(async () => {
  await agent.dispose();
  await Promise.all([ollama.close(), cloud.close()]);
  fixture.cleanup();
});

describe("cloud consent in a task", () => {
  it("a local task never asks and never reaches the cloud", async () => {
    ollama.enqueueChat(planAnswer("Bump.", [{ path: "src/app.ts", action: "modify" }]));
    const { taskId } = agent.tasks.start({ prompt: "Bump the version" });
    await agent.waitFor(taskId, (s) => s.state === "awaitingPlanApproval", "the plan");
    expect(agent.updates.some((s) => s.awaiting === "consent")).toBe(false);
    expect(cloud.requests).toHaveLength(0);
  });

  it("asks before sending, and a denial sends nothing and fails the task with a clear reason", async () => {
    const { taskId } = agent.tasks.start({ prompt: "Bump the version", provider: "openai" });
    const asking = await agent.waitFor(taskId, (s) => s.awaiting === "consent", "the consent question");
    expect(asking.consent?.provider).toBe("openai");
    expect(asking.consent?.host).toBe(`127.0.0.1:${cloud.port}`);
    expect(asking.consent?.bytes).toBeGreaterThan(0);
    expect(cloud.requests).toHaveLength(0);
    agent.tasks.decide(taskId, { kind: "consent", allow: false });
    const failed = await agent.waitFor(taskId, (s) => s.state === "failed", "the task to fail");
    expect(failed.error?.code).toBe("consent-denied");
    expect(cloud.requests).toHaveLength(0);
  });

  it("asks once per task and host; after yes the whole task runs on the cloud model", async () => {
    cloud.enqueueChat(planAnswer("Bump.", [{ path: "src/app.ts", action: "modify" }]), wholeFileAnswer({ "src/app.ts": "export const version = 2;\n" }));
    const { taskId } = agent.tasks.start({ prompt: "Bump the version", provider: "openai" });
    await agent.waitFor(taskId, (s) => s.awaiting === "consent", "the consent question");
    agent.tasks.decide(taskId, { kind: "consent", allow: true });
    await agent.waitFor(taskId, (s) => s.state === "awaitingPlanApproval", "the plan");
    agent.tasks.decide(taskId, { kind: "approvePlan" });
    await agent.waitFor(taskId, (s) => s.state === "awaitingChangesApproval", "the diff");
    agent.tasks.decide(taskId, { kind: "applyChanges" });
    await agent.waitFor(taskId, (s) => s.state === "applied", "the apply");
    expect(agent.updates.filter((s) => s.taskId === taskId && s.awaiting === "consent")).toHaveLength(1);
    expect(cloud.chatRequests()).toHaveLength(2);
    expect(ollama.chatRequests()).toHaveLength(0);
    expect(fixture.read("src/app.ts")).toBe("export const version = 2;\n");
  });
});
