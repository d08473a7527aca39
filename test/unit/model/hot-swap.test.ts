/**
 * Hot-swap between a chat model and a coder model that do not fit together, asserted on the exact
 * sequence of requests the fake Ollama received, on the fake scheduler's record that no unload was
 * asked while a request to that model was in flight, and on LM Studio's REST load/unload.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createModelRouter } from "../../../server/src/agent/model/index.js";
import type { ModelProgress } from "../../../server/src/agent/model/types.js";
import { startFakeOllama, type FakeOllama, type RecordedRequest } from "../../fakes/fake-ollama.js";
import { startFakeOpenAi, type FakeOpenAi } from "../../fakes/fake-openai.js";
import { cpuOnly, nvidia } from "./helpers.js";

let fakes: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

const coder = "qwen2.5-coder:7b";
const chat = "llama3.2:3b";
const ask = [{ role: "user" as const, content: "Edit the file." }];

/** Requests as short labels, with runs of /api/ps polls collapsed into one. */
function labels(requests: RecordedRequest[]): string[] {
  const out: string[] = [];
  for (const r of requests) {
    let label: string;
    if (r.path === "/api/chat") {
      const b = r.body;
      if (!b.messages?.length) label = b.keep_alive === 0 ? `unload ${b.model}` : `load ${b.model} ctx=${b.options?.num_ctx}`;
      else label = `chat ${b.model} ctx=${b.options?.num_ctx}`;
    } else label = r.path.replace("/api/", "");
    if (label === "ps" && out.at(-1) === "ps") continue;
    out.push(label);
  }
  return out;
}

async function swapRouter(fake: FakeOllama, extra: Record<string, unknown> = {}, hardware = nvidia(8)) {
  const progress: ModelProgress[] = [];
  let chatBack!: () => void;
  const chatIsBack = new Promise<void>((resolve) => (chatBack = resolve));
  const router = createModelRouter({
    settings: { ollama: { host: fake.url }, models: { coder, chat }, ...extra },
    env: {},
    hardware,
    hotSwapIdleMs: 0,
    hotSwapPollMs: 1,
    onProgress: (p) => {
      progress.push(p);
      if (p.phase === "ready" && p.model === chat) chatBack();
    },
  });
  return { router, progress, chatIsBack };
}

