/**
 * The small pieces under the providers: the SSE reader (split chunks, CRLF, multi-line data,
 * comments), the node:http fetch (streaming body, abort before and during the body, both timeouts,
 * a cut body, byte counts), context sizing (steps, stability, caps, refusals, the truncation rule),
 * runtime host parsing and key lookup.
 */
import { describe, expect, it } from "vitest";
import { cloudProvider, findKey } from "../../../server/src/agent/model/catalogue.js";
import { ContextSizer, estimateTokens, looksTruncated } from "../../../server/src/agent/model/context-size.js";
import { parseRuntimeHost, runtimeHost } from "../../../server/src/agent/model/egress.js";
import { httpFetch, HttpCutError, HttpTimeoutError, type ExchangeTally } from "../../../server/src/agent/model/http-client.js";
import { readSse } from "../../../server/src/agent/model/sse.js";
import { cut, startRecordingServer, untilClientCloses, writeFlushed } from "../../fakes/recording-server.js";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
}

async function events(chunks: string[]) {
  const out = [];
  for await (const e of readSse(streamOf(chunks))) out.push(e);
  return out;
}

describe("SSE reader", () => {
  const cases: { name: string; chunks: string[]; expected: { event: string; data: string }[] }[] = [
    { name: "plain data events", chunks: ["data: a\n\ndata: b\n\n"], expected: [{ event: "message", data: "a" }, { event: "message", data: "b" }] },
    { name: "named events split across chunks", chunks: ["event: ping\nda", "ta: {\"x\"", ":1}\n", "\n"], expected: [{ event: "ping", data: '{"x":1}' }] },
    { name: "CRLF line ends", chunks: ["data: a\r\n\r\ndata: b\r", "\n\r\n"], expected: [{ event: "message", data: "a" }, { event: "message", data: "b" }] },
    { name: "multi-line data and comments", chunks: [": keep-alive\ndata: one\ndata: two\n\n"], expected: [{ event: "message", data: "one\ntwo" }] },
    { name: "a last event without its blank line", chunks: ["data: [DONE]"], expected: [{ event: "message", data: "[DONE]" }] },
    { name: "no space after the colon", chunks: ["data:x\n\n"], expected: [{ event: "message", data: "x" }] },
  ];
  for (const c of cases) it(c.name, async () => expect(await events(c.chunks)).toEqual(c.expected));
});

