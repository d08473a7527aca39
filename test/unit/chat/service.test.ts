// The chat service end to end below the LSP layer: a real Workspace and StateStore over temp
// folders, and the real model router talking to the fake Ollama.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChatRequestError, createChatService, type ChatService } from "../../../server/src/agent/chat/index.js";
import { createModelRouter, type HardwareReport } from "../../../server/src/agent/model/index.js";
import type { ChatRequest, ModelRouter } from "../../../server/src/agent/model/types.js";
import { createStateStore, createWorkspace, type StateStore, type Workspace } from "../../../server/src/agent/sandbox/index.js";
import { startFakeOllama, type FakeOllama } from "../../fakes/fake-ollama.js";

const MODEL = "qwen2.5-coder:1.5b";

const FILES: Record<string, string> = {
  "src/app.ts": Array.from({ length: 30 }, (_, i) => `export const app${i + 1} = ${i + 1};`).join("\n") + "\n",
  "src/util.ts": "export function double(n: number): number {\n  return n * 2;\n}\n",
  "README.md": "# Demo\n\nA small project.\n",
  ".env": "API_KEY=hunter2-secret\n",
  ".gitignore": "build/\n",
  "build/out.js": "console.log('built');\n",
};

const CPU_ONLY: HardwareReport = {
  platform: "linux",
  arch: "x64",
  gpus: [],
  memory: { totalBytes: 16 * 2 ** 30, availableBytes: 12 * 2 ** 30 },
  gpuBudgetBytes: null,
  budgetSource: "cpu",
  container: false,
  notes: [],
  detectedInMs: 0,
};

const routers: Array<{ dispose(): Promise<void> }> = [];

/**
 * The real model router pointed at the fake Ollama, so requests go through the `ollama` client and
 * the real wire protocol; every ChatRequest chat hands to the model layer is recorded as well.
 */
function routerFor(fake: FakeOllama, seen: ChatRequest[], state: StateStore, models: { coder?: string; chat?: string } = { coder: MODEL }): ModelRouter {
  const real = createModelRouter({ settings: { ollama: { host: fake.url }, models }, env: {}, state, hardware: CPU_ONLY });
  routers.push(real);
  return {
    describe: (role, overrides) => real.describe(role, overrides),
    chat: (request) => {
      seen.push(request);
      return real.chat(request);
    },
  };
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const abs = join(d, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else out[relative(dir, abs)] = readFileSync(abs, "utf8");
    }
  };
  walk(dir);
  return out;
}

