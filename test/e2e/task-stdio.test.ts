/**
 * One task end to end over real pipes: `burrow --stdio` is spawned, a client initializes as an
 * editor does, and the task goes through both gates. The three clients differ in how they answer
 * the gates (DESIGN.md's gate table): Neovim through `window/showMessageRequest`, Helix through code
 * actions (it has no showMessageRequest), and a bare client without `workspace.applyEdit` through
 * commands, the server writing the files itself.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";
import { stdioServer } from "../helpers/servers.js";
import { makeFixture, serverEnv, type Fixture } from "../helpers/workspace-fixture.js";
import { planAnswer, wholeFileAnswer } from "../helpers/scripted-model.js";
import type { ClientKind, TestClient } from "../helpers/test-client.js";

const ORIGINAL = "export function greet(name: string): string {\n  return 'Hello ' + name;\n}\n";
const PROPOSED = "export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n";

let fake: FakeOllama;
let fixture: Fixture;

beforeEach(async () => {
  fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  fixture = makeFixture({ "src/greet.ts": ORIGINAL, "README.md": "# demo\n" });
  fake.enqueueChat(
    planAnswer("Use a template string in greet.", [{ path: "src/greet.ts", action: "modify" }]),
    wholeFileAnswer({ "src/greet.ts": PROPOSED }),
  );
});

afterEach(async () => {
  await fake.close();
  fixture.cleanup();
});

type Gate = (client: TestClient, taskId: string) => Promise<void>;

const approvePlanByCodeAction: Gate = async (client, taskId) => {
  const uri = client.openDocument(fixture.path("README.md"));
  const actions = await client.codeActions(uri);
  const approve = actions.find((a) => a.title.startsWith("Burrow: approve plan"));
  expect(approve, `code actions offered: ${actions.map((a) => a.title).join(", ")}`).toBeDefined();
  await client.runCodeAction(approve!);
  void taskId;
};

const cases: { name: string; kind: ClientKind; approvePlan: Gate; expectPrompts: boolean }[] = [
  {
    name: "Neovim-like client approving through showMessageRequest",
    kind: "neovim",
    approvePlan: async () => undefined, // answered by the prompt script below
    expectPrompts: true,
  },
  { name: "Helix-like client approving through code actions", kind: "helix", approvePlan: approvePlanByCodeAction, expectPrompts: false },
  {
    name: "bare client without applyEdit, approving through commands",
    kind: "bare",
    approvePlan: async (client, taskId) => void (await client.command("burrow.plan.approve", { taskId })),
    expectPrompts: false,
  },
];

describe("a task through both gates over stdio", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const harness = await stdioServer({
        root: fixture.root,
        kind: c.kind,
        env: serverEnv(fixture, fake.url),
        // Approve the plan when asked; dismiss the apply prompt so the test applies by command.
        answerPrompt: (message) => (message.includes("approve the plan") ? "Approve" : null),
      });
      const { client } = harness;
      try {
        const commands = (client.initializeResult?.capabilities.executeCommandProvider?.commands ?? []) as string[];
        expect(commands).toContain("burrow.task");
        expect(commands).toContain("burrow.changes.apply");

        const taskId = await client.startTask("Greet with a template string");
        await client.waitForState(taskId, "awaitingPlanApproval");
        expect(fixture.read("src/greet.ts")).toBe(ORIGINAL);
        await c.approvePlan(client, taskId);

        const atGate2 = await client.waitForState(taskId, "awaitingChangesApproval");
        expect(atGate2.diff).toContain("-  return 'Hello ' + name;");
        expect(atGate2.diff).toContain("+  return `Hello, ${name}!`;");
        expect(atGate2.changes?.length).toBeGreaterThan(0);
        // Gate 2 holds: nothing on disk has changed.
        expect(fixture.read("src/greet.ts")).toBe(ORIGINAL);
        // Only clients that declare window.showMessage are prompted (released Helix would answer MethodNotFound).
        if (c.expectPrompts) expect(client.prompts.some((p) => p.actions.includes("Approve"))).toBe(true);
        else expect(client.prompts).toHaveLength(0);

        await client.command("burrow.changes.apply", { taskId });
        const applied = await client.waitForState(taskId, ["applied", "failed"]);
        expect(applied.error).toBeUndefined();
        expect(applied.state).toBe("applied");
        expect(fixture.read("src/greet.ts")).toBe(PROPOSED);
        expect(fixture.read("README.md")).toBe("# demo\n");
        if (c.kind === "bare") expect(client.appliedEdits).toHaveLength(0);
        else expect(client.appliedEdits).toHaveLength(1);
      } finally {
        await harness.close();
      }
    });
  }
});
