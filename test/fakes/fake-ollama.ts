/**
 * A fake Ollama server for tests: a real HTTP server on 127.0.0.1 that speaks Ollama's native API
 * the way the real one does (research/model-runtimes.md §1), so the `ollama` package and Burrow's
 * provider code are exercised exactly as they would be against a running Ollama.
 *
 * It keeps the state the real scheduler keeps (installed models, loaded models with their num_ctx,
 * requests in flight, unloads deferred until a model's requests finish) so hot-swap and context
 * tests can assert what Ollama would have done. Each test scripts the chat replies it needs and
 * reads back every request that arrived.
 *
 *   const fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
 *   fake.onChat((body) => ({ text: "hello" }));
 *   fake.enqueueChat({ chunks: ["a", "b"] }, { error: "boom", status: 500 });
 *   await fake.waitFor((r) => r.path === "/api/chat" && r.aborted);
 *   await fake.close();
 */
import type { ServerResponse } from "node:http";
import {
  chatScript,
  estimateTokens,
  cut,
  pause,
  sendJson,
  writeFlushed,
  startRecordingServer,
  tokenise,
  untilClientCloses,
  type ChatScript,
  type RecordedRequest,
} from "./recording-server.js";

export type { RecordedRequest } from "./recording-server.js";

/**
 * How the fake answers one chat (or generate) request. Fields combine: `{ text, delayMs }` waits
 * and then streams the text; `{ chunks, cutAfterChunks: 1 }` sends one chunk and drops the socket.
 */
export interface FakeReply {
  /** The whole answer; streamed word by word. */
  text?: string;
  /** The answer as exact stream pieces. */
  chunks?: string[];
  /** An object sent as the answer's JSON text (structured output). */
  json?: unknown;
  /** An error: with `status`, an HTTP error response; without, an `{"error"}` line inside a 200 stream. */
  error?: string;
  status?: number;
  /** Send nothing and keep the request open until the client aborts it. */
  hang?: boolean;
  /** Send this many content chunks, then destroy the connection without the final record. */
  cutAfterChunks?: number;
  /** Send this many content chunks, then keep the connection open, silent, until the client aborts. */
  stallAfterChunks?: number;
  /** Wait this long before the first byte (a cold load). */
  delayMs?: number;
  /** Wait this long between chunks. */
  chunkDelayMs?: number;
  /** Figures for the final record; by default estimated from the request (and capped at num_ctx). */
  promptEvalCount?: number;
  evalCount?: number;
  doneReason?: string;
}

export interface FakeModelSpec {
  name: string;
  /** Bytes on disk (and in memory when loaded). */
  size?: number;
  parameterSize?: string;
  quantization?: string;
  family?: string;
  /** The model's training context, reported by /api/show as `<arch>.context_length`. */
  contextLength?: number;
  capabilities?: string[];
}

export interface FakePullScript {
  /** Layers to report, each ticking from 0 to `total` in `ticks` steps. */
  layers?: { digest: string; total: number }[];
  ticks?: number;
  /** Fail with this message: with `status` as an HTTP error, otherwise as a line in the stream. */
  error?: string;
  status?: number;
  /** Emit this many progress records, then go silent until the client aborts. */
  stallAfterEvents?: number;
  /** Milliseconds between progress records. */
  tickDelayMs?: number;
}

export interface FakeOllamaOptions {
  models?: (string | FakeModelSpec)[];
  /** Models loaded at start. */
  loaded?: string[];
  version?: string;
  /**
   * How many /api/ps answers still list a model after it was unloaded (Ollama unloads
   * asynchronously; a hot-swap must poll until it is gone).
   */
  unloadLingersForPsPolls?: number;
  /** Total GPU memory: when loaded models exceed it, /api/ps reports part of them in CPU memory. */
  vramBytes?: number;
}

export interface LoadedModel {
  name: string;
  numCtx: number;
  size: number;
  /** Requests to this model that have not finished. */
  inFlight: number;
  /** An unload was asked while requests were in flight; it happens when they finish. */
  unloadPending: boolean;
  /** /api/ps answers left that will still show it after its unload. */
  lingeringPolls: number;
  gone: boolean;
}

/** One thing the fake scheduler did, in order: the hot-swap tests assert this sequence. */
export interface SchedulerEvent {
  kind: "load" | "reload" | "unload-requested" | "unloaded";
  model: string;
  numCtx?: number;
  /** For "unload-requested": how many requests to that model were in flight at that moment. */
  inFlight?: number;
  at: number;
}