describe("hot-swap on Ollama", () => {
  it("unloads the chat model, waits until it is gone, preloads the coder with its num_ctx, runs, then swaps back", async () => {
    const fake = await startFakeOllama({ models: [coder, { name: chat, family: "llama", contextLength: 131072 }], loaded: [chat], unloadLingersForPsPolls: 2 });
    fakes.push(fake);
    const { router, progress, chatIsBack } = await swapRouter(fake);
    const result = await router.chat({ role: "coder", messages: ask });
    const ctx = result.contextTokens;
    await chatIsBack;

    expect(labels(fake.requests)).toEqual([
      "show",
      "tags",
      "ps",
      `unload ${chat}`,
      "ps",
      `load ${coder} ctx=${ctx}`,
      `chat ${coder} ctx=${ctx}`,
      "ps",
      `unload ${coder}`,
      "ps",
      `load ${chat} ctx=8192`,
    ]);
    // Waited for the asynchronous unload: the polls saw the model twice before it was gone.
    const firstPolls = fake.requests.slice(4, fake.requests.findIndex((r) => r.body?.options?.num_ctx === ctx));
    expect(firstPolls.filter((r) => r.path === "/api/ps").length).toBe(3);
    expect(fake.events.filter((e) => e.kind === "unload-requested").every((e) => e.inFlight === 0)).toBe(true);
    expect(fake.events.filter((e) => e.kind === "reload")).toEqual([]);
    expect(progress.map((p) => [p.phase, p.model, p.durationMs === undefined ? "start" : "done"])).toEqual([
      ["unloading", chat, "start"],
      ["unloading", chat, "done"],
      ["loading", coder, "start"],
      ["ready", coder, "done"],
      ["unloading", coder, "start"],
      ["unloading", coder, "done"],
      ["loading", chat, "start"],
      ["ready", chat, "done"],
    ]);
  });

  it("never unloads a model with a request in flight", async () => {
    const fake = await startFakeOllama({ models: [coder, chat], loaded: [chat] });
    fakes.push(fake);
    let release!: () => void;
    const chatHeld = new Promise<void>((resolve) => (release = resolve));
    fake.onChat(async (body) => {
      if (body.model === chat) await chatHeld;
      return { text: "done" };
    });
    const { router } = await swapRouter(fake);
    const chatting = router.chat({ role: "chat", messages: ask });
    await fake.waitFor((r) => r.path === "/api/chat" && r.body?.model === chat && r.body.messages?.length > 0);
    const coding = router.chat({ role: "coder", messages: ask });
    await fake.waitFor((r) => r.path === "/api/show" && r.body?.model === coder);
    // While the chat answer is still streaming, no unload may be asked for.
    await expect(fake.waitForEvent((e) => e.kind === "unload-requested", 300)).rejects.toThrow();
    release();
    await Promise.all([chatting, coding]);
    const unloads = fake.events.filter((e) => e.kind === "unload-requested");
    expect(unloads.length).toBeGreaterThan(0);
    expect(unloads.every((e) => e.inFlight === 0)).toBe(true);
  });

  it("lets a cancelled request stop waiting for a slow load, and the swap still completes", async () => {
    const fake = await startFakeOllama({ models: [coder, chat], loaded: [chat] });
    fakes.push(fake);
    let release!: () => void;
    const loadHeld = new Promise<void>((resolve) => (release = resolve));
    fake.onLoad(async (model) => {
      if (model === coder) await loadHeld;
    });
    const { router } = await swapRouter(fake, {}, nvidia(8));
    const controller = new AbortController();
    const pending = router.chat({ role: "coder", messages: ask, signal: controller.signal });
    await fake.waitFor((r) => r.path === "/api/chat" && r.body?.model === coder && !r.body.messages?.length);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ kind: "aborted" });
    release();
    // The next coder request finds the coder loaded and runs without another swap.
    await router.chat({ role: "coder", messages: ask });
    const swaps = labels(fake.requests).filter((l) => /^(un)?load/.test(l));
    expect(swaps.slice(0, 2)).toEqual([`unload ${chat}`, `load ${coder} ctx=8192`]);
    expect(swaps.filter((l) => l.startsWith(`load ${coder}`))).toHaveLength(1);
    expect(fake.chatRequests().map((b) => b.model)).toEqual([coder]);
  });

  it("shares one swap between coder requests that arrive together", async () => {
    const fake = await startFakeOllama({ models: [coder, chat], loaded: [chat] });
    fakes.push(fake);
    const { router, chatIsBack } = await swapRouter(fake);
    await Promise.all([1, 2, 3].map(() => router.chat({ role: "coder", messages: ask })));
    await chatIsBack;
    const swaps = labels(fake.requests).filter((l) => /^(un)?load/.test(l));
    expect(swaps).toEqual([`unload ${chat}`, `load ${coder} ctx=8192`, `unload ${coder}`, `load ${chat} ctx=8192`]);
    expect(fake.chatRequests()).toHaveLength(3);
  });

  it("skips the swap when both models fit", async () => {
    const fake = await startFakeOllama({ models: [coder, chat], loaded: [chat] });
    fakes.push(fake);
    const { router, progress } = await swapRouter(fake, {}, nvidia(24));
    await router.chat({ role: "coder", messages: ask });
    expect(labels(fake.requests).filter((l) => l.startsWith("unload") || l.startsWith("load"))).toEqual([]);
    // Only the coder's own cold load is reported; nothing was unloaded.
    expect(progress.map((p) => [p.phase, p.model])).toEqual([
      ["loading", coder],
      ["ready", coder],
    ]);
  });

  it("does nothing with hotSwap: false", async () => {
    const fake = await startFakeOllama({ models: [coder, chat], loaded: [chat] });
    fakes.push(fake);
    const { router } = await swapRouter(fake, { hotSwap: false });
    await router.chat({ role: "coder", messages: ask });
    expect(labels(fake.requests)).toEqual(["show", "ps", `chat ${coder} ctx=${fake.chatRequests()[0].options.num_ctx}`]);
  });

  it("does nothing when chat and coder are the same model", async () => {
    const fake = await startFakeOllama({ models: [coder] });
    fakes.push(fake);
    const router = createModelRouter({ settings: { ollama: { host: fake.url }, models: { coder } }, env: {}, hardware: cpuOnly(4) });
    await router.chat({ role: "coder", messages: ask });
    await router.chat({ role: "chat", messages: ask });
    expect(labels(fake.requests).filter((l) => /^(un)?load/.test(l))).toEqual([]);
  });
});

describe("hot-swap on LM Studio", () => {
  it("unloads and loads through the REST API, with the chosen context length", async () => {
    const lmCoder = "qwen2.5-coder-7b-instruct";
    const lmChat = "llama-3.2-3b-instruct";
    const fake: FakeOpenAi = await startFakeOpenAi({
      lmstudio: [
        { key: lmCoder, sizeBytes: 4_683_087_332 },
        { key: lmChat, sizeBytes: 2_019_393_189, loadedWithContext: 8192 },
      ],
    });
    fakes.push(fake);
    const router = createModelRouter({
      settings: { provider: "lmstudio", lmstudio: { host: fake.url }, models: { coder: lmCoder, chat: lmChat } },
      env: {},
      hardware: nvidia(8),
      hotSwapIdleMs: 0,
      hotSwapPollMs: 1,
    });
    const result = await router.chat({ role: "coder", messages: ask });
    expect(result.text).toBe("Hello from the fake server.");
    await fake.waitFor(() => fake.events.some((e) => e.kind === "load" && e.model === lmChat));
    expect(fake.events.map((e) => [e.kind, e.model, e.contextLength])).toEqual([
      ["unload", lmChat, undefined],
      ["load", lmCoder, result.contextTokens],
      ["unload", lmCoder, undefined],
      ["load", lmChat, 8192],
    ]);
  });
});
