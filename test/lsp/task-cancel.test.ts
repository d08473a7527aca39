/**
 * Cancelling from every state, several tasks at once, and revoking a folder mid-task: each path
 * ends with nothing written, the model request aborted at the fake, and the server still serving.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";
import { inProcessServer, type Harness } from "../helpers/servers.js";
import { makeFixture, serverEnv, type Fixture } from "../helpers/workspace-fixture.js";
import { planAnswer, wholeFileAnswer } from "../helpers/scripted-model.js";
import type { TestClient } from "../helpers/test-client.js";

const A = "export const a = 1;\n";
const B = "export const b = 2;\n";

let fake: FakeOllama;
let fixture: Fixture;
let harness: Harness | undefined;
let client: TestClient;

beforeEach(async () => {
  fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  fixture = makeFixture({ "a.ts": A, "b.ts": B });
  harness = await inProcessServer({ root: fixture.root, kind: "bare", env: serverEnv(fixture, fake.url) });
  client = harness.client;
});

afterEach(async () => {
  await harness?.close();
  await fake.close();
  fixture.cleanup();
});

const planA = planAnswer("Change a.", [{ path: "a.ts", action: "modify" }]);
const editA = wholeFileAnswer({ "a.ts": "export const a = 10;\n" });

const cancelCases: { state: string; replies: Parameters<FakeOllama["enqueueChat"]>; reach: (taskId: string) => Promise<void>; modelAborted: boolean }[] = [
  { state: "planning", replies: [{ hang: true }], reach: async () => void (await fake.waitFor((r) => r.path === "/api/chat")), modelAborted: true },
  { state: "planning (mid-stream)", replies: [{ chunks: ['{"summary":'], stallAfterChunks: 1 }], reach: async () => void (await fake.waitFor((r) => r.path === "/api/chat")), modelAborted: true },
  {
    state: "awaitingPlanApproval",
    replies: [planA],
    reach: async (id) => void (await client.waitForState(id, "awaitingPlanApproval")),
    modelAborted: false,
  },
  {
    state: "editing",
    replies: [planA, { chunks: ["a.ts\n```\nexport const"], stallAfterChunks: 1 }],
    reach: async (id) => {
      await client.waitForState(id, "awaitingPlanApproval");
      await client.command("burrow.plan.approve", { taskId: id });
      await client.waitForState(id, "editing");
      await fake.waitFor((r) => r.path === "/api/chat" && fake.chatRequests().length === 2);
    },
    modelAborted: true,
  },
  {
    state: "awaitingChangesApproval",
    replies: [planA, editA],
    reach: async (id) => {
      await client.waitForState(id, "awaitingPlanApproval");
      await client.command("burrow.plan.approve", { taskId: id });
      await client.waitForState(id, "awaitingChangesApproval");
    },
    modelAborted: false,
  },
];

describe("cancel", () => {
  for (const c of cancelCases) {
    it(`from ${c.state}: ends cancelled, aborts the model request, writes nothing`, async () => {
      fake.enqueueChat(...c.replies);
      const taskId = await client.startTask("Change a");
      await c.reach(taskId);
      await client.command("burrow.task.cancel", { taskId });
      await client.waitForState(taskId, "cancelled");
      if (c.modelAborted) {
        await fake.waitFor((r) => r.path === "/api/chat" && r.aborted === true);
      }
      expect(fixture.read("a.ts")).toBe(A);
      expect(fixture.stateText()).not.toContain("export const a = 10;");
      // The server keeps serving.
      const status = await client.command<{ tasks: unknown[] }>("burrow.task.status");
      expect(status.tasks).toHaveLength(1);
    });
  }

  it("of a finished task answers its state without changing it", async () => {
    fake.enqueueChat(planA);
    const taskId = await client.startTask("Change a");
    await client.waitForState(taskId, "awaitingPlanApproval");
    await client.command("burrow.plan.reject", { taskId });
    await client.waitForState(taskId, "rejected");
    const s = await client.command<{ state: string }>("burrow.task.cancel", { taskId });
    expect(s.state).toBe("rejected");
  });
});

describe("several tasks", () => {
  it("run at once when their files do not overlap, and queue when they do", async () => {
    let edits = 0;
    fake.onChat((body) => {
      const text = JSON.stringify(body.messages);
      const isPlan = body.format !== undefined;
      const target = text.includes("Change b") ? "b.ts" : "a.ts";
      if (isPlan) return planAnswer(`Change ${target}.`, [{ path: target, action: "modify" }]);
      edits += 1;
      return wholeFileAnswer({ [target]: `export const changed = "${target} #${edits}";\n` });
    });
    const first = await client.startTask("Change a");
    await client.waitForState(first, "awaitingPlanApproval");
    await client.command("burrow.plan.approve", { taskId: first });
    await client.waitForState(first, "awaitingChangesApproval");

    const other = await client.startTask("Change b");
    await client.waitForState(other, "awaitingPlanApproval");
    await client.command("burrow.plan.approve", { taskId: other });
    await client.waitForState(other, "awaitingChangesApproval");

    const same = await client.startTask("Change a as well");
    await client.waitForState(same, "awaitingPlanApproval");
    await client.command("burrow.plan.approve", { taskId: same });
    const queued = await client.waitForState(same, "queued");
    expect(queued.queuedBehind).toEqual([first]);

    await client.command("burrow.changes.apply", { taskId: first });
    await client.waitForState(first, "applied");
    await client.waitForState(same, "awaitingChangesApproval");
  });
});

describe("revoke", () => {
  it("in the middle of a task cancels it and nothing is written", async () => {
    fake.enqueueChat(planA, editA);
    const taskId = await client.startTask("Change a");
    await client.waitForState(taskId, "awaitingPlanApproval");
    await client.command("burrow.plan.approve", { taskId });
    await client.waitForState(taskId, "awaitingChangesApproval");
    const result = await client.command<{ cancelled: string[] }>("burrow.revoke", { path: fixture.root });
    expect(result.cancelled).toEqual([taskId]);
    await client.waitForState(taskId, "cancelled");
    await expect(client.command("burrow.changes.apply", { taskId })).resolves.toMatchObject({ state: "cancelled" });
    expect(fixture.read("a.ts")).toBe(A);
    await expect(client.startTask("Change a")).rejects.toThrow(/no folder/);
  });
});