describe("chat service", () => {
  let root: string;
  let stateDir: string;
  let fake: FakeOllama;
  let workspace: Workspace;
  let state: StateStore;
  let commits: number;
  let seen: ChatRequest[];
  let chat: ChatService;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), "burrow-chat-root-"));
    stateDir = mkdtempSync(join(tmpdir(), "burrow-chat-state-"));
    for (const [rel, text] of Object.entries(FILES)) {
      mkdirSync(join(root, rel, ".."), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    fake = await startFakeOllama({ models: [MODEL] });
    state = createStateStore(stateDir);
    const real = await createWorkspace({ roots: [root], state, env: { HOME: stateDir } });
    commits = 0;
    // The same workspace, counting any attempt to write through it.
    workspace = {
      ...real,
      roots: () => real.roots(),
      commit: (writes) => {
        commits += 1;
        return real.commit(writes);
      },
    };
    seen = [];
    chat = createChatService({ models: routerFor(fake, seen, state), workspace, state });
  });

  afterEach(async () => {
    for (const router of routers.splice(0)) await router.dispose();
    await fake.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("streams the answer, asks the chat model, and writes the chat document", async () => {
    fake.enqueueChat({ chunks: ["It ", "doubles ", "numbers."] });
    const deltas: string[] = [];
    const answer = await chat.ask({ prompt: "What is this project?", onDelta: (d) => deltas.push(d) });

    expect(deltas).toEqual(["It ", "doubles ", "numbers."]);
    expect(answer.text).toBe("It doubles numbers.");
    expect(seen[0]!.role).toBe("chat");
    expect(seen[0]!.ownerId).toBe(answer.sessionId);
    expect(answer.documentPath).toBe(join(stateDir, "chats", `${answer.sessionId}.md`));
    const doc = readFileSync(answer.documentPath, "utf8");
    expect(doc).toContain("What is this project?");
    expect(doc).toContain("## Burrow\n\nIt doubles numbers.");
    expect(doc).not.toContain("still answering");
  });

  it("asks the chat model when one is configured apart from the coder", async () => {
    fake.addModel("llama3.2:3b");
    fake.enqueueChat({ text: "From the chat model." });
    const separate = createChatService({ models: routerFor(fake, seen, state, { coder: MODEL, chat: "llama3.2:3b" }), workspace, state });
    await separate.ask({ prompt: "Which model are you?" });
    expect(fake.chatRequests().map((body) => body.model)).toEqual(["llama3.2:3b"]);
  });

  it("keeps the conversation across questions in a session", async () => {
    fake.enqueueChat({ text: "The first answer." }, { text: "The second answer." });
    const first = await chat.ask({ prompt: "First question?" });
    const second = await chat.ask({ prompt: "Second question?", sessionId: first.sessionId });

    expect(second.sessionId).toBe(first.sessionId);
    const [, body] = fake.chatRequests();
    expect(body.messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ["system", expect.any(String)],
      ["user", "First question?"],
      ["assistant", "The first answer."],
      ["user", "Second question?"],
    ]);
    const doc = readFileSync(second.documentPath, "utf8");
    expect(doc.indexOf("First question?")).toBeLessThan(doc.indexOf("Second question?"));
  });

  it("answers two questions sent at once in order, the second seeing the first", async () => {
    fake.enqueueChat({ text: "First answer." }, { text: "Second answer." });
    const first = await chat.ask({ prompt: "Opening question?" });
    const [a, b] = await Promise.all([
      chat.ask({ prompt: "Quick one?", sessionId: first.sessionId }),
      chat.ask({ prompt: "And another?", sessionId: first.sessionId }),
    ]);
    expect([a.text, b.text]).toEqual(["Second answer.", "Hello from the fake Ollama."]);
    const third = fake.chatRequests()[2].messages.map((m: { content: string }) => m.content);
    expect(third).toContain("Quick one?");
    expect(third).toContain("Second answer.");
  });

  it("has the chat document in place, marked as answering, before the answer streams", async () => {
    fake.enqueueChat({ chunks: ["Part one. ", "Part two."] });
    let seenWhileStreaming = "";
    const answer = await chat.ask({
      prompt: "Stream please",
      onDelta: (_delta, sessionId) => {
        seenWhileStreaming ||= readFileSync(chat.documentPath(sessionId), "utf8");
      },
    });
    expect(seenWhileStreaming).toContain("Stream please");
    expect(seenWhileStreaming).toContain("_Burrow is still answering…_");
    expect(readFileSync(answer.documentPath, "utf8")).toContain("Part one. Part two.");
  });

  it("resumes a session from the state directory after a restart", async () => {
    fake.enqueueChat({ text: "Remembered answer." }, { text: "Still here." });
    const first = await chat.ask({ prompt: "Remember this?" });
    const restarted = createChatService({ models: routerFor(fake, seen, state), workspace, state });
    await restarted.ask({ prompt: "Do you?", sessionId: first.sessionId });
    const messages = fake.chatRequests()[1].messages.map((m: { content: string }) => m.content);
    expect(messages).toContain("Remember this?");
    expect(messages).toContain("Remembered answer.");
  });

  it("sends the selected lines of the open document", async () => {
    fake.enqueueChat({ text: "Those are constants." });
    await chat.ask({
      prompt: "What are these?",
      document: { path: join(root, "src/app.ts"), text: FILES["src/app.ts"]!, selection: { startLine: 3, endLine: 4 } },
    });
    const question = fake.chatRequests()[0].messages.at(-1).content as string;
    expect(question).toContain("`src/app.ts`");
    expect(question).toContain("export const app3 = 3;\nexport const app4 = 4;");
    expect(question).not.toContain("app5 = 5");
    expect(seen[0]!.files).toEqual(["src/app.ts"]);
  });

  it("reads the files the prompt names through the sandbox, and says which it may not show", async () => {
    fake.enqueueChat({ text: "It doubles; I cannot see the key." });
    const answer = await chat.ask({ prompt: "What does `util.ts` do, and what is in .env and build/out.js?" });

    const question = fake.chatRequests()[0].messages.at(-1).content as string;
    expect(question).toContain("return n * 2;");
    expect(JSON.stringify(fake.requests.map((r) => r.body))).not.toContain("hunter2");
    expect(question).not.toContain("console.log('built')");
    expect(answer.shown.map((f) => f.path)).toEqual(["src/util.ts"]);
    expect(answer.unavailable.map((u) => u.path).sort()).toEqual([".env", "build/out.js"]);
    expect(seen[0]!.files).toEqual(["src/util.ts"]);
    expect(readFileSync(answer.documentPath, "utf8")).toMatch(/`\.env` \("\.env" looks like a secret/);
  });

  it("does not show an open document the sandbox would refuse", async () => {
    fake.enqueueChat({ text: "I was not shown that file." });
    const answer = await chat.ask({ prompt: "Is this right?", document: { path: join(root, ".env"), text: FILES[".env"]! } });
    expect(JSON.stringify(fake.chatRequests())).not.toContain("hunter2");
    expect(answer.unavailable.map((u) => u.path)).toEqual([join(root, ".env")]);
  });

  it("shows a new, unsaved document inside the workspace", async () => {
    fake.enqueueChat({ text: "A draft." });
    await chat.ask({ prompt: "Review my draft", document: { path: join(root, "src/new.ts"), text: "export const draft = true;\n" } });
    expect(fake.chatRequests()[0].messages.at(-1).content).toContain("export const draft = true;");
  });

  it("never writes a workspace file, even when the answer is an edit", async () => {
    const before = snapshot(root);
    fake.enqueueChat({ text: "src/util.ts\n```ts\nexport const broken = true;\n```\n" });
    await chat.ask({ prompt: "Rewrite `src/util.ts` to be broken." });
    expect(commits).toBe(0);
    expect(snapshot(root)).toEqual(before);
  });

  it("stops at once when cancelled, and keeps the stopped turn out of later history", async () => {
    fake.enqueueChat({ chunks: ["Half ", "an answer"], stallAfterChunks: 1 }, { text: "Fresh." });
    const controller = new AbortController();
    const asked = chat.ask({ prompt: "Long question", signal: controller.signal, onDelta: () => controller.abort() });
    await expect(asked).rejects.toThrow();
    await fake.waitFor((r) => r.path === "/api/chat" && r.aborted);
    const sessionId = seen[0]!.ownerId!;
    expect(readFileSync(chat.documentPath(sessionId), "utf8")).toContain("_Stopped. The answer was cancelled._");

    await chat.ask({ prompt: "Again", sessionId });
    const contents = fake.chatRequests()[1].messages.map((m: { content: string }) => m.content);
    expect(contents).not.toContain("Long question");
  });

  it.each([["../../etc/passwd"], ["a/b"], [".hidden"]])("refuses the session id %j", async (sessionId) => {
    await expect(chat.ask({ prompt: "Hi", sessionId })).rejects.toBeInstanceOf(ChatRequestError);
    expect(fake.chatRequests()).toHaveLength(0);
  });

  it("refuses an empty prompt", async () => {
    await expect(chat.ask({ prompt: "   " })).rejects.toThrow(/prompt is empty/);
  });
});
