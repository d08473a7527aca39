/**
 * A fake OpenAI-compatible server (chat completions over SSE, `/v1/models`), which also plays
 * LM Studio when given `lmstudio` models: its native REST endpoints for model state, load and unload
 * (`/api/v1/models…`, `/api/v0/models`) and its just-in-time loading on first chat.
 *
 * The cloud provider tests, the LM Studio tests and the egress tests run the real provider code
 * against it. Replies are scripted with the same `FakeReply` shape as the fake Ollama
 * (`promptEvalCount` / `evalCount` become `usage.prompt_tokens` / `usage.completion_tokens`).
 *
 *   const fake = await startFakeOpenAi({ apiKey: "sk-test", models: ["gpt-test"] });
 *   fake.enqueueChat({ text: "hi" });
 *   // provider base URL: `${fake.url}/v1`
 */
import type { ServerResponse } from "node:http";
import type { FakeReply } from "./fake-ollama.js";
import {
  chatScript,
  cut,
  estimateTokens,
  pause,
  sendJson,
  startRecordingServer,
  tokenise,
  untilClientCloses,
  writeFlushed,
  type ChatScript,
  type RecordedRequest,
} from "./recording-server.js";

export type { FakeReply } from "./fake-ollama.js";

export interface FakeLmStudioModel {
  key: string;
  sizeBytes?: number;
  maxContextLength?: number;
  paramsString?: string;
  /** Loaded at start, with this context length. */
  loadedWithContext?: number;
}

export interface FakeOpenAiOptions {
  /** Models the server accepts; any other gets a 404 model_not_found. Omit to accept every model. */
  models?: string[];
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Play LM Studio with these downloaded models. */
  lmstudio?: FakeLmStudioModel[];
  /** Without the v1 REST API (LM Studio before 0.4): only /api/v0/models answers. */
  lmstudioV0Only?: boolean;
  /** Models LM Studio can download (any name when absent); a download takes three status polls. */
  lmstudioCatalogue?: string[];
}

export interface LmStudioEvent {
  kind: "load" | "jit-load" | "unload";
  model: string;
  contextLength?: number;
  at: number;
}

export interface FakeOpenAi extends ChatScript<FakeReply> {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** LM Studio's model loads and unloads, in order. */
  events: LmStudioEvent[];
  chatRequests(): any[];
  waitFor(predicate: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** LM Studio models loaded now, with their context lengths. */
  loaded(): { key: string; contextLength: number }[];
  close(): Promise<void>;
}

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const chat = chatScript<FakeReply>(() => ({ text: "Hello from the fake server." }));
  const events: LmStudioEvent[] = [];
  const lmModels = new Map((options.lmstudio ?? []).map((m) => [m.key, m]));
  const instances = new Map<string, { key: string; contextLength: number }>();
  const downloads = new Map<string, { key: string; polls: number }>();
  let nextInstance = 1;
  for (const m of options.lmstudio ?? []) {
    if (m.loadedWithContext) instances.set(m.key, { key: m.key, contextLength: m.loadedWithContext });
  }

  const modelKnown = (model: string) => {
    if (options.lmstudio) return lmModels.has(model);
    return !options.models || options.models.includes(model);
  };