export interface FakeOllama extends ChatScript<FakeReply> {
  url: string;
  port: number;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** The scheduler's history (loads, reloads, unloads). */
  events: SchedulerEvent[];
  onPull(handler: (name: string) => FakePullScript): void;
  /** Called before a load request (empty messages or prompt) is answered; the answer waits for it (a slow cold load). */
  onLoad(handler: (model: string, numCtx: number | undefined) => void | Promise<void>): void;
  /** Bodies of /api/chat requests that carried messages (not load/unload calls). */
  chatRequests(): any[];
  waitFor(predicate: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Resolves with the first scheduler event (already happened or still to come) the predicate accepts. */
  waitForEvent(predicate: (e: SchedulerEvent) => boolean, timeoutMs?: number): Promise<SchedulerEvent>;
  /** Models loaded right now, as /api/ps would list them (without consuming a linger poll). */
  loaded(): LoadedModel[];
  installed(): string[];
  addModel(spec: string | FakeModelSpec): void;
  removeModel(name: string): void;
  close(): Promise<void>;
}

const defaultSizes: Record<string, { size: number; parameterSize: string }> = {
  "0.5b": { size: 397_821_319, parameterSize: "494.03M" },
  "1.5b": { size: 986_061_892, parameterSize: "1.5B" },
  "3b": { size: 1_929_912_432, parameterSize: "3.1B" },
  "7b": { size: 4_683_087_332, parameterSize: "7.6B" },
  "14b": { size: 8_988_124_069, parameterSize: "14.8B" },
  "32b": { size: 19_851_349_856, parameterSize: "32.8B" },
};

/** Ollama treats a bare name as `name:latest`. */
export function canonicalModelName(name: string): string {
  const lastSegment = name.split("/").pop() ?? name;
  return lastSegment.includes(":") ? name : `${name}:latest`;
}

function completeSpec(spec: string | FakeModelSpec): Required<FakeModelSpec> {
  const s = typeof spec === "string" ? { name: spec } : spec;
  const tag = s.name.split(":")[1] ?? "latest";
  const guess = defaultSizes[tag] ?? { size: 4_000_000_000, parameterSize: "7B" };
  return {
    name: canonicalModelName(s.name),
    size: s.size ?? guess.size,
    parameterSize: s.parameterSize ?? guess.parameterSize,
    quantization: s.quantization ?? "Q4_K_M",
    family: s.family ?? "qwen2",
    contextLength: s.contextLength ?? 32768,
    capabilities: s.capabilities ?? ["completion", "tools", "insert"],
  };
}

function fakeDigest(name: string): string {
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return (h.toString(16).padStart(8, "0").repeat(8)).slice(0, 64);
}

export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const installed = new Map<string, Required<FakeModelSpec>>();
  for (const m of options.models ?? []) {
    const spec = completeSpec(m);
    installed.set(spec.name, spec);
  }
  const loadedModels = new Map<string, LoadedModel>();
  const events: SchedulerEvent[] = [];
  const chat = chatScript<FakeReply>(() => ({
    text: "Hello from the fake Ollama.",
  }));
  let pullHandler: (name: string) => FakePullScript = () => ({});
  let loadHandler: (model: string, numCtx: number | undefined) => void | Promise<void> = () => {};
  const version = options.version ?? "0.12.6";
  const linger = options.unloadLingersForPsPolls ?? 0;

  const defaultNumCtx = 4096;
  // Replaced by the server's notifier once it exists, so waiters see scheduler events as they happen.
  let notifyChange = () => {};
  const note = (event: SchedulerEvent) => {
    events.push(event);
    notifyChange();
  };

  function load(name: string, numCtx: number | undefined): LoadedModel {
    const spec = installed.get(name)!;
    const ctx = numCtx ?? defaultNumCtx;
    const existing = loadedModels.get(name);
    if (existing && !existing.gone && !existing.unloadPending) {
      if (existing.numCtx !== ctx) {
        existing.numCtx = ctx;
        note({ kind: "reload", model: name, numCtx: ctx, at: Date.now() });
      }
      return existing;
    }
    const fresh: LoadedModel = {
      name,
      numCtx: ctx,
      size: spec.size,
      inFlight: 0,
      unloadPending: false,
      lingeringPolls: 0,
      gone: false,
    };
    loadedModels.set(name, fresh);
    note({ kind: "load", model: name, numCtx: ctx, at: Date.now() });
    return fresh;
  }

