/**
 * The router against the fake Ollama, through the real `ollama` package: streaming, structured
 * output, usage, num_ctx, abort mid-stream, HTTP and in-stream errors, a cut stream, a model that is
 * not installed, and a runtime that is not running.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createModelRouter } from "../../../server/src/agent/model/index.js";
import { ModelError } from "../../../server/src/agent/model/types.js";
import { startFakeOllama, type FakeOllama } from "../../fakes/fake-ollama.js";
import { cpuOnly, deadUrl } from "./helpers.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function routerFor(url: string, extra: Record<string, unknown> = {}) {
  return createModelRouter({ settings: { ollama: { host: url }, ...extra }, hardware: cpuOnly(), env: {} });
}

const ask = [{ role: "user" as const, content: "Rename the function." }];

describe("Ollama through the router", () => {
  it("streams deltas, reports usage and sends num_ctx and keep_alive explicitly", async () => {
    fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
    fake.onChat(() => ({ chunks: ["Hel", "lo", " world"], evalCount: 3 }));
    const router = routerFor(fake.url);
    const deltas: string[] = [];
    const result = await router.chat({ role: "coder", messages: ask, onDelta: (d) => deltas.push(d) });
    expect(deltas).toEqual(["Hel", "lo", " world"]);
    expect(result).toMatchObject({ text: "Hello world", provider: "ollama", model: "qwen2.5-coder:1.5b", usage: { completionTokens: 3 } });
    expect(result.usage.promptTokens).toBeGreaterThan(0);
    const body = fake.chatRequests()[0];
    expect(body.stream).toBe(true);
    expect(body.options.num_ctx).toBe(result.contextTokens);
    expect(body.options.num_ctx).toBeGreaterThanOrEqual(4096);
    expect(body.keep_alive).toBe("30m");
    // The model's own limit was read from /api/show before the first request.
    expect(fake.requests.some((r) => r.path === "/api/show")).toBe(true);
  });

  it("says when the model must be loaded first, and how long the first answer took", async () => {
    fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
    const router = routerFor(fake.url);
    const events: string[] = [];
    await router.chat({
      role: "coder",
      messages: ask,
      onProgress: (p) => events.push(`${p.phase}${p.durationMs === undefined ? "" : " done"}`),
      onDelta: () => events.push("delta"),
    });
    expect(events.slice(0, 3)).toEqual(["loading", "ready done", "delta"]);
    events.length = 0;
    await router.chat({ role: "coder", messages: ask, onProgress: (p) => events.push(p.phase) });
    expect(events).toEqual([]);
    expect(fake.requests.filter((r) => r.path === "/api/ps")).toHaveLength(1);
  });

  it("keeps num_ctx stable across requests of different sizes so Ollama never reloads", async () => {
    fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
    const router = routerFor(fake.url);
    await router.chat({ role: "coder", messages: [{ role: "user", content: "x".repeat(12_000) }] });
    await router.chat({ role: "coder", messages: [{ role: "user", content: "short" }] });
    await router.chat({ role: "coder", messages: [{ role: "user", content: "y".repeat(9_000) }] });
    const sizes = fake.chatRequests().map((b) => b.options.num_ctx);
    expect(new Set(sizes).size).toBe(1);
    expect(fake.events.filter((e) => e.kind === "reload")).toEqual([]);
  });

  it("sends the JSON schema as format and returns the JSON text", async () => {
    fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
    const plan = { summary: "Rename", steps: [{ description: "edit" }], files: [{ path: "a.ts", action: "modify", reason: "it" }] };
    fake.enqueueChat({ json: plan });
    const schema = { type: "object", properties: { summary: { type: "string" } }, required: ["summary"] };
    const result = await routerFor(fake.url).chat({ role: "coder", messages: ask, format: schema });
    expect(JSON.parse(result.text)).toEqual(plan);
    expect(fake.chatRequests()[0].format).toEqual(schema);
  });

  it("aborts mid-stream: the request to Ollama really closes", async () => {
    fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
    fake.enqueueChat({ chunks: ["one ", "two ", "three"], stallAfterChunks: 1 });
    const controller = new AbortController();
    const pending = routerFor(fake.url).chat({
      role: "coder",
      messages: ask,
      signal: controller.signal,
      onDelta: () => controller.abort(),
    });
    await expect(pending).rejects.toMatchObject({ kind: "aborted" });
    const record = await fake.waitFor((r) => r.path === "/api/chat" && r.aborted);
    expect(record.aborted).toBe(true);
  });

  it("aborts while waiting for the first byte (a cold load)", async () => {
    fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
    fake.enqueueChat({ hang: true });
    const controller = new AbortController();
    const pending = routerFor(fake.url).chat({ role: "coder", messages: ask, signal: controller.signal });
    await fake.waitFor((r) => r.path === "/api/chat");
    controller.abort();
    await expect(pending).rejects.toMatchObject({ kind: "aborted" });
    await fake.waitFor((r) => r.path === "/api/chat" && r.aborted);
  });

  it("times out when nothing arrives, and when the stream stalls", async () => {
    fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
    fake.enqueueChat({ hang: true }, { chunks: ["a", "b"], stallAfterChunks: 1 });
    const router = createModelRouter({
      settings: { ollama: { host: fake.url } },
      hardware: cpuOnly(),
      env: {},
      timeouts: { firstByteMs: 150, stallMs: 150 },
    });
    await expect(router.chat({ role: "coder", messages: ask })).rejects.toMatchObject({ kind: "timeout", retryable: true });
    await expect(router.chat({ role: "coder", messages: ask })).rejects.toMatchObject({ kind: "timeout", retryable: true });
    await fake.waitFor((r) => fake!.requests.filter((x) => x.path === "/api/chat" && x.aborted).length === 2);
  });

  const failures: { name: string; reply: object; kind: string; retryable: boolean; message: RegExp }[] = [
    { name: "HTTP 500", reply: { error: "runner failed", status: 500 }, kind: "http", retryable: true, message: /Ollama had a server error \(HTTP 500\): runner failed/ },
    { name: "HTTP 400", reply: { error: 'option "num_ctx" must be of type integer', status: 400 }, kind: "http", retryable: false, message: /rejected the request \(HTTP 400\)/ },
    { name: "error line inside the stream", reply: { chunks: ["partial"], error: "out of memory" }, kind: "http", retryable: true, message: /Ollama reported an error while answering: out of memory/ },
    { name: "stream cut in the middle", reply: { chunks: ["a", "b", "c"], cutAfterChunks: 2 }, kind: "stream-cut", retryable: true, message: /closed the connection|ended before/ },
  ];
  for (const f of failures) {
    it(`normalises ${f.name}`, async () => {
      fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
      fake.enqueueChat(f.reply);
      const error = await routerFor(fake.url).chat({ role: "coder", messages: ask }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelError);
      expect(error).toMatchObject({ kind: f.kind, retryable: f.retryable });
      expect((error as Error).message).toMatch(f.message);
    });
  }

  it("names `ollama pull` when the model is not installed, and lists what is", async () => {
    fake = await startFakeOllama({ models: ["llama3.2:3b"] });
    const error = (await routerFor(fake.url).chat({ role: "coder", messages: ask }).catch((e: unknown) => e)) as ModelError;
    expect(error.kind).toBe("model-missing");
    expect(error.message).toContain("`ollama pull qwen2.5-coder:1.5b`");
    expect(error.message).toContain("llama3.2:3b");
  });

  it("says how to start Ollama when nothing listens", async () => {
    const url = await deadUrl();
    const error = (await routerFor(url).chat({ role: "coder", messages: ask }).catch((e: unknown) => e)) as ModelError;
    expect(error.kind).toBe("unreachable");
    expect(error.message).toBe(`Ollama is not running at ${url}. Start it with \`ollama serve\`, or set OLLAMA_HOST.`);
  });

  it("uses the default address in the message when nothing is configured", async () => {
    const router = createModelRouter({ settings: {}, hardware: cpuOnly(), env: { OLLAMA_HOST: "127.0.0.1:9" } });
    const error = (await router.chat({ role: "coder", messages: ask }).catch((e: unknown) => e)) as ModelError;
    expect(error.message).toBe("Ollama is not running at http://127.0.0.1:9. Start it with `ollama serve`, or set OLLAMA_HOST.");
  });

  it("refuses a prompt that cannot fit before sending it, and reports runtime truncation", async () => {
    fake = await startFakeOllama({ models: [{ name: "qwen2.5-coder:1.5b", contextLength: 8192 }] });
    const router = routerFor(fake.url);
    const huge = [{ role: "user" as const, content: "z".repeat(40_000) }];
    await expect(router.chat({ role: "coder", messages: huge })).rejects.toMatchObject({ kind: "truncated" });
    expect(fake.chatRequests()).toHaveLength(0);

    // The runtime evaluated the whole window: the prompt was cut on its side.
    fake.enqueueChat({ text: "ok", promptEvalCount: 8192 });
    const big = [{ role: "user" as const, content: "w".repeat(18_000) }];
    const error = (await router.chat({ role: "coder", messages: big }).catch((e: unknown) => e)) as ModelError;
    expect(error.kind).toBe("truncated");
    expect(error.message).toMatch(/read only 8192 tokens/);
  });

  it("describes the model a request would use, without a request", async () => {
    const router = createModelRouter({ settings: { models: { coder: "qwen2.5-coder:7b" } }, hardware: cpuOnly(), env: {} });
    expect(router.describe("coder")).toMatchObject({ provider: "ollama", model: "qwen2.5-coder:7b", sizeB: 7.6, remote: false });
    expect(router.describe("chat").model).toBe("qwen2.5-coder:7b");
    expect(router.describe("coder", { provider: "anthropic" })).toMatchObject({ provider: "anthropic", remote: true });
  });
});
