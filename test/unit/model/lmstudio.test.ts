/**
 * LM Studio through the real provider code against the fake: chat over `/v1` SSE, an explicit load
 * with Burrow's context instead of a just-in-time load, model listing through REST v1 (and v0 on
 * older versions), and the messages for a missing model and a server that is not running.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createModelRouter } from "../../../server/src/agent/model/index.js";
import { startFakeOpenAi, type FakeOpenAi } from "../../fakes/fake-openai.js";
import { cpuOnly, deadUrl } from "./helpers.js";

let fake: FakeOpenAi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const key = "qwen2.5-coder-1.5b-instruct";
const ask = [{ role: "user" as const, content: "Explain this." }];

function lmRouter(url: string) {
  return createModelRouter({ settings: { provider: "lmstudio", lmstudio: { host: url } }, env: {}, hardware: cpuOnly() });
}

describe("LM Studio", () => {
  it("loads the tier's model with Burrow's context, then streams the answer from /v1", async () => {
    fake = await startFakeOpenAi({ lmstudio: [{ key, sizeBytes: 986_061_892, maxContextLength: 32768 }] });
    fake.enqueueChat({ chunks: ["It ", "renames."], evalCount: 2, promptEvalCount: 11 });
    const router = lmRouter(fake.url);
    expect(router.describe("coder").model).toBe(key);
    const deltas: string[] = [];
    const result = await router.chat({ role: "coder", messages: ask, onDelta: (d) => deltas.push(d) });
    expect(result).toMatchObject({ text: "It renames.", provider: "lmstudio", model: key, usage: { promptTokens: 11, completionTokens: 2 } });
    expect(deltas).toEqual(["It ", "renames."]);
    expect(fake.events.map((e) => [e.kind, e.contextLength])).toEqual([["load", result.contextTokens]]);
    expect(fake.chatRequests()[0]).toMatchObject({ model: key, stream: true });
  });

  it("reads an Ollama-style coder tag as LM Studio's key for the same model", () => {
    const router = createModelRouter({ settings: { provider: "lmstudio" }, env: {}, hardware: cpuOnly() });
    expect(router.describe("coder", { model: "qwen2.5-coder:7b" }).model).toBe("qwen2.5-coder-7b-instruct");
    expect(router.describe("coder", { model: "my-own-model" }).model).toBe("my-own-model");
  });

  it.each(["lmstudio", "LM Studio", "lm-studio", " LMStudio "])("takes %j as LM Studio's name", (typed) => {
    const router = createModelRouter({ settings: { provider: typed }, env: {}, hardware: cpuOnly() });
    expect(router.describe("coder").provider).toBe("lmstudio");
    expect(router.describe("coder", { provider: typed }).provider).toBe("lmstudio");
  });

  it("lists models with their loaded state, through v1 or v0", async () => {
    fake = await startFakeOpenAi({ lmstudio: [{ key, loadedWithContext: 8192 }, { key: "other-model" }] });
    const listing = await lmRouter(fake.url).listModels();
    expect(listing.ok).toBe(true);
    if (!listing.ok) return;
    const lm = listing.runtimes.find((r) => r.name === "lmstudio")!;
    expect(lm).toMatchObject({ reachable: true, version: "REST v1" });
    expect(lm.models.map((m) => [m.name, m.loaded])).toEqual([[key, true], ["other-model", false]]);
    await fake.close();

    fake = await startFakeOpenAi({ lmstudio: [{ key, loadedWithContext: 8192 }], lmstudioV0Only: true });
    const old = await lmRouter(fake.url).listModels();
    expect(old.ok && old.runtimes.find((r) => r.name === "lmstudio")).toMatchObject({ reachable: true, version: "REST v0" });
  });

  it("names `lms get` when the model is not downloaded", async () => {
    fake = await startFakeOpenAi({ lmstudio: [{ key: "something-else" }] });
    await expect(lmRouter(fake.url).chat({ role: "coder", messages: ask })).rejects.toMatchObject({
      kind: "model-missing",
      message: expect.stringContaining(`lms get ${key}`),
    });
    expect(fake.chatRequests()).toHaveLength(0);
  });

  it("says how to start LM Studio's server when nothing listens", async () => {
    const url = await deadUrl();
    await expect(lmRouter(url).chat({ role: "coder", messages: ask })).rejects.toMatchObject({
      kind: "unreachable",
      message: `LM Studio is not running at ${url}. Start its server with \`lms server start\` (or the Developer tab in the app), or set lmstudio.host.`,
    });
  });

  it("downloads a model by polling its job, and reports a name the catalogue lacks", async () => {
    fake = await startFakeOpenAi({ lmstudio: [], lmstudioCatalogue: ["qwen2.5-coder-7b-instruct"] });
    const router = createModelRouter({ settings: { provider: "lmstudio", lmstudio: { host: fake.url } }, env: {}, hardware: cpuOnly(), pullPollMs: 1 });
    const seen: string[] = [];
    const result = await router.pull("qwen2.5-coder-7b-instruct", (p) => seen.push(`${p.status} ${p.completedBytes}/${p.totalBytes}`));
    expect(result).toEqual({ ok: true, model: "qwen2.5-coder-7b-instruct" });
    expect(seen).toEqual(["downloading 0/3000", "downloading 1000/3000", "downloading 2000/3000", "completed 3000/3000"]);
    const again = await router.pull("qwen2.5-coder-7b-instruct", () => {});
    expect(again.ok).toBe(true);
    const missing = await router.pull("no-such-model", () => {});
    expect(missing).toMatchObject({ ok: false, code: "http" });
    expect(!missing.ok && missing.reason).toMatch(/could not download "no-such-model"/);
  });

  it("aborts mid-stream", async () => {
    fake = await startFakeOpenAi({ lmstudio: [{ key, loadedWithContext: 8192 }] });
    fake.enqueueChat({ chunks: ["a", "b"], stallAfterChunks: 1 });
    const controller = new AbortController();
    await expect(
      lmRouter(fake.url).chat({ role: "coder", messages: ask, signal: controller.signal, onDelta: () => controller.abort() }),
    ).rejects.toMatchObject({ kind: "aborted" });
    await fake.waitFor((r) => r.path === "/v1/chat/completions" && r.aborted);
  });
});
