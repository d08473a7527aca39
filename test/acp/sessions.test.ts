/**
 * ACP sessions over real pipes: what `initialize` promises, folders granted per session (and a
 * folder that cannot be granted refused with the sandbox's reason), `session/list` and
 * `session/load` from a later `burrow acp` process (the conversation replayed, no plan or proposal
 * kept), `session/close`, a prompt to a session that does not exist, and a stdout that carries
 * nothing but ACP messages.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";
import { startAcpClient, type AcpTestClient } from "../helpers/acp-client.js";
import { planAnswer, wholeFileAnswer } from "../helpers/scripted-model.js";
import { REPO_ROOT } from "../helpers/servers.js";
import { makeFixture, serverEnv, type Fixture } from "../helpers/workspace-fixture.js";

let fake: FakeOllama;
let fixture: Fixture;
const clients: AcpTestClient[] = [];

beforeEach(async () => {
  fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  fixture = makeFixture({ "a.ts": "export const a = 1;\n" });
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await fake.close();
  fixture.cleanup();
});

async function start(answer?: string) {
  const client = await startAcpClient({ env: serverEnv(fixture, fake.url), ...(answer ? { answer } : {}) });
  clients.push(client);
  return client;
}

describe("sessions", () => {
  it("initialize answers protocol 1, no authentication, load, list, close and extra folders", async () => {
    const client = await start();
    expect(client.initialized).toMatchObject({
      protocolVersion: 1,
      authMethods: [],
      agentInfo: { name: "burrow" },
      agentCapabilities: { loadSession: true, promptCapabilities: { embeddedContext: true }, sessionCapabilities: { list: {}, close: {}, additionalDirectories: {} } },
    });
  });

  it("a session in a folder that cannot be granted is refused with the reason, and a relative cwd too", async () => {
    const client = await start();
    await expect(client.newSession(fixture.path("missing"))).rejects.toThrow(/does not exist/);
    await expect(client.newSession("project")).rejects.toThrow(/not an absolute path/);
    await expect(client.newSession(fixture.root, [fixture.path("a.ts")])).rejects.toThrow(/not a folder/);
  });

  it("a later process lists the session and loads it: the conversation is replayed, the rejected plan is not", async () => {
    fake.enqueueChat(planAnswer("Bump a (plan marker 91c2).", [{ path: "a.ts", action: "modify" }]), wholeFileAnswer({ "a.ts": "export const a = 2;\n" }));
    const first = await start("reject");
    const sessionId = await first.newSession(fixture.root);
    await first.prompt(sessionId, "Bump a to 2");
    await first.close();
    clients.splice(0);

    const second = await start();
    const listed = await second.agent.request("session/list", { cwd: fixture.root });
    expect(listed.sessions).toEqual([expect.objectContaining({ sessionId, cwd: fixture.root, title: "Bump a to 2" })]);
    expect((await second.agent.request("session/list", { cwd: fixture.outside })).sessions).toEqual([]);

    const loaded = await second.agent.request("session/load", { sessionId, cwd: fixture.root, mcpServers: [] });
    expect(loaded.modes?.currentModeId).toBe("task");
    const replay = second.updates(sessionId).map((u) => (u.sessionUpdate === "user_message_chunk" || u.sessionUpdate === "agent_message_chunk" ? [u.sessionUpdate, u.content.type === "text" ? u.content.text : ""] : [u.sessionUpdate]));
    expect(replay).toEqual([
      ["user_message_chunk", "Bump a to 2"],
      ["agent_message_chunk", "Rejected: nothing was changed."],
    ]);
    expect(fixture.stateText()).not.toContain("plan marker 91c2");
    await expect(second.agent.request("session/load", { sessionId, cwd: fixture.outside, mcpServers: [] })).rejects.toThrow(/belongs to/);
  });

  it("a closed session and an unknown one answer 'not found'", async () => {
    const client = await start();
    const sessionId = await client.newSession(fixture.root);
    await client.agent.request("session/close", { sessionId });
    await expect(client.prompt(sessionId, "anything")).rejects.toThrow();
    await expect(client.prompt("no-such-session", "anything")).rejects.toThrow();
  });
});

describe("stdout", () => {
  it("carries only newline-delimited JSON-RPC messages, through a whole task", async () => {
    fake.enqueueChat(planAnswer("Bump a.", [{ path: "a.ts", action: "modify" }]));
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "burrow.js"), "acp"], { env: serverEnv(fixture, fake.url), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const lines = () => stdout.split("\n").filter((l) => l !== "");
    const until = (predicate: () => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => predicate() && (child.stdout.off("data", check), resolve());
        child.stdout.on("data", check);
        check();
      });
    const send = (message: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
    send({ id: 1, method: "initialize", params: { protocolVersion: 1, clientCapabilities: {} } });
    await until(() => lines().some((l) => l.includes('"id":1')));
    send({ id: 2, method: "session/new", params: { cwd: fixture.root, mcpServers: [] } });
    await until(() => lines().some((l) => l.includes('"id":2')));
    const sessionId = JSON.parse(lines().find((l) => l.includes('"id":2'))!).result.sessionId;
    send({ id: 3, method: "session/prompt", params: { sessionId, prompt: [{ type: "text", text: "Bump a" }] } });
    await until(() => lines().some((l) => l.includes("session/request_permission")));
    const asked = JSON.parse(lines().find((l) => l.includes("session/request_permission"))!);
    send({ id: asked.id, result: { outcome: { outcome: "selected", optionId: "reject" } } });
    await until(() => lines().some((l) => l.includes('"id":3') && l.includes("stopReason")));
    child.stdin.end();
    await new Promise((resolve) => child.once("exit", resolve));
    expect(child.exitCode).toBe(0);
    for (const line of lines()) expect(JSON.parse(line)).toMatchObject({ jsonrpc: "2.0" });
    expect(stderr).toContain("burrow:");
  });
});