  const server = await startRecordingServer(async (req, res, record) => {
    const body = record.body ?? {};
    if (options.apiKey !== undefined && !record.path.startsWith("/api/")) {
      if (record.headers.authorization !== `Bearer ${options.apiKey}`) {
        return sendJson(res, 401, {
          error: { message: "Incorrect API key provided.", type: "invalid_request_error", param: null, code: "invalid_api_key" },
        });
      }
    }
    if (record.method === "POST" && record.path.endsWith("/chat/completions")) return answerChat(res, record, body);
    if (record.method === "GET" && record.path.endsWith("/models") && !record.path.startsWith("/api/")) {
      const ids = options.lmstudio ? [...lmModels.keys()] : (options.models ?? []);
      return sendJson(res, 200, { object: "list", data: ids.map((id) => ({ id, object: "model", owned_by: "fake" })) });
    }
    if (options.lmstudio) {
      if (record.method === "GET" && record.path === "/api/v1/models" && !options.lmstudioV0Only) {
        return sendJson(res, 200, {
          models: [...lmModels.values()].map((m) => {
            const instance = instances.get(m.key);
            return {
              type: "llm",
              publisher: "lmstudio-community",
              key: m.key,
              display_name: m.key,
              architecture: "qwen2",
              quantization: { name: "Q4_K_M", bits_per_weight: 4 },
              size_bytes: m.sizeBytes ?? 4_683_087_332,
              params_string: m.paramsString ?? "7B",
              loaded_instances: instance ? [{ id: instanceId(m.key), config: { context_length: instance.contextLength } }] : [],
              max_context_length: m.maxContextLength ?? 32768,
              format: "gguf",
              capabilities: { vision: false, trained_for_tool_use: true },
            };
          }),
        });
      }
      if (record.method === "GET" && record.path === "/api/v0/models") {
        return sendJson(res, 200, {
          object: "list",
          data: [...lmModels.values()].map((m) => ({
            id: m.key,
            object: "model",
            type: "llm",
            publisher: "lmstudio-community",
            arch: "qwen2",
            compatibility_type: "gguf",
            quantization: "Q4_K_M",
            state: instances.has(m.key) ? "loaded" : "not-loaded",
            max_context_length: m.maxContextLength ?? 32768,
          })),
        });
      }
      if (record.method === "POST" && record.path === "/api/v1/models/load" && !options.lmstudioV0Only) {
        const key = String(body.model ?? "");
        if (!lmModels.has(key)) return sendJson(res, 404, { error: { message: `Model "${key}" not found`, type: "model_not_found" } });
        const contextLength = Number(body.context_length ?? 4096);
        instances.set(key, { key, contextLength });
        events.push({ kind: "load", model: key, contextLength, at: Date.now() });
        server.notify();
        return sendJson(res, 200, { type: "llm", instance_id: instanceId(key), load_time_seconds: 1.5, status: "loaded" });
      }
      if (record.method === "POST" && record.path === "/api/v1/models/download" && !options.lmstudioV0Only) {
        const key = String(body.model ?? "");
        if (lmModels.has(key)) return sendJson(res, 200, { status: "already_downloaded" });
        if (options.lmstudioCatalogue && !options.lmstudioCatalogue.includes(key)) {
          return sendJson(res, 404, { error: { message: `No model named "${key}" in the catalogue` } });
        }
        const job = `job-${downloads.size + 1}`;
        downloads.set(job, { key, polls: 0 });
        return sendJson(res, 200, { job_id: job, status: "downloading", total_size_bytes: 3000, started_at: new Date().toISOString() });
      }
      if (record.method === "GET" && record.path.startsWith("/api/v1/models/download/status/") && !options.lmstudioV0Only) {
        const job = decodeURIComponent(record.path.slice("/api/v1/models/download/status/".length));
        const entry = downloads.get(job);
        if (!entry) return sendJson(res, 404, { error: { message: `No download job "${job}"` } });
        entry.polls += 1;
        if (entry.polls >= 3) {
          lmModels.set(entry.key, { key: entry.key, sizeBytes: 3000 });
          return sendJson(res, 200, { job_id: job, status: "completed", total_size_bytes: 3000, downloaded_bytes: 3000 });
        }
        return sendJson(res, 200, { job_id: job, status: "downloading", total_size_bytes: 3000, downloaded_bytes: entry.polls * 1000, bytes_per_second: 1000 });
      }
      if (record.method === "POST" && record.path === "/api/v1/models/unload" && !options.lmstudioV0Only) {
        const id = String(body.instance_id ?? "");
        const key = [...instances.keys()].find((k) => instanceId(k) === id);
        if (!key) return sendJson(res, 404, { error: { message: `No loaded model with instance id "${id}"` } });
        instances.delete(key);
        events.push({ kind: "unload", model: key, at: Date.now() });
        server.notify();
        return sendJson(res, 200, { instance_id: id });
      }
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: `Unexpected endpoint or method. (${record.method} ${record.path})` }));
  });

  function instanceId(key: string): string {
    return `${key}#${nextInstance}`;
  }

  async function answerChat(res: ServerResponse, record: RecordedRequest, body: any) {
    const model = String(body.model ?? "");
    if (!modelKnown(model)) {
      return sendJson(res, 404, {
        error: { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: "invalid_request_error", param: null, code: "model_not_found" },
      });
    }
    if (options.lmstudio && !instances.has(model)) {
      // Just-in-time loading with LM Studio's own default context.
      instances.set(model, { key: model, contextLength: 4096 });
      events.push({ kind: "jit-load", model, contextLength: 4096, at: Date.now() });
    }
    const reply = await chat.nextReply(body, record);
    if (reply.delayMs) await pause(res, reply.delayMs);
    if (res.destroyed) return;
    if (reply.hang) return untilClientCloses(res);
    if (reply.error !== undefined && reply.status !== undefined) {
      return sendJson(res, reply.status, { error: { message: reply.error, type: "server_error", param: null, code: null } });
    }
    const pieces = reply.chunks ?? tokenise(reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? ""));
    const promptText = (body.messages as { content?: string }[] | undefined)?.map((m) => m.content ?? "").join("\n") ?? "";
    const usage = {
      prompt_tokens: reply.promptEvalCount ?? estimateTokens(promptText),
      completion_tokens: reply.evalCount ?? pieces.length,
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const created = Math.floor(Date.now() / 1000);
    const base = { id: "chatcmpl-fake", object: "chat.completion.chunk", created, model, system_fingerprint: "fp_fake" };
    const finish = reply.doneReason ?? "stop";

    if (body.stream !== true) {
      return sendJson(res, 200, {
        id: "chatcmpl-fake",
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: pieces.join("") }, finish_reason: finish }],
        usage,
      });
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const send = (obj: unknown) => writeFlushed(res, `data: ${JSON.stringify(obj)}\n\n`);
    await send({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
    for (let i = 0; i < pieces.length; i++) {
      if (reply.cutAfterChunks !== undefined && i >= reply.cutAfterChunks) return cut(res);
      if (reply.stallAfterChunks !== undefined && i >= reply.stallAfterChunks) return untilClientCloses(res);
      if (res.destroyed) return;
      await send({ ...base, choices: [{ index: 0, delta: { content: pieces[i] }, finish_reason: null }] });
      if (reply.chunkDelayMs) await pause(res, reply.chunkDelayMs);
    }
    if (reply.cutAfterChunks !== undefined) return cut(res);
    if (reply.stallAfterChunks !== undefined) return untilClientCloses(res);
    if (reply.error !== undefined) {
      await send({ error: { message: reply.error, type: "server_error" } });
      res.end();
      return;
    }
    await send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }] });
    if (body.stream_options?.include_usage) await send({ ...base, choices: [], usage });
    await writeFlushed(res, "data: [DONE]\n\n");
    res.end();
  }

  return {
    url: server.url,
    port: server.port,
    requests: server.requests,
    events,
    onChat: chat.onChat,
    enqueueChat: chat.enqueueChat,
    chatRequests() {
      return server.requests.filter((r) => r.method === "POST" && r.path.endsWith("/chat/completions")).map((r) => r.body);
    },
    waitFor: server.waitFor,
    loaded() {
      return [...instances.values()];
    },
    close: server.close,
  };
}
