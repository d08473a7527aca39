/**
 * Ollama, through its native API (`/api/*`) and the `ollama` package. Never through its
 * OpenAI-compatible `/v1` layer, which ignores `num_ctx` and `keep_alive`, the two settings that
 * decide whether a model fits and whether it stays loaded.
 *
 * Every chat streams (so a slow cold load only waits for the first byte, under our own timeout),
 * sends `options.num_ctx` explicitly (Ollama's default context is small and a different value
 * forces a reload), and sends `keep_alive` explicitly (an absent one silently keeps whatever an
 * earlier request set). The `ollama` package is handed the egress gate's fetch, so its requests are
 * checked and counted like every other.
 */
import { Ollama } from "ollama/browser";
import type { EgressContext, EgressGate } from "./egress.js";
import { httpStatusError, normaliseError, type ErrorScene } from "./errors.js";
import type { FetchLike, HttpTimeouts } from "./http-client.js";
import type { ManagedRuntime, ProviderChatRequest, ProviderChatResult } from "./provider.js";
import { ModelError, type LoadedModel, type ModelInfo, type PullProgress } from "./types.js";

export interface OllamaOptions {
  /** The base URL, e.g. http://127.0.0.1:11434 (already resolved from settings or OLLAMA_HOST). */
  baseUrl: string;
  gate: EgressGate;
  /** How long Ollama keeps a model loaded after a request: seconds, or a duration string like "30m". */
  keepAlive?: number | string;
  timeouts?: Partial<HttpTimeouts>;
}

/** Ollama's durations must carry a unit, except 0; a bare numeric string fails to parse there. */
export function normaliseKeepAlive(value: number | string | undefined): number | string {
  if (value === undefined) return "30m";
  if (typeof value === "number") return value;
  const trimmed = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  return trimmed;
}

export function createOllamaProvider(options: OllamaOptions): ManagedRuntime {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const keepAlive = normaliseKeepAlive(options.keepAlive);
  const contextLimits = new Map<string, number | undefined>();

  const scene = (model: string): ErrorScene => ({
    label: "Ollama",
    baseUrl,
    model,
    unreachableHint: "Start it with `ollama serve`, or set OLLAMA_HOST.",
    missingModelHint: `Install it with \`ollama pull ${model}\`.`,
  });

  /**
   * One client per call: `abort()` on a client aborts all its streams, and each call carries its
   * own egress context and cancellation signal.
   */
  function client(context: Omit<EgressContext, "provider">, signal?: AbortSignal, timeouts?: Partial<HttpTimeouts>): Ollama {
    const gated = options.gate.fetchFor({ ...context, provider: "ollama", timeouts: { ...options.timeouts, ...timeouts } });
    const fetch: FetchLike = async (input, init = {}) => {
      const signals = [init.signal, signal].filter((s): s is AbortSignal => !!s);
      const combined = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
      const response = await gated(input, { ...init, signal: combined });
      // The package prints non-JSON error bodies with console.log, which would corrupt the LSP
      // stream on stdout; hand it every error as JSON instead.
      if (!response.ok && !(response.headers.get("content-type") ?? "").includes("application/json")) {
        const text = (await response.text()).trim();
        return new Response(JSON.stringify({ error: text || `HTTP ${response.status}` }), {
          status: response.status,
          statusText: response.statusText,
          headers: { "content-type": "application/json" },
        });
      }
      return response;
    };
    return new Ollama({ host: baseUrl, fetch: fetch as typeof globalThis.fetch });
  }

  const admin = { ownerId: "burrow" };

  function translate(err: unknown, model: string): ModelError {
    if (err instanceof ModelError) return err;
    const e = err as { name?: string; status_code?: number; error?: string; message?: string };
    if (e?.name === "ResponseError" && typeof e.status_code === "number") {
      return httpStatusError(scene(model), e.status_code, e.error);
    }
    const message = typeof e?.message === "string" ? e.message : "";
    if (e instanceof Error && e.name === "Error") {
      if (/not found/i.test(message) && /model/i.test(message)) {
        return new ModelError("model-missing", `Ollama does not have the model "${model}" installed. Install it with \`ollama pull ${model}\`.`);
      }
      if (/Did not receive done or success response in stream/.test(message)) {
        return new ModelError("stream-cut", "Ollama's answer ended before its final record. Try again.", true);
      }
      // An {"error"} line inside a stream: the runner failed while answering.
      if (!("code" in e)) return new ModelError("http", `Ollama reported an error while answering: ${message}`, true);
    }
    return normaliseError(err, scene(model));
  }

  return {
    name: "ollama",
    label: "Ollama",
    protocol: "ollama",
    baseUrl,

    async chat(request: ProviderChatRequest): Promise<ProviderChatResult> {
      const ollama = client(request.egress, request.signal);
      const chatOptions: Record<string, number> = {};
      if (request.contextTokens) chatOptions.num_ctx = request.contextTokens;
      if (request.temperature !== undefined) chatOptions.temperature = request.temperature;
      let text = "";
      try {
        const stream = await ollama.chat({
          model: request.model,
          messages: request.messages,
          stream: true,
          keep_alive: keepAlive,
          options: chatOptions,
          ...(request.format ? { format: request.format } : {}),
        });
        for await (const part of stream) {
          const piece = part.message?.content ?? "";
          if (piece) {
            text += piece;
            request.onDelta?.(piece);
          }
          if (part.done) {
            return {
              text,
              usage: { promptTokens: part.prompt_eval_count ?? 0, completionTokens: part.eval_count ?? 0 },
              stopReason: part.done_reason || "stop",
            };
          }
        }
        throw new ModelError("stream-cut", "Ollama's answer ended before its final record. Try again.", true);
      } catch (err) {
        if (request.signal?.aborted) throw new ModelError("aborted", "The model request was cancelled.");
        throw translate(err, request.model);
      }
    },

    async probe(timeoutMs = 3000) {
      try {
        const answer = await client(admin, undefined, { firstByteMs: timeoutMs, stallMs: timeoutMs }).version();
        return { ok: true as const, version: answer.version };
      } catch (err) {
        return { ok: false as const, reason: translate(err, "").message };
      }
    },

    async listModels(): Promise<ModelInfo[]> {
      try {
        const ollama = client(admin);
        const [tags, ps] = await Promise.all([ollama.list(), ollama.ps().catch(() => ({ models: [] }))]);
        const loaded = new Set(ps.models.map((m) => m.name));
        return tags.models.map((m) => ({
          name: m.name,
          provider: "ollama",
          sizeBytes: m.size,
          parameterSize: m.details?.parameter_size || undefined,
          quantization: m.details?.quantization_level || undefined,
          loaded: loaded.has(m.name),
        }));
      } catch (err) {
        throw translate(err, "");
      }
    },

    async contextLimit(model: string) {
      if (contextLimits.has(model)) return contextLimits.get(model);
      try {
        const show = await client(admin).show({ model });
        const info = (show.model_info ?? {}) as unknown as Record<string, unknown>;
        const arch = info["general.architecture"];
        const limit = typeof arch === "string" ? info[`${arch}.context_length`] : undefined;
        const value = typeof limit === "number" && limit > 0 ? limit : undefined;
        contextLimits.set(model, value);
        return value;
      } catch (err) {
        const failure = translate(err, model);
        if (failure.kind === "model-missing") throw failure;
        // Without the model's own limit the hardware budget still caps the context.
        return undefined;
      }
    },

    async loadedModels(): Promise<LoadedModel[]> {
      try {
        const ps = await client(admin).ps();
        return ps.models.map((m) => ({
          name: m.name,
          sizeBytes: m.size,
          vramBytes: m.size_vram,
          contextTokens: (m as unknown as { context_length?: number }).context_length,
        }));
      } catch (err) {
        throw translate(err, "");
      }
    },

    async load(model: string, contextTokens: number) {
      try {
        await client(admin).chat({ model, messages: [], keep_alive: keepAlive, options: { num_ctx: contextTokens } });
      } catch (err) {
        throw translate(err, model);
      }
    },

    async unload(model: string) {
      try {
        await client(admin).chat({ model, messages: [], keep_alive: 0 });
      } catch (err) {
        const failure = translate(err, model);
        // Unloading a model that is not installed has nothing to do.
        if (failure.kind !== "model-missing") throw failure;
      }
    },

    pull: (model, onProgress, signal) => pullWithOllama(options, model, onProgress, signal),

    // Tags ending in `cloud` (such as `qwen3-coder:480b-cloud`) are answered by ollama.com: the
    // local server only relays them.
    forwardsTo: (model) => (/[:-]cloud$/i.test(model.trim()) ? "ollama.com" : undefined),
  };
}