  function requestUnload(name: string): void {
    const m = loadedModels.get(name);
    note({ kind: "unload-requested", model: name, inFlight: m?.inFlight ?? 0, at: Date.now() });
    if (!m || m.gone) return;
    if (m.inFlight > 0) {
      // The real scheduler defers the unload until the model's requests finish (sched.go expireRunner).
      m.unloadPending = true;
      return;
    }
    finishUnload(m);
  }

  function finishUnload(m: LoadedModel): void {
    m.unloadPending = false;
    m.gone = true;
    m.lingeringPolls = linger;
    note({ kind: "unloaded", model: m.name, at: Date.now() });
    if (linger === 0) loadedModels.delete(m.name);
  }

  function requestDone(m: LoadedModel, keepAliveZero: boolean): void {
    m.inFlight = Math.max(0, m.inFlight - 1);
    if (m.inFlight === 0 && (m.unloadPending || keepAliveZero)) finishUnload(m);
  }

  function psModels(consumePoll: boolean) {
    const out = [];
    let vramLeft = options.vramBytes ?? Number.POSITIVE_INFINITY;
    for (const m of loadedModels.values()) {
      if (m.gone) {
        if (m.lingeringPolls <= 0) {
          loadedModels.delete(m.name);
          continue;
        }
        if (consumePoll) m.lingeringPolls -= 1;
      }
      const spec = installed.get(m.name);
      const inVram = Math.max(0, Math.min(m.size, vramLeft));
      vramLeft -= inVram;
      out.push({
        name: m.name,
        model: m.name,
        size: m.size,
        digest: fakeDigest(m.name),
        details: {
          parent_model: "",
          format: "gguf",
          family: spec?.family ?? "qwen2",
          families: [spec?.family ?? "qwen2"],
          parameter_size: spec?.parameterSize ?? "7B",
          quantization_level: spec?.quantization ?? "Q4_K_M",
        },
        expires_at: new Date(Date.now() + 5 * 60_000).toISOString(),
        size_vram: inVram,
        context_length: m.numCtx,
      });
    }
    return out;
  }

  for (const name of options.loaded ?? []) {
    const canonical = canonicalModelName(name);
    if (installed.has(canonical)) load(canonical, undefined);
  }
  events.length = 0;

  const server = await startRecordingServer(async (req, res, record) => {
    const body = record.body ?? {};
    const route = `${record.method} ${record.path}`;
    switch (route) {
      case "GET /api/version":
        return sendJson(res, 200, { version });
      case "GET /":
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        res.end("Ollama is running");
        return;
      case "GET /api/tags":
        return sendJson(res, 200, {
          models: [...installed.values()].map((m) => ({
            name: m.name,
            model: m.name,
            modified_at: "2026-11-01T10:00:00.000000000Z",
            size: m.size,
            digest: fakeDigest(m.name),
            details: {
              parent_model: "",
              format: "gguf",
              family: m.family,
              families: [m.family],
              parameter_size: m.parameterSize,
              quantization_level: m.quantization,
            },
          })),
        });
      case "GET /api/ps":
        return sendJson(res, 200, { models: psModels(true) });
      case "POST /api/show": {
        const name = canonicalModelName(String(body.model ?? body.name ?? ""));
        const spec = installed.get(name);
        if (!spec) return sendJson(res, 404, { error: `model '${body.model ?? body.name}' not found` });
        return sendJson(res, 200, {
          license: "Apache License 2.0",
          modelfile: `FROM ${name}\n`,
          parameters: 'stop "<|im_start|>"\nstop "<|im_end|>"',
          template: "{{ .Prompt }}",
          details: {
            parent_model: "",
            format: "gguf",
            family: spec.family,
            families: [spec.family],
            parameter_size: spec.parameterSize,
            quantization_level: spec.quantization,
          },
          model_info: {
            "general.architecture": spec.family,
            "general.parameter_count": Math.round(parseFloat(spec.parameterSize) * 1e9),
            [`${spec.family}.context_length`]: spec.contextLength,
            [`${spec.family}.block_count`]: 28,
            [`${spec.family}.attention.head_count_kv`]: 4,
          },
          capabilities: spec.capabilities,
          modified_at: "2026-11-01T10:00:00.000000000Z",
        });
      }
      case "POST /api/chat":
      case "POST /api/generate":
        return answerModelRequest(res, record, body, record.path === "/api/chat");
      case "POST /api/pull":
        return answerPull(res, body);
      case "DELETE /api/delete": {
        const name = canonicalModelName(String(body.model ?? body.name ?? ""));
        if (!installed.delete(name)) return sendJson(res, 404, { error: `model '${body.model ?? body.name}' not found` });
        res.writeHead(200);
        res.end();
        return;
      }
      default:
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("404 page not found");
    }
  });

