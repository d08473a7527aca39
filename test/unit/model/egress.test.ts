/**
 * The egress gate: with cloud keys set and cloud fakes listening on loopback (treated here as
 * remote hosts), a local task sends them nothing; an opted-in task's requests all appear in the
 * ledger, by name and size only; a declined task sends nothing; plain http to another machine is
 * refused unless the user named that runtime host with http://. Everything works with the global
 * fetch replaced by one that throws, because no model request uses it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import { isLoopback } from "../../../server/src/agent/model/egress.js";
import { createModelRouter } from "../../../server/src/agent/model/index.js";
import type { ConsentRequest } from "../../../server/src/agent/model/types.js";
import { startFakeAnthropic, type FakeAnthropic } from "../../fakes/fake-anthropic.js";
import { startFakeOllama, type FakeOllama } from "../../fakes/fake-ollama.js";
import { startFakeOpenAi, type FakeOpenAi } from "../../fakes/fake-openai.js";
import { cpuOnly, tempState, type TempState } from "./helpers.js";

let ollama: FakeOllama;
let openai: FakeOpenAi;
let anthropic: FakeAnthropic;
let temp: TempState;

beforeEach(async () => {
  ollama = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  openai = await startFakeOpenAi({ apiKey: "sk-openai" });
  anthropic = await startFakeAnthropic({ apiKey: "sk-ant" });
  temp = tempState();
  // No model request may use the global fetch: the gate has its own HTTP client.
  vi.stubGlobal("fetch", () => {
    throw new Error("the global fetch was used");
  });
});
afterEach(async () => {
  vi.unstubAllGlobals();
  await Promise.all([ollama.close(), openai.close(), anthropic.close()]);
  temp.cleanup();
});

const secretPrompt = "function launchCodes() { return 'TOP-SECRET-1234'; }";
const messages = [{ role: "user" as const, content: `Refactor this:\n${secretPrompt}` }];

function router(extraSettings: Record<string, unknown> = {}) {
  const cloudPorts = new Set([String(openai.port), String(anthropic.port)]);
  return createModelRouter({
    settings: {
      ollama: { host: ollama.url },
      cloud: { openai: { baseUrl: `${openai.url}/v1`, model: "gpt-test" }, anthropic: { baseUrl: `${anthropic.url}/v1`, model: "claude-test" } },
      ...extraSettings,
    },
    env: { OPENAI_API_KEY: "sk-openai", ANTHROPIC_API_KEY: "sk-ant", GEMINI_API_KEY: "g" },
    state: temp.state,
    hardware: cpuOnly(),
    egress: { isLocal: (url) => isLoopback(url) && !cloudPorts.has(url.port), requireTls: false },
  });
}

describe("egress gate", () => {
  it("a local task sends nothing to the cloud, even with keys set", async () => {
    const r = router();
    const consent = vi.fn(async () => true);
    const result = await r.chat({ role: "coder", messages, ownerId: "task-1", files: ["src/a.ts"], consent });
    expect(result.provider).toBe("ollama");
    await r.chat({ role: "chat", messages, ownerId: "chat-1" });
    expect(openai.requests).toHaveLength(0);
    expect(anthropic.requests).toHaveLength(0);
    expect(consent).not.toHaveBeenCalled();
    expect(await r.egressLedger()).toEqual([]);
  });

  it("an opted-in task's requests all appear in the ledger, asked once per task and host, without content", async () => {
    const r = router();
    const asked: ConsentRequest[] = [];
    const consent = async (c: ConsentRequest) => {
      asked.push(c);
      return true;
    };
    await r.chat({ role: "coder", provider: "openai", messages, ownerId: "task-7", files: ["src/launch.ts"], consent });
    await r.chat({ role: "coder", provider: "openai", messages, ownerId: "task-7", files: ["src/launch.ts", "src/b.ts"], consent });
    await r.chat({ role: "coder", provider: "anthropic", messages, ownerId: "task-7", files: ["src/launch.ts"], consent });

    expect(asked.map((c) => [c.provider, c.host])).toEqual([
      ["openai", `127.0.0.1:${openai.port}`],
      ["anthropic", `127.0.0.1:${anthropic.port}`],
    ]);
    expect(asked[0]!.files).toEqual(["src/launch.ts"]);
    expect(asked[0]!.bytes).toBeGreaterThan(secretPrompt.length);

    const ledger = await r.egressLedger();
    expect(ledger).toHaveLength(openai.requests.length + anthropic.requests.length);
    expect(ledger.map((e) => [e.owner, e.provider, e.host, e.files])).toEqual([
      ["task-7", "openai", `127.0.0.1:${openai.port}`, ["src/launch.ts"]],
      ["task-7", "openai", `127.0.0.1:${openai.port}`, ["src/launch.ts", "src/b.ts"]],
      ["task-7", "anthropic", `127.0.0.1:${anthropic.port}`, ["src/launch.ts"]],
    ]);
    for (const [i, entry] of ledger.entries()) {
      const request = [...openai.requests, ...anthropic.requests][i]!;
      expect(entry.bytesSent).toBe(Buffer.byteLength(JSON.stringify(request.body)));
      expect(entry.bytesReceived).toBeGreaterThan(0);
      expect(entry.outcome).toBe("complete");
      expect(entry.status).toBe(200);
    }
    const file = readFileSync(temp.state.pathOf("egress/ledger.jsonl"), "utf8");
    expect(file.trim().split("\n")).toHaveLength(3);
    expect(file).not.toContain("TOP-SECRET");
    expect(file).not.toContain("sk-openai");
  });

  it("a declined task sends nothing and is told so", async () => {
    const r = router();
    await expect(r.chat({ role: "coder", provider: "openai", messages, ownerId: "task-2", consent: async () => false })).rejects.toMatchObject({
      kind: "consent-denied",
    });
    // Asked once: the second request of the same task is refused without asking again.
    const consent = vi.fn(async () => true);
    await expect(r.chat({ role: "coder", provider: "openai", messages, ownerId: "task-2", consent })).rejects.toMatchObject({ kind: "consent-denied" });
    expect(openai.requests).toHaveLength(0);
    expect(await r.egressLedger()).toEqual([]);
  });

  it("refuses a request that cannot ask for consent", async () => {
    await expect(router().chat({ role: "coder", provider: "anthropic", messages, ownerId: "t" })).rejects.toMatchObject({ kind: "egress-denied" });
    expect(anthropic.requests).toHaveLength(0);
  });

  it("refuses plain http to another machine", async () => {
    const cloudPort = String(openai.port);
    const r = createModelRouter({
      settings: { cloud: { openai: { baseUrl: `${openai.url}/v1` } } },
      env: { OPENAI_API_KEY: "sk-openai" },
      hardware: cpuOnly(),
      egress: { isLocal: (url) => isLoopback(url) && url.port !== cloudPort },
    });
    const error = await r.chat({ role: "coder", provider: "openai", messages, consent: async () => true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "egress-denied" });
    expect((error as Error).message).toMatch(/plain http/);
    expect(openai.requests).toHaveLength(0);
  });

  it("allows a runtime host the user wrote with http://, and records it", async () => {
    const ollamaPort = String(ollama.port);
    const r = createModelRouter({
      settings: { ollama: { host: `http://127.0.0.1:${ollamaPort}` } },
      env: {},
      state: temp.state,
      hardware: cpuOnly(),
      egress: { isLocal: (url) => isLoopback(url) && url.port !== ollamaPort },
    });
    expect(r.describe("coder").remote).toBe(true);
    await r.chat({ role: "coder", messages, ownerId: "task-9", files: ["a.ts"] });
    const ledger = await r.egressLedger();
    expect(ledger.length).toBe(ollama.requests.length);
    expect(ledger.at(-1)).toMatchObject({ owner: "task-9", provider: "ollama", path: "/api/chat", files: ["a.ts"] });
  });

  it("treats Ollama's cloud models as leaving the machine, though the request goes to the local server", async () => {
    ollama.addModel({ name: "qwen3-coder:480b-cloud", size: 384 });
    const r = router();
    expect(r.describe("coder", { model: "qwen3-coder:480b-cloud" }).remote).toBe(true);
    expect(r.describe("coder").remote).toBe(false);

    await expect(r.chat({ role: "coder", model: "qwen3-coder:480b-cloud", messages, ownerId: "t-1" })).rejects.toMatchObject({ kind: "egress-denied" });
    await expect(r.chat({ role: "coder", model: "qwen3-coder:480b-cloud", messages, ownerId: "t-2", consent: async () => false })).rejects.toMatchObject({
      kind: "consent-denied",
    });
    expect(ollama.chatRequests()).toHaveLength(0);

    const asked: ConsentRequest[] = [];
    await r.chat({
      role: "coder",
      model: "qwen3-coder:480b-cloud",
      messages,
      ownerId: "t-3",
      files: ["src/x.ts"],
      consent: async (c) => (asked.push(c), true),
    });
    expect(asked.map((c) => c.host)).toEqual(["ollama.com"]);
    expect(ollama.chatRequests()).toHaveLength(1);
    const ledger = await r.egressLedger();
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ owner: "t-3", provider: "ollama", host: `ollama.com (through 127.0.0.1:${ollama.port})`, path: "/api/chat", files: ["src/x.ts"] });
  });

  it("refuses a runtime host on another machine written without http://", async () => {
    const ollamaPort = String(ollama.port);
    const r = createModelRouter({
      settings: { ollama: { host: `127.0.0.1:${ollamaPort}` } },
      env: {},
      hardware: cpuOnly(),
      egress: { isLocal: (url) => isLoopback(url) && url.port !== ollamaPort },
    });
    await expect(r.chat({ role: "coder", messages })).rejects.toMatchObject({ kind: "egress-denied" });
    expect(ollama.requests).toHaveLength(0);
  });
});
