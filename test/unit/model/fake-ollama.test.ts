/**
 * The fake Ollama is what every other test leans on, so it is checked here against the real
 * `ollama` package: the same wire shapes, errors, aborts and scheduler behaviour a running Ollama has.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Ollama } from "ollama/browser";
import { startFakeOllama, type FakeOllama } from "../../fakes/fake-ollama.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function collect(iterable: AsyncIterable<{ message: { content: string }; done: boolean }>) {
  const parts: string[] = [];
  let last: any;
  for await (const part of iterable) {
    parts.push(part.message.content);
    last = part;
  }
  return { text: parts.join(""), last };
}

describe("fake Ollama, through the real ollama package", () => {
  it("streams NDJSON chat with final metrics", async () => {
    fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
    fake.onChat(() => ({ text: "hello there world" }));
    const client = new Ollama({ host: fake.url, fetch: realFetchForTests });
    const stream = await client.chat({
      model: "qwen2.5-coder:1.5b",
      messages: [{ role: "user", content: "say hi" }],
      stream: true,
      options: { num_ctx: 8192 },
    });
    const { text, last } = await collect(stream);
    expect(text).toBe("hello there world");
    expect(last.done).toBe(true);
    expect(last.done_reason).toBe("stop");
    expect(last.prompt_eval_count).toBeGreaterThan(0);
    expect(fake.chatRequests()[0].options.num_ctx).toBe(8192);
    expect(fake.loaded().map((m) => [m.name, m.numCtx])).toEqual([["qwen2.5-coder:1.5b", 8192]]);
  });

  it("answers stream:false with one object, and uses queued replies first", async () => {
    fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
    fake.enqueueChat({ json: { summary: "s" } });
    const client = new Ollama({ host: fake.url, fetch: realFetchForTests });
    const first = await client.chat({ model: "qwen2.5-coder:1.5b", messages: [{ role: "user", content: "x" }] });
    expect(JSON.parse(first.message.content)).toEqual({ summary: "s" });
    const second = await client.chat({ model: "qwen2.5-coder:1.5b", messages: [{ role: "user", content: "x" }] });
    expect(second.message.content).toBe("Hello from the fake Ollama.");
  });

  it("reports a missing model the way Ollama does", async () => {
    fake = await startFakeOllama({ models: [] });
    const client = new Ollama({ host: fake.url, fetch: realFetchForTests });
    await expect(
      client.chat({ model: "qwen2.5-coder:7b", messages: [{ role: "user", content: "x" }], stream: true }),
    ).rejects.toMatchObject({ name: "ResponseError", status_code: 404, error: 'model "qwen2.5-coder:7b" not found, try pulling it first' });
    await expect(client.show({ model: "nope" })).rejects.toMatchObject({ status_code: 404 });
  });

  it("sends an error line inside a 200 stream, and HTTP errors with status", async () => {
    fake = await startFakeOllama({ models: ["m:1"] });
    fake.enqueueChat({ chunks: ["a"], error: "runner crashed" }, { error: "busy", status: 503 });
    const client = new Ollama({ host: fake.url, fetch: realFetchForTests });
    const stream = await client.chat({ model: "m:1", messages: [{ role: "user", content: "x" }], stream: true });
    await expect(collect(stream)).rejects.toThrow("runner crashed");
    await expect(client.chat({ model: "m:1", messages: [{ role: "user", content: "x" }], stream: true })).rejects.toMatchObject({
      status_code: 503,
    });
  });

  it("cuts a stream without its final record", async () => {
    fake = await startFakeOllama({ models: ["m:1"] });
    fake.enqueueChat({ chunks: ["a", "b", "c"], cutAfterChunks: 2 });
    const client = new Ollama({ host: fake.url, fetch: realFetchForTests });
    const stream = await client.chat({ model: "m:1", messages: [{ role: "user", content: "x" }], stream: true });
    await expect(collect(stream)).rejects.toThrow();
  });

  it("keeps a hanging request open until the client aborts, and records the abort", async () => {
    fake = await startFakeOllama({ models: ["m:1"] });
    fake.enqueueChat({ chunks: ["a"], stallAfterChunks: 1 });
    const client = new Ollama({ host: fake.url, fetch: realFetchForTests });
    const stream = await client.chat({ model: "m:1", messages: [{ role: "user", content: "x" }], stream: true });
    const seen: string[] = [];
    const done = (async () => {
      for await (const part of stream) {
        seen.push(part.message.content);
        stream.abort();
      }
    })();
    await expect(done).rejects.toMatchObject({ name: "AbortError" });
    const record = await fake.waitFor((r) => r.path === "/api/chat" && r.aborted);
    expect(record.aborted).toBe(true);
    expect(seen).toEqual(["a"]);

    fake.enqueueChat({ hang: true });
    const controller = new AbortController();
    const hanging = realFetchForTests(`${fake.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({ model: "m:1", messages: [{ role: "user", content: "x" }] }),
      signal: controller.signal,
    });
    await fake.waitFor((r) => r.path === "/api/chat" && fake!.requests.indexOf(r) === 1);
    controller.abort();
    await expect(hanging).rejects.toMatchObject({ name: "AbortError" });
    await fake.waitFor((r) => fake!.requests.indexOf(r) === 1 && r.aborted);
  });

  it("lists, shows, loads, unloads and reports versions", async () => {
    fake = await startFakeOllama({ models: ["qwen2.5-coder:7b", { name: "llama3.2:3b", family: "llama", contextLength: 131072 }], unloadLingersForPsPolls: 1 });
    const client = new Ollama({ host: fake.url, fetch: realFetchForTests });
    expect((await client.version()).version).toMatch(/^\d+\.\d+\.\d+$/);
    const tags = await client.list();
    expect(tags.models.map((m) => m.name).sort()).toEqual(["llama3.2:3b", "qwen2.5-coder:7b"]);
    const show = await client.show({ model: "llama3.2:3b" });
    const info = show.model_info as unknown as Record<string, unknown>;
    expect(info[`${info["general.architecture"]}.context_length`]).toBe(131072);

    const loaded = await client.chat({ model: "qwen2.5-coder:7b", messages: [], keep_alive: -1, options: { num_ctx: 16384 } });
    expect(loaded.done_reason).toBe("load");
    expect((await client.ps()).models.map((m: any) => [m.name, m.context_length])).toEqual([["qwen2.5-coder:7b", 16384]]);
    const unloaded = await client.generate({ model: "qwen2.5-coder:7b", prompt: "", keep_alive: 0 });
    expect(unloaded.done_reason).toBe("unload");
    expect((await client.ps()).models).toHaveLength(1); // lingers one poll, as a real unload is asynchronous
    expect((await client.ps()).models).toHaveLength(0);
    expect(fake.events.map((e) => e.kind)).toEqual(["load", "unload-requested", "unloaded"]);
  });

  it("defers an unload while a request to the model is in flight", async () => {
    fake = await startFakeOllama({ models: ["m:1"] });
    fake.enqueueChat({ hang: true });
    const client = new Ollama({ host: fake.url, fetch: realFetchForTests });
    const controller = new AbortController();
    const inFlight = realFetchForTests(`${fake.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({ model: "m:1", messages: [{ role: "user", content: "x" }] }),
      signal: controller.signal,
    }).catch(() => undefined);
    await fake.waitFor((r) => r.path === "/api/chat");
    await client.chat({ model: "m:1", messages: [], keep_alive: 0 });
    expect(fake.events.at(-1)).toMatchObject({ kind: "unload-requested", inFlight: 1 });
    expect(fake.loaded()).toHaveLength(1);
    controller.abort();
    await inFlight;
    await fake.waitForEvent((e) => e.kind === "unloaded");
    expect(fake.loaded()).toHaveLength(0);
  });

  it("streams pull progress per layer and installs the model", async () => {
    fake = await startFakeOllama();
    const client = new Ollama({ host: fake.url, fetch: realFetchForTests });
    const stream = await client.pull({ model: "qwen2.5-coder:1.5b", stream: true });
    const statuses: string[] = [];
    for await (const p of stream) statuses.push(p.status);
    expect(statuses[0]).toBe("pulling manifest");
    expect(statuses.at(-1)).toBe("success");
    expect(fake.installed()).toContain("qwen2.5-coder:1.5b");
  });
});
