/**
 * The OpenAI-compatible cloud providers and Anthropic's Messages API, through the real provider
 * code against fakes on loopback (treated as remote hosts, with the user's consent given):
 * streaming, structured output, abort mid-stream, HTTP errors, errors inside a stream, a cut
 * stream, a model the provider does not have, and a missing key.
 */
import { afterEach, describe, expect, it } from "vitest";
import { cloudEntries, findKey } from "../../../server/src/agent/model/catalogue.js";
import { isLoopback } from "../../../server/src/agent/model/egress.js";
import { createModelRouter } from "../../../server/src/agent/model/index.js";
import { ModelError } from "../../../server/src/agent/model/types.js";
import { startFakeAnthropic, type FakeAnthropic } from "../../fakes/fake-anthropic.js";
import { startFakeOpenAi, type FakeOpenAi } from "../../fakes/fake-openai.js";
import { cpuOnly } from "./helpers.js";

let fakes: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

const ask = [
  { role: "system" as const, content: "You are a careful engineer." },
  { role: "user" as const, content: "Plan the rename." },
];
const yes = async () => true;

function cloudRouter(provider: string, fakeUrl: string, fakePort: number, env: Record<string, string>, basePath = "/v1") {
  return createModelRouter({
    settings: { provider, cloud: { [provider]: { baseUrl: `${fakeUrl}${basePath}`, model: "test-model" } } },
    env,
    hardware: cpuOnly(),
    egress: { isLocal: (url) => isLoopback(url) && url.port !== String(fakePort), requireTls: false },
  });
}

const openAiCompatible: { provider: string; variable: string }[] = [
  { provider: "openai", variable: "OPENAI_API_KEY" },
  { provider: "gemini", variable: "GEMINI_API_KEY" },
  { provider: "mistral", variable: "MISTRAL_API_KEY" },
  { provider: "groq", variable: "GROQ_API_KEY" },
  { provider: "openrouter", variable: "OPENROUTER_API_KEY" },
  { provider: "deepseek", variable: "DEEPSEEK_API_KEY" },
  { provider: "xai", variable: "XAI_API_KEY" },
  { provider: "together", variable: "TOGETHER_API_KEY" },
];

