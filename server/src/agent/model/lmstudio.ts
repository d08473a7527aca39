/**
 * LM Studio: chat through its OpenAI-compatible `/v1/chat/completions` (SSE), and model state,
 * loading and unloading through its native REST API (`/api/v1/models…` on LM Studio 0.4 and later,
 * `/api/v0/models` on 0.3.6 and later for state only).
 *
 * LM Studio loads a model on first use with its own default context ("just in time"), and ignores
 * a new context length for a model already loaded, so before a chat the model is loaded explicitly
 * with the context Burrow chose when it is not loaded yet.
 */
import type { EgressGate } from "./egress.js";
import { normaliseError, type ErrorScene } from "./errors.js";
import type { FetchLike, HttpTimeouts } from "./http-client.js";
import { chatCompletionBody, errorText, streamChatCompletion } from "./openai-compatible.js";
import type { ManagedRuntime, ProviderChatRequest } from "./provider.js";
import { ModelError, type LoadedModel, type ModelInfo, type PullProgress } from "./types.js";

export interface LmStudioOptions {
  baseUrl: string;
  gate: EgressGate;
  /** LM_API_TOKEN, when the server requires authentication. */
  apiToken?: string;
  timeouts?: Partial<HttpTimeouts>;
  /** Interval between download status polls (default 1 s; tests shorten it). */
  pullPollMs?: number;
}

interface V1Model {
  type?: string;
  key: string;
  display_name?: string;
  size_bytes?: number;
  params_string?: string;
  max_context_length?: number;
  quantization?: { name?: string } | string;
  loaded_instances?: { id: string; config?: { context_length?: number } }[];
}

interface V0Model {
  id: string;
  type?: string;
  state?: string;
  max_context_length?: number;
  quantization?: string;
}