  notifyChange = server.notify;

  async function answerModelRequest(res: ServerResponse, record: RecordedRequest, body: any, isChat: boolean) {
    const name = canonicalModelName(String(body.model ?? ""));
    if (!installed.has(name)) {
      return sendJson(res, 404, { error: `model "${body.model}" not found, try pulling it first` });
    }
    const stream = body.stream !== false;
    const keepAliveZero = body.keep_alive === 0 || body.keep_alive === "0" || body.keep_alive === "0s";
    const emptyPrompt = isChat ? !Array.isArray(body.messages) || body.messages.length === 0 : !body.prompt;
    const stamp = () => new Date().toISOString();
    const base = (extra: object) =>
      isChat
        ? { model: body.model, created_at: stamp(), message: { role: "assistant", content: "" }, ...extra }
        : { model: body.model, created_at: stamp(), response: "", ...extra };

    if (emptyPrompt) {
      if (keepAliveZero) {
        requestUnload(name);
        return sendJson(res, 200, base({ done: true, done_reason: "unload" }));
      }
      await loadHandler(name, body.options?.num_ctx);
      if (res.destroyed) return;
      load(name, body.options?.num_ctx);
      return sendJson(res, 200, base({ done: true, done_reason: "load" }));
    }

    const loadedModel = load(name, body.options?.num_ctx);
    loadedModel.inFlight += 1;
    try {
      const reply = await chat.nextReply(body, record);
      await streamReply(res, body, reply, isChat, loadedModel.numCtx, stream);
    } finally {
      requestDone(loadedModel, keepAliveZero);
      record.finished = true;
      server.notify();
    }
  }

  async function streamReply(
    res: ServerResponse,
    body: any,
    reply: FakeReply,
    isChat: boolean,
    numCtx: number,
    stream: boolean,
  ): Promise<void> {
    if (reply.delayMs) await pause(res, reply.delayMs);
    if (res.destroyed) return;
    if (reply.hang) {
      await untilClientCloses(res);
      return;
    }
    if (reply.error !== undefined && reply.status !== undefined) {
      return sendJson(res, reply.status, { error: reply.error });
    }

    const pieces =
      reply.chunks ??
      tokenise(reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? (reply.error !== undefined ? "" : "ok")));
    const fullText = pieces.join("");
    const promptText = isChat
      ? (body.messages as { content?: string }[]).map((m) => m.content ?? "").join("\n")
      : String(body.prompt ?? "") + String(body.system ?? "");
    const promptEvalCount = reply.promptEvalCount ?? Math.min(estimateTokens(promptText), numCtx);
    const evalCount = reply.evalCount ?? pieces.length;
    const chunkOf = (text: string) =>
      isChat
        ? { model: body.model, created_at: new Date().toISOString(), message: { role: "assistant", content: text }, done: false }
        : { model: body.model, created_at: new Date().toISOString(), response: text, done: false };
    const final = {
      ...(isChat
        ? { model: body.model, created_at: new Date().toISOString(), message: { role: "assistant", content: "" } }
        : { model: body.model, created_at: new Date().toISOString(), response: "" }),
      done: true,
      done_reason: reply.doneReason ?? "stop",
      total_duration: 1_500_000_000,
      load_duration: 20_000_000,
      prompt_eval_count: promptEvalCount,
      prompt_eval_duration: 300_000_000,
      eval_count: evalCount,
      eval_duration: 1_000_000_000,
    };

    if (!stream) {
      if (reply.error !== undefined) return sendJson(res, 500, { error: reply.error });
      if (reply.cutAfterChunks !== undefined) {
        res.destroy();
        return;
      }
      if (reply.stallAfterChunks !== undefined) {
        await untilClientCloses(res);
        return;
      }
      const whole = isChat
        ? { ...final, message: { role: "assistant", content: fullText } }
        : { ...final, response: fullText };
      return sendJson(res, 200, whole);
    }

