/**
 * One core, two front ends: the same task through `burrow --stdio` (LSP) and through `burrow acp`,
 * on the same folder and the same fake model, sends the model the same plan request and the same
 * edit request and proposes the same diff, byte for byte. Both runs stop at gate 2 with a
 * rejection, so the folder is the same for the second run as for the first.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";
import { startAcpClient } from "../helpers/acp-client.js";
import { planAnswer, wholeFileAnswer } from "../helpers/scripted-model.js";
import { stdioServer } from "../helpers/servers.js";
import { makeFixture, serverEnv, type Fixture } from "../helpers/workspace-fixture.js";

const MATH = "export function add(a: number, b: number): number {\n  return a + b;\n}\n";
const MATH_NEW = "/** Adds two numbers. */\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n";
const UTIL = "export const twice = (n: number) => n * 2;\n";
const PROMPT = "Document add, and add a helper that halves a number";

let fake: FakeOllama;
let fixture: Fixture;

beforeEach(async () => {
  fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  fixture = makeFixture({ "src/math.ts": MATH, "src/util.ts": UTIL, "README.md": "# numbers\n" });
  const round = [
    planAnswer("Document add; add halve beside twice.", [
      { path: "src/math.ts", action: "modify" },
      { path: "src/half.ts", action: "create" },
    ]),
    wholeFileAnswer({ "src/math.ts": MATH_NEW, "src/half.ts": "export const halve = (n: number) => n / 2;\n" }),
  ];
  fake.enqueueChat(...round, ...round);
});

afterEach(async () => {
  await fake.close();
  fixture.cleanup();
});

async function throughLsp(): Promise<string> {
  const harness = await stdioServer({ root: fixture.root, kind: "bare", env: serverEnv(fixture, fake.url) });
  try {
    const { client } = harness;
    const taskId = await client.startTask(PROMPT);
    await client.waitForState(taskId, "awaitingPlanApproval");
    await client.command("burrow.plan.approve", { taskId });
    const proposed = await client.waitForState(taskId, "awaitingChangesApproval");
    await client.command("burrow.changes.reject", { taskId });
    await client.waitForState(taskId, "rejected");
    return proposed.diff ?? "";
  } finally {
    await harness.close();
  }
}

async function throughAcp(): Promise<string> {
  const acp = await startAcpClient({
    env: serverEnv(fixture, fake.url),
    answer: (r) => (r.options.some((o) => o.optionId === "revise") ? "approve" : "reject"),
  });
  try {
    const sessionId = await acp.newSession(fixture.root);
    await acp.prompt(sessionId, PROMPT);
    const fileCalls = acp.updates(sessionId).filter((u) => u.sessionUpdate === "tool_call" && u.kind === "edit");
    return fileCalls.map((u) => ((u._meta as { burrow: { diff: string } }).burrow.diff)).join("");
  } finally {
    await acp.close();
  }
}

describe("the same task through LSP and through ACP", () => {
  it("makes the same model requests and proposes the same diff, byte for byte", async () => {
    const before = fixture.snapshot();
    const lspDiff = await throughLsp();
    expect(fixture.snapshot()).toEqual(before);
    const acpDiff = await throughAcp();
    expect(fixture.snapshot()).toEqual(before);

    const requests = fake.chatRequests();
    expect(requests).toHaveLength(4);
    const [lspPlan, lspEdit, acpPlan, acpEdit] = requests.map((r) => JSON.stringify(r));
    expect(acpPlan).toBe(lspPlan);
    expect(acpEdit).toBe(lspEdit);
    expect(lspDiff).toContain("+/** Adds two numbers. */");
    expect(lspDiff).toContain("+++ b/src/half.ts");
    expect(acpDiff).toBe(lspDiff);
  });
});