export function createLmStudioProvider(options: LmStudioOptions): ManagedRuntime {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.apiToken) headers.authorization = `Bearer ${options.apiToken}`;

  const scene = (model: string): ErrorScene => ({
    label: "LM Studio",
    baseUrl,
    model,
    unreachableHint: "Start its server with `lms server start` (or the Developer tab in the app), or set lmstudio.host.",
    missingModelHint: `Download it in LM Studio or with \`lms get ${model}\`.`,
  });

  const adminFetch = (timeouts?: Partial<HttpTimeouts>): FetchLike =>
    options.gate.fetchFor({ ownerId: "burrow", provider: "lmstudio", timeouts: { ...options.timeouts, ...timeouts } });

  async function getJson(path: string, model = "", timeouts?: Partial<HttpTimeouts>): Promise<any> {
    try {
      const response = await adminFetch(timeouts)(`${baseUrl}${path}`, { headers });
      if (!response.ok) {
        throw new ModelError("http", `LM Studio answered ${path} with HTTP ${response.status}: ${(await errorText(response)) ?? "no details"}.`);
      }
      return await response.json();
    } catch (err) {
      throw normaliseError(err, scene(model));
    }
  }

  async function postJson(path: string, body: unknown, model: string): Promise<any> {
    try {
      const response = await adminFetch()(`${baseUrl}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
      if (!response.ok) {
        const detail = await errorText(response);
        if (response.status === 404 || /not found|no model/i.test(detail ?? "")) {
          throw new ModelError("model-missing", `LM Studio does not have the model "${model}". ${scene(model).missingModelHint}`);
        }
        throw new ModelError("http", `LM Studio could not ${path.endsWith("unload") ? "unload" : "load"} "${model}" (HTTP ${response.status}): ${detail ?? "no details"}.`);
      }
      return await response.json();
    } catch (err) {
      throw normaliseError(err, scene(model));
    }
  }

  /** Models through REST v1, or v0 on older LM Studio, in one shape. */
  async function models(): Promise<{ key: string; info: ModelInfo; instances: LoadedModel[]; instanceIds: string[] }[]> {
    let v1: { models?: V1Model[] } | undefined;
    try {
      v1 = await getJson("/api/v1/models");
    } catch (err) {
      if (err instanceof ModelError && err.kind === "unreachable") throw err;
    }
    if (v1?.models) {
      return v1.models
        .filter((m) => (m.type ?? "llm") === "llm" || m.type === "vlm")
        .map((m) => {
          const instances = m.loaded_instances ?? [];
          return {
            key: m.key,
            info: {
              name: m.key,
              provider: "lmstudio",
              sizeBytes: m.size_bytes,
              parameterSize: m.params_string,
              contextLength: m.max_context_length,
              quantization: typeof m.quantization === "string" ? m.quantization : m.quantization?.name,
              loaded: instances.length > 0,
            },
            instances: instances.map((i) => ({ name: m.key, sizeBytes: m.size_bytes, contextTokens: i.config?.context_length })),
            instanceIds: instances.map((i) => i.id),
          };
        });
    }
    const v0 = (await getJson("/api/v0/models")) as { data?: V0Model[] };
    return (v0.data ?? [])
      .filter((m) => m.type !== "embeddings")
      .map((m) => ({
        key: m.id,
        info: {
          name: m.id,
          provider: "lmstudio",
          contextLength: m.max_context_length,
          quantization: m.quantization,
          loaded: m.state === "loaded",
        },
        instances: m.state === "loaded" ? [{ name: m.id }] : [],
        instanceIds: m.state === "loaded" ? [m.id] : [],
      }));
  }

  const runtime: ManagedRuntime = {
    name: "lmstudio",
    label: "LM Studio",
    protocol: "lmstudio",
    baseUrl,

    async chat(request: ProviderChatRequest) {
      if (request.contextTokens) {
        // Load with our context when the model is not loaded; a JIT load would pick its own.
        const entry = (await models()).find((m) => m.key === request.model);
        if (!entry) {
          throw new ModelError("model-missing", `LM Studio does not have the model "${request.model}". ${scene(request.model).missingModelHint}`);
        }
        if (entry.instances.length === 0) await runtime.load(request.model, request.contextTokens);
      }
      const fetch = options.gate.fetchFor({ ...request.egress, provider: "lmstudio", timeouts: options.timeouts });
      return streamChatCompletion({
        url: `${baseUrl}/v1/chat/completions`,
        headers: options.apiToken ? { authorization: `Bearer ${options.apiToken}` } : {},
        body: chatCompletionBody(request, "json_schema"),
        fetch,
        signal: request.signal,
        onDelta: request.onDelta,
        scene: scene(request.model),
      });
    },

    async probe(timeoutMs = 3000) {
      try {
        const listing = await getJson("/api/v1/models", "", { firstByteMs: timeoutMs, stallMs: timeoutMs }).catch(async (err: unknown) => {
          if (err instanceof ModelError && err.kind === "unreachable") throw err;
          await getJson("/api/v0/models", "", { firstByteMs: timeoutMs, stallMs: timeoutMs });
          return { api: "REST v0" };
        });
        return { ok: true as const, version: (listing as { api?: string }).api ?? "REST v1" };
      } catch (err) {
        return { ok: false as const, reason: normaliseError(err, scene("")).message };
      }
    },

    async listModels() {
      return (await models()).map((m) => m.info);
    },

    async contextLimit(model) {
      return (await models()).find((m) => m.key === model)?.info.contextLength;
    },

    async loadedModels() {
      return (await models()).flatMap((m) => m.instances);
    },

    async load(model, contextTokens) {
      await postJson("/api/v1/models/load", { model, context_length: contextTokens }, model);
    },

    async unload(model) {
      const entry = (await models()).find((m) => m.key === model);
      for (const id of entry?.instanceIds ?? []) await postJson("/api/v1/models/unload", { instance_id: id }, model);
    },

    pull: (model, onProgress, signal) => downloadWithLmStudio(options, model, onProgress, signal, options.pullPollMs),
  };
  return runtime;
}

interface DownloadStatus {
  job_id?: string;
  status?: string;
  total_size_bytes?: number;
  downloaded_bytes?: number;
}

/**
 * Download a model into LM Studio (REST v1, LM Studio 0.4 and later): start the job, then poll its
 * status, since LM Studio reports download progress by polling rather than as a stream. `model` is
 * a catalogue id or a Hugging Face URL, as LM Studio accepts them.
 */
export async function downloadWithLmStudio(
  options: LmStudioOptions,
  model: string,
  onProgress: (progress: PullProgress) => void,
  signal?: AbortSignal,
  pollMs = 1000,
): Promise<void> {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.apiToken) headers.authorization = `Bearer ${options.apiToken}`;
  const fetch = options.gate.fetchFor({ ownerId: "burrow models pull", provider: "lmstudio", timeouts: options.timeouts });
  const scene: ErrorScene = {
    label: "LM Studio",
    baseUrl,
    model,
    unreachableHint: "Start its server with `lms server start` (or the Developer tab in the app), or set lmstudio.host.",
    missingModelHint: "Check the name in LM Studio's model catalogue.",
  };
  const call = async (path: string, init: RequestInit = {}): Promise<DownloadStatus> => {
    const response = await fetch(`${baseUrl}${path}`, { ...init, headers, signal });
    if (!response.ok) {
      const detail = await errorText(response);
      if (response.status === 404 && /\/download$/.test(path)) {
        throw new ModelError("http", `LM Studio could not download "${model}": ${detail ?? "it has no such model"}.`);
      }
      throw new ModelError("http", `LM Studio could not download "${model}" (HTTP ${response.status}): ${detail ?? "no details"}.`, response.status >= 500);
    }
    return (await response.json()) as DownloadStatus;
  };
  const report = (status: DownloadStatus) => {
    const total = status.total_size_bytes ?? 0;
    const done = status.status === "completed" || status.status === "already_downloaded" ? total : (status.downloaded_bytes ?? 0);
    onProgress({ status: status.status ?? "downloading", completedBytes: done, totalBytes: total, fraction: total > 0 ? done / total : undefined });
  };
  try {
    let status = await call("/api/v1/models/download", { method: "POST", body: JSON.stringify({ model }) });
    report(status);
    while (status.status === "downloading" || status.status === "paused") {
      if (!status.job_id) break;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, pollMs);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new DOMException("The download was cancelled.", "AbortError"));
        }, { once: true });
      });
      status = { job_id: status.job_id, ...(await call(`/api/v1/models/download/status/${encodeURIComponent(status.job_id)}`)) };
      report(status);
    }
    if (status.status === "failed") throw new ModelError("http", `LM Studio could not download "${model}"; its app shows why.`, true);
  } catch (err) {
    if (signal?.aborted) {
      throw new ModelError("aborted", `Stopped following the download of ${model}; LM Studio may continue it in the background.`);
    }
    throw normaliseError(err, scene);
  }
}