/** Pull a model with progress (each layer's progress summed by digest); resolves when Ollama reports success. */
export async function pullWithOllama(
  options: OllamaOptions,
  model: string,
  onProgress: (progress: PullProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const gated = options.gate.fetchFor({ ownerId: "burrow models pull", provider: "ollama", timeouts: options.timeouts });
  const fetch: FetchLike = (input, init = {}) => {
    const signals = [init.signal, signal].filter((s): s is AbortSignal => !!s);
    return gated(input, { ...init, signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0] });
  };
  const ollama = new Ollama({ host: baseUrl, fetch: fetch as typeof globalThis.fetch });
  const layers = new Map<string, { total: number; completed: number }>();
  const scene: ErrorScene = {
    label: "Ollama",
    baseUrl,
    model,
    unreachableHint: "Start it with `ollama serve`, or set OLLAMA_HOST.",
    missingModelHint: `Check the name on https://ollama.com/library.`,
  };
  try {
    const stream = await ollama.pull({ model, stream: true });
    for await (const p of stream) {
      if (p.digest) {
        const previous = layers.get(p.digest);
        layers.set(p.digest, {
          total: p.total ?? previous?.total ?? 0,
          completed: p.completed ?? previous?.completed ?? 0,
        });
      }
      let total = 0;
      let completed = 0;
      for (const layer of layers.values()) {
        total += layer.total;
        completed += Math.min(layer.completed, layer.total);
      }
      onProgress({ status: p.status, completedBytes: completed, totalBytes: total, fraction: total > 0 ? completed / total : undefined });
      if (p.status === "success") return;
    }
  } catch (err) {
    if (signal?.aborted) throw new ModelError("aborted", `The download of ${model} was cancelled; running the pull again resumes it.`);
    const e = err as { name?: string; status_code?: number; error?: string; message?: string };
    if (e?.name === "ResponseError" && typeof e.status_code === "number") {
      throw new ModelError("http", `Ollama could not pull "${model}" (HTTP ${e.status_code}): ${e.error}.`, e.status_code >= 500);
    }
    if (err instanceof Error && err.name === "Error" && !("code" in err)) {
      throw new ModelError("http", `Ollama could not pull "${model}": ${err.message}.`, true);
    }
    throw normaliseError(err, scene);
  }
}