    res.writeHead(200, { "content-type": "application/x-ndjson", "transfer-encoding": "chunked" });
    const write = (obj: unknown) => writeFlushed(res, JSON.stringify(obj) + "\n");
    for (let i = 0; i < pieces.length; i++) {
      if (reply.cutAfterChunks !== undefined && i >= reply.cutAfterChunks) {
        await cut(res);
        return;
      }
      if (reply.stallAfterChunks !== undefined && i >= reply.stallAfterChunks) {
        await untilClientCloses(res);
        return;
      }
      if (res.destroyed) return;
      await write(chunkOf(pieces[i]!));
      if (reply.chunkDelayMs) await pause(res, reply.chunkDelayMs);
    }
    if (reply.cutAfterChunks !== undefined) {
      await cut(res);
      return;
    }
    if (reply.stallAfterChunks !== undefined) {
      await untilClientCloses(res);
      return;
    }
    if (reply.error !== undefined) {
      await write({ error: reply.error });
      res.end();
      return;
    }
    await write(final);
    res.end();
  }

  async function answerPull(res: ServerResponse, body: any) {
    const requested = String(body.model ?? body.name ?? "");
    const name = canonicalModelName(requested);
    const script = pullHandler(requested);
    if (script.error !== undefined && script.status !== undefined) {
      return sendJson(res, script.status, { error: script.error });
    }
    const digest = fakeDigest(name);
    const layers = script.layers ?? [
      { digest: `sha256:${digest}`, total: completeSpec(requested).size },
      { digest: `sha256:${fakeDigest(name + "template")}`, total: 1_482 },
    ];
    const ticks = script.ticks ?? 3;
    const events: object[] = [{ status: "pulling manifest" }];
    for (const layer of layers) {
      events.push({ status: `pulling ${layer.digest.slice(7, 19)}`, digest: layer.digest, total: layer.total });
      for (let t = 1; t <= ticks; t++) {
        events.push({
          status: `pulling ${layer.digest.slice(7, 19)}`,
          digest: layer.digest,
          total: layer.total,
          completed: Math.round((layer.total * t) / ticks),
        });
      }
    }
    if (script.error !== undefined) {
      events.push({ error: script.error });
    } else {
      events.push({ status: "verifying sha256 digest" }, { status: "writing manifest" }, { status: "removing unused layers" }, { status: "success" });
    }

    if (body.stream === false) {
      if (script.error !== undefined) return sendJson(res, 500, { error: script.error });
      installed.set(name, completeSpec(requested));
      return sendJson(res, 200, { status: "success" });
    }
    res.writeHead(200, { "content-type": "application/x-ndjson", "transfer-encoding": "chunked" });
    for (let i = 0; i < events.length; i++) {
      if (script.stallAfterEvents !== undefined && i >= script.stallAfterEvents) {
        await untilClientCloses(res);
        return;
      }
      if (res.destroyed) return;
      await writeFlushed(res, JSON.stringify(events[i]) + "\n");
      if (script.tickDelayMs) await pause(res, script.tickDelayMs);
    }
    if (script.error === undefined) installed.set(name, completeSpec(requested));
    res.end();
  }

  return {
    url: server.url,
    port: server.port,
    requests: server.requests,
    events,
    onChat: chat.onChat,
    enqueueChat: chat.enqueueChat,
    onPull(handler) {
      pullHandler = handler;
    },
    onLoad(handler) {
      loadHandler = handler;
    },
    chatRequests() {
      return server.requests
        .filter((r) => r.path === "/api/chat" && Array.isArray(r.body?.messages) && r.body.messages.length > 0)
        .map((r) => r.body);
    },
    waitFor: server.waitFor,
    waitForEvent(predicate, timeoutMs) {
      return server.waitUntil(() => events.find(predicate), timeoutMs, "matching scheduler event");
    },
    loaded() {
      return [...loadedModels.values()].filter((m) => !m.gone);
    },
    installed() {
      return [...installed.keys()];
    },
    addModel(spec) {
      const full = completeSpec(spec);
      installed.set(full.name, full);
    },
    removeModel(name) {
      installed.delete(canonicalModelName(name));
    },
    close: server.close,
  };
}