describe("OpenAI-compatible cloud providers", () => {
  for (const { provider, variable } of openAiCompatible) {
    it(`${provider}: streams with the key from ${variable}`, async () => {
      const fake = await startFakeOpenAi({ apiKey: "key-123", models: ["test-model"] });
      fakes.push(fake);
      fake.enqueueChat({ chunks: ["Re", "name ", "it"], promptEvalCount: 42, evalCount: 3 });
      const router = cloudRouter(provider, fake.url, fake.port, { [variable]: "key-123" });
      const deltas: string[] = [];
      const result = await router.chat({ role: "coder", messages: ask, ownerId: "t1", consent: yes, onDelta: (d) => deltas.push(d) });
      expect(result).toMatchObject({ text: "Rename it", provider, model: "test-model", usage: { promptTokens: 42, completionTokens: 3 } });
      expect(deltas).toEqual(["Re", "name ", "it"]);
      const body = fake.chatRequests()[0];
      expect(body).toMatchObject({ model: "test-model", stream: true, stream_options: { include_usage: true } });
      expect(body.messages).toEqual(ask);
    });
  }

  it("sends a JSON schema as response_format, or as an instruction where only JSON mode exists", async () => {
    const fake = await startFakeOpenAi({ apiKey: "k" });
    fakes.push(fake);
    const schema = { type: "object", properties: { summary: { type: "string" } }, required: ["summary"] };
    fake.enqueueChat({ json: { summary: "s" } }, { json: { summary: "t" } });
    const openai = cloudRouter("openai", fake.url, fake.port, { OPENAI_API_KEY: "k" });
    expect(JSON.parse((await openai.chat({ role: "coder", messages: ask, format: schema, consent: yes })).text)).toEqual({ summary: "s" });
    expect(fake.chatRequests()[0].response_format).toEqual({ type: "json_schema", json_schema: { name: "answer", schema } });
    const deepseek = cloudRouter("deepseek", fake.url, fake.port, { DEEPSEEK_API_KEY: "k" });
    await deepseek.chat({ role: "coder", messages: ask, format: schema, consent: yes });
    const second = fake.chatRequests()[1];
    expect(second.response_format).toEqual({ type: "json_object" });
    expect(second.messages[0].content).toContain(JSON.stringify(schema));
  });

  it("keeps each service's quirks as catalogue data: a JSON mode without a schema, an attribution header", () => {
    const quirks = Object.fromEntries(cloudEntries.map((e) => [e.name, { structuredOutput: e.structuredOutput ?? "json_schema", headers: e.headers ?? {} }]));
    expect(quirks).toMatchObject({
      groq: { structuredOutput: "json_object", headers: {} },
      deepseek: { structuredOutput: "json_object", headers: {} },
      openrouter: { structuredOutput: "json_schema", headers: { "x-title": "Burrow" } },
      openai: { structuredOutput: "json_schema", headers: {} },
    });
  });

  it.each(cloudEntries.filter((e) => e.protocol === "openai-compatible"))("$name: sends the schema and headers its catalogue entry asks for", async (entry) => {
    const fake = await startFakeOpenAi({ apiKey: "k" });
    fakes.push(fake);
    const schema = { type: "object", properties: { summary: { type: "string" } }, required: ["summary"] };
    fake.enqueueChat({ json: { summary: "s" } });
    const router = cloudRouter(entry.name, fake.url, fake.port, { [entry.keyVariables[0]!]: "k" });
    await router.chat({ role: "coder", messages: ask, format: schema, consent: yes });
    const request = fake.requests.find((r) => r.method === "POST" && r.path.endsWith("/chat/completions"))!;
    if (entry.structuredOutput === "json_object") expect(request.body.response_format).toEqual({ type: "json_object" });
    else expect(request.body.response_format).toEqual({ type: "json_schema", json_schema: { name: "answer", schema } });
    for (const [name, value] of Object.entries(entry.headers ?? {})) expect(request.headers[name]).toBe(value);
    expect(findKey(entry, { [entry.keyVariables[0]!]: "k" })?.variable).toBe(entry.keyVariables[0]);
  });

  it("aborts mid-stream and the server sees the connection close", async () => {
    const fake = await startFakeOpenAi({ apiKey: "k" });
    fakes.push(fake);
    fake.enqueueChat({ chunks: ["a", "b"], stallAfterChunks: 1 });
    const controller = new AbortController();
    const router = cloudRouter("openai", fake.url, fake.port, { OPENAI_API_KEY: "k" });
    const pending = router.chat({ role: "coder", messages: ask, consent: yes, signal: controller.signal, onDelta: () => controller.abort() });
    await expect(pending).rejects.toMatchObject({ kind: "aborted" });
    await fake.waitFor((r) => r.path.endsWith("/chat/completions") && r.aborted);
  });

  const failures: { name: string; setup: (fake: FakeOpenAi) => void; env?: Record<string, string>; model?: string; kind: string; retryable: boolean; message: RegExp }[] = [
    { name: "a refused key", setup: () => {}, env: { OPENAI_API_KEY: "wrong" }, kind: "config", retryable: false, message: /OpenAI refused the request \(HTTP 401\).*Check the key in OPENAI_API_KEY/ },
    { name: "rate limiting", setup: (f) => f.enqueueChat({ error: "Rate limit reached", status: 429 }), kind: "http", retryable: true, message: /rate-limiting.*HTTP 429/ },
    { name: "a server error", setup: (f) => f.enqueueChat({ error: "boom", status: 500 }), kind: "http", retryable: true, message: /server error \(HTTP 500\): boom/ },
    { name: "an error inside the stream", setup: (f) => f.enqueueChat({ chunks: ["x"], error: "upstream failed" }), kind: "http", retryable: true, message: /reported an error while answering: upstream failed/ },
    { name: "a cut stream", setup: (f) => f.enqueueChat({ chunks: ["a", "b", "c"], cutAfterChunks: 2 }), kind: "stream-cut", retryable: true, message: /closed the connection|stopped before/ },
    { name: "an unknown model", setup: () => {}, model: "no-such-model", kind: "model-missing", retryable: false, message: /does not have the model "no-such-model" installed\. Check the model name in cloud\.openai\.model\./ },
  ];
  for (const f of failures) {
    it(`normalises ${f.name}`, async () => {
      const fake = await startFakeOpenAi({ apiKey: "k", models: ["test-model"] });
      fakes.push(fake);
      f.setup(fake);
      const router = cloudRouter("openai", fake.url, fake.port, f.env ?? { OPENAI_API_KEY: "k" });
      const error = await router.chat({ role: "coder", messages: ask, consent: yes, model: f.model }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelError);
      expect(error).toMatchObject({ kind: f.kind, retryable: f.retryable });
      expect((error as Error).message).toMatch(f.message);
    });
  }

  it("refuses without a key and sends nothing", async () => {
    const fake = await startFakeOpenAi();
    fakes.push(fake);
    const router = cloudRouter("mistral", fake.url, fake.port, {});
    await expect(router.chat({ role: "coder", messages: ask, consent: yes })).rejects.toMatchObject({
      kind: "config",
      message: expect.stringContaining("MISTRAL_API_KEY"),
    });
    expect(fake.requests).toHaveLength(0);
  });
});

