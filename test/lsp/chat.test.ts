/**
 * `burrow.chat` through the LSP layer: the answer streams as `burrow/chatDelta` notifications and
 * the request resolves with the whole text; the session id continues a conversation; the open
 * document is context; `$/cancelRequest` stops the model request at once; chat never writes.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CancellationTokenSource } from "vscode-jsonrpc";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";
import { inProcessServer, type Harness } from "../helpers/servers.js";
import { makeFixture, serverEnv, type Fixture } from "../helpers/workspace-fixture.js";

let fake: FakeOllama;
let fixture: Fixture;
let harness: Harness;

beforeEach(async () => {
  fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  fixture = makeFixture({ "src/queue.ts": "export class Queue { private items: number[] = []; }\n" });
  harness = await inProcessServer({ root: fixture.root, kind: "plugin", env: serverEnv(fixture, fake.url) });
});
afterEach(async () => {
  await harness.close();
  await fake.close();
  fixture.cleanup();
});

describe("burrow.chat", () => {
  it("streams deltas, resolves with the whole answer, and continues the session", async () => {
    const { client } = harness;
    fake.enqueueChat({ chunks: ["A queue ", "keeps ", "order."] }, { text: "Use a ring buffer." });
    const uri = client.openDocument(fixture.path("src/queue.ts"), undefined, "typescript");
    const first = await client.command<{ sessionId: string; text: string }>("burrow.chat", { prompt: "What does this class do?", uri });
    expect(first.text).toBe("A queue keeps order.");
    const deltas = client.notifications.filter((n) => n.method === "burrow/chatDelta").map((n) => n.params as { sessionId: string; delta: string });
    expect(deltas.map((d) => d.delta).join("")).toBe("A queue keeps order.");
    expect(new Set(deltas.map((d) => d.sessionId))).toEqual(new Set([first.sessionId]));
    expect(JSON.stringify(fake.chatRequests()[0].messages)).toContain("private items: number[]");

    const second = await client.command<{ sessionId: string; text: string }>("burrow.chat", { prompt: "How would you make it faster?", sessionId: first.sessionId });
    expect(second.sessionId).toBe(first.sessionId);
    const history = JSON.stringify(fake.chatRequests()[1].messages);
    expect(history).toContain("What does this class do?");
    expect(history).toContain("A queue keeps order.");
    expect(fixture.read("src/queue.ts")).toBe("export class Queue { private items: number[] = []; }\n");
  });

  it("$/cancelRequest aborts the model request and answers RequestCancelled", async () => {
    const { client } = harness;
    fake.enqueueChat({ chunks: ["Thinking"], stallAfterChunks: 1 });
    const source = new CancellationTokenSource();
    const pending = client.connection.sendRequest("workspace/executeCommand", { command: "burrow.chat", arguments: [{ prompt: "Explain everything" }] }, source.token);
    await client.waitUntil(() => client.notifications.some((n) => n.method === "burrow/chatDelta"), 10_000, "the first delta");
    source.cancel();
    await expect(pending).rejects.toMatchObject({ code: -32800 });
    await fake.waitFor((r) => r.path === "/api/chat" && r.aborted === true);
  });
});
