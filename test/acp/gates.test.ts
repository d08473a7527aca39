/**
 * Burrow's two gates through ACP, over real pipes to `burrow acp`, driven by the SDK's own client
 * side with the fake Ollama: approving both gates writes exactly the proposal; rejecting at either
 * gate changes nothing and leaves no trace of the rejected output in the state directory; a client
 * with `fs` capabilities receives `fs/write_text_file` only after the last approval, and one
 * without them gets Burrow's own writes; a write the editor fails puts back what was already written;
 * a path outside the session's folder in the plan is refused.
 */
import { existsSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";
import { startAcpClient, optionOfKind, type AcpTestClient, type LoggedEvent } from "../helpers/acp-client.js";
import { planAnswer, wholeFileAnswer } from "../helpers/scripted-model.js";
import { greetEdits, greetPlan, ORIGINAL, PROMPT, PROPOSED } from "./greet-task.js";
import { makeFixture, serverEnv, type Fixture } from "../helpers/workspace-fixture.js";

const PLAN_SUMMARY = "Use a template string in greet (plan marker 7f3a).";

let fake: FakeOllama;
let fixture: Fixture;
let acp: AcpTestClient | undefined;

beforeEach(async () => {
  fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  fixture = makeFixture({ "src/greet.ts": ORIGINAL, "README.md": "# demo\n" });
});

afterEach(async () => {
  await acp?.close();
  acp = undefined;
  await fake.close();
  fixture.cleanup();
});

const plan = greetPlan(PLAN_SUMMARY, ["Rewrite the return line."]);
const edits = greetEdits;

/** Answer every gate with the first option of a kind: what an "approve all" or "deny all" client does. */
const everything = (kind: "allow_once" | "reject_once") => (r: Parameters<typeof optionOfKind>[0]) => optionOfKind(r, kind);

async function session(fs?: { read?: boolean; write?: boolean }, answer?: Parameters<typeof startAcpClient>[0]["answer"]) {
  acp = await startAcpClient({ env: serverEnv(fixture, fake.url), ...(fs ? { fs } : {}), ...(answer ? { answer } : {}) });
  return { client: acp, sessionId: await acp.newSession(fixture.root) };
}

describe("both gates approved", () => {
  it("a client without fs capabilities gets Burrow's own writes, exactly the proposal", async () => {
    fake.enqueueChat(plan, edits);
    const { client, sessionId } = await session(undefined, everything("allow_once"));
    const done = await client.prompt(sessionId, PROMPT);
    expect(done.stopReason).toBe("end_turn");
    expect(fixture.read("src/greet.ts")).toBe(PROPOSED);
    expect(fixture.read("README.md")).toBe("# demo\n");
    expect(client.log.some((e) => e.kind === "write" || e.kind === "read")).toBe(false);

    // Gate 1: the plan as an ACP plan, then a permission request on the plan's tool call.
    const updates = client.updates(sessionId);
    const planUpdate = updates.find((u) => u.sessionUpdate === "plan" && u.entries.length > 0);
    expect(planUpdate).toMatchObject({ entries: [{ content: "Rewrite the return line.", status: "pending" }] });
    const [gate1, gate2] = client.permissions();
    expect(gate1!.options.map((o) => o.optionId)).toEqual(["approve", "reject", "revise"]);
    expect(JSON.stringify(gate1!.toolCall.content)).toContain(PLAN_SUMMARY);
    // Gate 2: the file as an edit tool call with diff content, repeated in the permission request.
    expect(gate2!.toolCall).toMatchObject({
      kind: "edit",
      title: "Edit src/greet.ts",
      content: [{ type: "diff", path: fixture.path("src/greet.ts"), oldText: ORIGINAL, newText: PROPOSED }],
    });
    const fileCall = updates.find((u) => u.sessionUpdate === "tool_call" && u.toolCallId === gate2!.toolCall.toolCallId);
    expect(fileCall).toMatchObject({ kind: "edit", status: "pending" });
    // The task's states as tool-call statuses, ending completed.
    const last = updates.filter((u) => u.sessionUpdate === "tool_call_update" && u.toolCallId === gate2!.toolCall.toolCallId).at(-1);
    expect(last).toMatchObject({ status: "completed" });
    expect(client.messageText(sessionId)).toContain("Applied 1 change to src/greet.ts.");
  });

  it("a client with fs capabilities reads the buffers and receives fs/write_text_file only after the last approval", async () => {
    fake.enqueueChat(plan, edits);
    const { client, sessionId } = await session({ read: true, write: true }, everything("allow_once"));
    await client.prompt(sessionId, PROMPT);
    expect(fixture.read("src/greet.ts")).toBe(PROPOSED);
    const kinds = client.log.map((e) => e.kind);
    const writes = client.log.filter((e): e is Extract<LoggedEvent, { kind: "write" }> => e.kind === "write");
    expect(writes).toEqual([{ kind: "write", path: fixture.path("src/greet.ts"), content: PROPOSED }]);
    expect(kinds.indexOf("write")).toBeGreaterThan(kinds.lastIndexOf("permission"));
    expect(client.log.some((e) => e.kind === "read" && e.path === fixture.path("src/greet.ts"))).toBe(true);
  });

  it("the model edits the unsaved buffer the client holds, not the file on disk", async () => {
    const buffer = ORIGINAL.replace("'Hello '", "'Hi '");
    fake.enqueueChat(plan, edits);
    acp = await startAcpClient({
      env: serverEnv(fixture, fake.url),
      fs: { read: true, write: true },
      buffers: new Map([[fixture.path("src/greet.ts"), buffer]]),
      answer: everything("allow_once"),
    });
    const sessionId = await acp.newSession(fixture.root);
    await acp.prompt(sessionId, PROMPT);
    expect(JSON.stringify(fake.chatRequests()[1].messages)).toContain("'Hi '");
    const gate2 = acp.permissions()[1]!;
    expect(gate2.toolCall.content).toEqual([{ type: "diff", path: fixture.path("src/greet.ts"), oldText: buffer, newText: PROPOSED }]);
    expect(fixture.read("src/greet.ts")).toBe(PROPOSED);
  });
});

describe("a write the editor fails", () => {
  it("puts back the files already written through the editor, and the task fails saying so", async () => {
    fake.enqueueChat(
      planAnswer("Greet, and add a farewell.", [
        { path: "src/greet.ts", action: "modify" },
        { path: "src/part.ts", action: "create" },
      ]),
      wholeFileAnswer({ "src/greet.ts": PROPOSED, "src/part.ts": "export const part = () => 'Bye';\n" }),
    );
    acp = await startAcpClient({
      env: serverEnv(fixture, fake.url),
      fs: { read: true, write: true },
      refuseWrite: (path) => path.endsWith("part.ts"),
      answer: everything("allow_once"),
    });
    const sessionId = await acp.newSession(fixture.root);
    await acp.prompt(sessionId, PROMPT);
    expect(fixture.read("src/greet.ts")).toBe(ORIGINAL);
    expect(existsSync(fixture.path("src/part.ts"))).toBe(false);
    const writes = acp.log.flatMap((e) => (e.kind === "write" ? [e.content] : []));
    expect(writes).toEqual([PROPOSED, ORIGINAL]);
    expect(acp.messageText(sessionId)).toMatch(/could not write src\/part\.ts.*written back/);
  });
});

describe("rejected at a gate", () => {
  it("gate 1: nothing changes, no edit request is made, and the plan is nowhere in the state directory", async () => {
    fake.enqueueChat(plan, edits);
    const { client, sessionId } = await session({ read: true, write: true }, everything("reject_once"));
    const before = fixture.snapshot();
    const done = await client.prompt(sessionId, PROMPT);
    expect(done.stopReason).toBe("end_turn");
    expect(client.permissions()).toHaveLength(1);
    expect(fixture.snapshot()).toEqual(before);
    expect(fake.chatRequests()).toHaveLength(1);
    expect(client.log.some((e) => e.kind === "write")).toBe(false);
    expect(fixture.stateText()).not.toContain("plan marker 7f3a");
    expect(client.messageText(sessionId)).toContain("Rejected: nothing was changed.");
    // The client's copy of the discarded plan is cleared too.
    expect(client.updates(sessionId).filter((u) => u.sessionUpdate === "plan").at(-1)).toMatchObject({ entries: [] });
  });

  it("gate 2: nothing changes and the proposal is nowhere in the state directory", async () => {
    fake.enqueueChat(plan, edits);
    const { client, sessionId } = await session({ read: true, write: true }, (r) => (r.options.some((o) => o.optionId === "revise") ? "approve" : "reject"));
    const before = fixture.snapshot();
    await client.prompt(sessionId, PROMPT);
    expect(client.permissions()).toHaveLength(2);
    expect(fixture.snapshot()).toEqual(before);
    expect(client.log.some((e) => e.kind === "write")).toBe(false);
    expect(fixture.stateText()).not.toContain("`Hello, ${name}!`");
    expect(client.messageText(sessionId)).toContain("Rejected: nothing was changed.");
  });
});

describe("the sandbox holds for ACP", () => {
  it("a path outside the session's folder in the plan is refused, never read or written through the client", async () => {
    fixture.write("../outside/secret.ts", "export const secret = 1;\n");
    fake.enqueueChat(
      planAnswer("Change greet and a file outside.", [
        { path: "src/greet.ts", action: "modify" },
        { path: "../outside/secret.ts", action: "modify" },
      ]),
      edits,
    );
    const { client, sessionId } = await session({ read: true, write: true }, everything("allow_once"));
    await client.prompt(sessionId, "Change greet and the outside file");
    expect(fixture.read("../outside/secret.ts")).toBe("export const secret = 1;\n");
    expect(fixture.read("src/greet.ts")).toBe(PROPOSED);
    const touched = client.log.flatMap((e) => (e.kind === "read" || e.kind === "write" ? [e.path] : []));
    expect(touched.every((p) => p.startsWith(fixture.root + "/"))).toBe(true);
    expect(JSON.stringify(client.permissions()[0]!.toolCall.content)).toMatch(/outside\/secret\.ts.*refused/);
    expect(client.messageText(sessionId)).toMatch(/`\.\.\/outside\/secret\.ts`.*refused/);
  });
});