describe("Anthropic Messages API", () => {
  async function setup(): Promise<{ fake: FakeAnthropic; router: ReturnType<typeof createModelRouter> }> {
    const fake = await startFakeAnthropic({ apiKey: "sk-ant-test", models: ["test-model"] });
    fakes.push(fake);
    return { fake, router: cloudRouter("anthropic", fake.url, fake.port, { ANTHROPIC_API_KEY: "sk-ant-test" }) };
  }

  it("streams text deltas with the system prompt apart and usage from both ends", async () => {
    const { fake, router } = await setup();
    fake.enqueueChat({ chunks: ["Plan", ": rename"], promptEvalCount: 77, evalCount: 5 });
    const deltas: string[] = [];
    const result = await router.chat({ role: "coder", messages: ask, consent: yes, onDelta: (d) => deltas.push(d) });
    expect(result).toMatchObject({ text: "Plan: rename", provider: "anthropic", usage: { promptTokens: 77, completionTokens: 5 }, stopReason: "end_turn" });
    expect(deltas).toEqual(["Plan", ": rename"]);
    const body = fake.chatRequests()[0];
    expect(body.system).toBe("You are a careful engineer.");
    expect(body.messages).toEqual([{ role: "user", content: "Plan the rename." }]);
    expect(body.max_tokens).toBeGreaterThan(0);
    expect(fake.requests[0]!.headers["anthropic-version"]).toBe("2023-06-01");
  });

  it("carries a schema in the system prompt and unwraps a fenced JSON answer", async () => {
    const { fake, router } = await setup();
    fake.enqueueChat({ text: '```json\n{"summary":"s"}\n```' });
    const schema = { type: "object", properties: { summary: { type: "string" } } };
    const result = await router.chat({ role: "coder", messages: ask, consent: yes, format: schema });
    expect(JSON.parse(result.text)).toEqual({ summary: "s" });
    expect(fake.chatRequests()[0].system).toContain(JSON.stringify(schema));
  });

  it("aborts mid-stream", async () => {
    const { fake, router } = await setup();
    fake.enqueueChat({ chunks: ["a", "b"], stallAfterChunks: 1 });
    const controller = new AbortController();
    await expect(router.chat({ role: "coder", messages: ask, consent: yes, signal: controller.signal, onDelta: () => controller.abort() })).rejects.toMatchObject({ kind: "aborted" });
    await fake.waitFor((r) => r.aborted);
  });

  const failures: { name: string; reply?: object; model?: string; kind: string; retryable: boolean; message: RegExp }[] = [
    { name: "overloaded (HTTP 529)", reply: { error: "Overloaded", status: 529 }, kind: "http", retryable: true, message: /Anthropic is overloaded \(HTTP 529\)/ },
    { name: "an error event inside the stream", reply: { chunks: ["a"], error: "Overloaded" }, kind: "http", retryable: true, message: /overloaded_error/ },
    { name: "a cut stream", reply: { chunks: ["a", "b"], cutAfterChunks: 1 }, kind: "stream-cut", retryable: true, message: /closed the connection|stopped before/ },
    { name: "an unknown model", model: "claude-nope", kind: "model-missing", retryable: false, message: /does not have the model "claude-nope"/ },
  ];
  for (const f of failures) {
    it(`normalises ${f.name}`, async () => {
      const { fake, router } = await setup();
      if (f.reply) fake.enqueueChat(f.reply);
      const error = await router.chat({ role: "coder", messages: ask, consent: yes, model: f.model }).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: f.kind, retryable: f.retryable });
      expect((error as Error).message).toMatch(f.message);
    });
  }

  it("names ANTHROPIC_API_KEY when the key is refused", async () => {
    const fake = await startFakeAnthropic({ apiKey: "right" });
    fakes.push(fake);
    const router = cloudRouter("anthropic", fake.url, fake.port, { ANTHROPIC_API_KEY: "wrong" });
    await expect(router.chat({ role: "coder", messages: ask, consent: yes })).rejects.toMatchObject({
      kind: "config",
      message: expect.stringContaining("ANTHROPIC_API_KEY"),
    });
  });
});