describe("HTTP client on node:http", () => {
  it("streams the body as it arrives and counts bytes both ways", async () => {
    let release!: () => void;
    const second = new Promise<void>((r) => (release = r));
    const server = await startRecordingServer(async (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      await writeFlushed(res, "first ");
      await second;
      res.end("second");
    });
    try {
      const tallies: ExchangeTally[] = [];
      const response = await httpFetch(`${server.url}/x`, { method: "POST", body: "hello" }, { onDone: (t) => tallies.push(t) });
      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toBe("first ");
      release();
      const rest = await reader.read();
      expect(new TextDecoder().decode(rest.value)).toBe("second");
      expect((await reader.read()).done).toBe(true);
      expect(tallies).toEqual([expect.objectContaining({ bytesSent: 5, bytesReceived: 12, status: 200, outcome: "complete" })]);
      expect(server.requests[0]!.body).toBe("hello");
    } finally {
      await server.close();
    }
  });

  it("aborts before the headers and during the body, and the server sees both", async () => {
    const server = await startRecordingServer(async (req, res) => {
      if (req.url === "/body") await writeFlushed(res.writeHead(200) && res, "part");
      await untilClientCloses(res);
    });
    try {
      const early = new AbortController();
      const pending = httpFetch(`${server.url}/headers`, { signal: early.signal });
      await server.waitFor((r) => r.path === "/headers");
      early.abort();
      await expect(pending).rejects.toMatchObject({ name: "AbortError" });
      await server.waitFor((r) => r.path === "/headers" && r.aborted);

      const late = new AbortController();
      const response = await httpFetch(`${server.url}/body`, { signal: late.signal });
      const reader = response.body!.getReader();
      await reader.read();
      late.abort();
      await expect(reader.read()).rejects.toMatchObject({ name: "AbortError" });
      await server.waitFor((r) => r.path === "/body" && r.aborted);
    } finally {
      await server.close();
    }
  });

  it("times out waiting for the first byte, and when the body stalls", async () => {
    const server = await startRecordingServer(async (req, res) => {
      if (req.url === "/stall") await writeFlushed(res.writeHead(200) && res, "part");
      await untilClientCloses(res);
    });
    try {
      await expect(httpFetch(`${server.url}/first`, {}, { timeouts: { firstByteMs: 50, stallMs: 0 } })).rejects.toBeInstanceOf(HttpTimeoutError);
      const response = await httpFetch(`${server.url}/stall`, {}, { timeouts: { firstByteMs: 0, stallMs: 300 } });
      const reader = response.body!.getReader();
      await reader.read();
      const error = await reader.read().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpTimeoutError);
      expect((error as HttpTimeoutError).phase).toBe("stall");
    } finally {
      await server.close();
    }
  });

  it("reports a body cut in the middle as a cut, not as an unreachable server", async () => {
    const server = await startRecordingServer(async (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      await writeFlushed(res, "half");
      await cut(res);
    });
    try {
      const response = await httpFetch(server.url);
      await expect(response.text()).rejects.toSatisfy((e: unknown) => e instanceof HttpCutError || (e as Error).cause instanceof HttpCutError);
    } finally {
      await server.close();
    }
  });

  it("refuses an unreachable address with the connection error", async () => {
    await expect(httpFetch("http://127.0.0.1:9/")).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});

describe("context sizing", () => {
  it("rounds up to steps, never goes down for a model, and respects the caps", () => {
    const sizer = new ContextSizer();
    const a = sizer.size({ model: "m", promptTokens: 500, budget: 32768, modelLimit: 32768 });
    expect(a).toMatchObject({ ok: true, contextTokens: 8192 });
    const b = sizer.size({ model: "m", promptTokens: 9000, budget: 32768, modelLimit: 32768 });
    expect(b).toMatchObject({ ok: true, contextTokens: 16384 });
    const c = sizer.size({ model: "m", promptTokens: 500, budget: 32768, modelLimit: 32768 });
    expect(c).toMatchObject({ ok: true, contextTokens: 16384 });
    expect(sizer.current("m", 32768)).toBe(16384);
    expect(sizer.size({ model: "small", promptTokens: 3000, budget: 32768, modelLimit: 4096 })).toMatchObject({ ok: true, contextTokens: 4096 });
  });

  it("uses the whole cap when only that fits, and refuses a prompt that cannot fit", () => {
    const sizer = new ContextSizer();
    expect(sizer.size({ model: "m", promptTokens: 7000, budget: 8192 })).toMatchObject({ ok: true, contextTokens: 8192, answerRoom: 1192 });
    const refused = sizer.size({ model: "m", promptTokens: 7500, budget: 8192 });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toMatch(/about 7500 tokens.*8192 tokens.*raise contextTokens/);
    const byModel = sizer.size({ model: "n", promptTokens: 5000, budget: 32768, modelLimit: 4096 });
    expect(!byModel.ok && byModel.reason).toMatch(/n's limit is 4096 tokens.*larger context/);
  });

  it("estimates generously: at least one token per 3.2 characters, plus each message's framing", () => {
    expect(estimateTokens([{ role: "user", content: "x".repeat(3200) }])).toBeGreaterThanOrEqual(1004);
    expect(estimateTokens([{ role: "user", content: "a" }, { role: "assistant", content: "b" }])).toBe(10);
  });

  const truncation: [string, Parameters<typeof looksTruncated>[0], boolean][] = [
    ["the runtime read a full window of a larger prompt", { contextTokens: 8192, answerRoom: 1024, promptEvalCount: 7300, estimatedPromptTokens: 9000 }, true],
    ["a prompt that filled the window to the brim", { contextTokens: 8192, answerRoom: 3000, promptEvalCount: 8192, estimatedPromptTokens: 5000 }, true],
    ["a normal prompt", { contextTokens: 8192, answerRoom: 3000, promptEvalCount: 5100, estimatedPromptTokens: 5000 }, false],
    ["a cached prefix (few tokens evaluated)", { contextTokens: 8192, answerRoom: 3000, promptEvalCount: 40, estimatedPromptTokens: 5000 }, false],
    ["no figure from the runtime", { contextTokens: 8192, answerRoom: 3000, promptEvalCount: 0, estimatedPromptTokens: 5000 }, false],
  ];
  for (const [name, input, expected] of truncation) it(`truncation: ${name}`, () => expect(looksTruncated(input)).toBe(expected));
});

describe("runtime hosts and keys", () => {
  const hosts: [string, string, boolean][] = [
    ["127.0.0.1:11434", "http://127.0.0.1:11434", false],
    [":11500", "http://127.0.0.1:11500", false],
    ["0.0.0.0", "http://127.0.0.1:11434", false],
    ["http://gpu-box:11434/", "http://gpu-box:11434", true],
    ["https://ollama.example.com", "https://ollama.example.com", false],
    ["gpu-box", "http://gpu-box:11434", false],
  ];
  for (const [raw, url, plain] of hosts) {
    it(`reads the host "${raw}"`, () => {
      expect(parseRuntimeHost(raw)!.href.replace(/\/$/, "")).toBe(url);
      expect(runtimeHost(raw, "11434")!.plainHttpAllowed).toBe(plain);
    });
  }

  it("finds keys by variable, in order, ignoring blanks", () => {
    const together = cloudProvider("together")!;
    expect(findKey(together, { TOGETHER_AI_API_KEY: "legacy" })).toEqual({ variable: "TOGETHER_AI_API_KEY", value: "legacy" });
    expect(findKey(together, { TOGETHER_API_KEY: " ", TOGETHER_AI_API_KEY: "legacy" })?.variable).toBe("TOGETHER_AI_API_KEY");
    expect(findKey(cloudProvider("openai")!, {})).toBeUndefined();
  });
});
