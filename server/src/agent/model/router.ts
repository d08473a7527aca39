/**
 * The model router: the one object the task pipeline, chat, the LSP commands and the terminal
 * commands use to reach a model. It decides which provider and model answer a request (settings,
 * per-task overrides, the hardware tier), sizes the context window, runs the hot-swap between the
 * chat and coder models, routes every byte through the egress gate, and turns every failure into a
 * `ModelError` a user can act on. It also offers the administration the commands need: listing and
 * pulling models, the doctor report, the recommendation and the egress ledger.
 */
import type { StateStore } from "../sandbox/types.js";
import type { Settings } from "../settings.js";
import { createAnthropicProvider } from "./anthropic.js";
import {
  cloudProvider,
  cloudProviders,
  DEFAULT_LMSTUDIO_HOST,
  DEFAULT_OLLAMA_HOST,
  findKey,
  knownProviderNames,
} from "./catalogue.js";
import { ContextSizer, estimateTokens, looksTruncated } from "./context-size.js";
import { buildDoctorReport, renderDoctorReport, type DoctorReport } from "./doctor.js";
import { createEgressGate, runtimeHost, type EgressGate, type LedgerEntry, type RuntimeHost } from "./egress.js";
import {
  detectHardware,
  estimateModelBytes,
  parameterBillions,
  recommend,
  sizeOfCoder,
  type HardwareReport,
  type HardwareSource,
  type Recommendation,
} from "./hardware.js";
import { HotSwap } from "./hot-swap.js";
import type { HttpTimeouts } from "./http-client.js";
import { createLmStudioProvider, downloadWithLmStudio } from "./lmstudio.js";
import { canonicalName } from "./names.js";
import { createOllamaProvider, pullWithOllama, type PullProgress } from "./ollama.js";
import { createOpenAiCompatibleProvider } from "./openai-compatible.js";
import { isLocalRuntime, type LoadedModel, type LocalRuntime, type Provider } from "./provider.js";
import {
  ModelError,
  type ChatRequest,
  type ChatResult,
  type ModelErrorKind,
  type ModelInfo,
  type ModelProgress,
  type ModelRole,
  type ModelRouter,
} from "./types.js";
import type { Outcome } from "../outcome.js";

export interface ModelRouterOptions {
  settings: Settings;
  env?: NodeJS.ProcessEnv;
  state?: StateStore;
  log?: (message: string) => void;
  /** The detected hardware; when absent it is detected (once) on first need. */
  hardware?: HardwareReport;
  /** Where detection reads from when `hardware` is absent (tests inject recordings). */
  hardwareSource?: HardwareSource;
  /** Egress knobs for tests: what counts as this machine, and whether plain http to other hosts is refused. */
  egress?: { isLocal?: (url: URL) => boolean; requireTls?: boolean };
  /** Overrides the timeouts from the settings. */
  timeouts?: Partial<HttpTimeouts>;
  /** How long the coder sits idle before the chat model is swapped back (default 15 s). */
  hotSwapIdleMs?: number;
  /** Interval between /api/ps polls while waiting for an unload (default 250 ms). */
  hotSwapPollMs?: number;
  /** Interval between LM Studio download status polls (default 1 s). */
  pullPollMs?: number;
  /** Told about every hot-swap step, whichever request caused it. */
  onProgress?: (event: ModelProgress) => void;
}

/** A local runtime as doctor and `models list` see it. */
export interface RuntimeStatus {
  name: "ollama" | "lmstudio";
  label: string;
  url: string;
  reachable: boolean;
  version?: string;
  /** Why it is not reachable, in words. */
  reason?: string;
  models: ModelInfo[];
  /** Models in memory now, with how much of each sits in GPU memory (Ollama reports it). */
  loaded: LoadedModel[];
}

export interface ModelAdmin {
  /** Models installed in every reachable local runtime; a refusal when none is reachable. */
  listModels(): Promise<Outcome<{ models: ModelInfo[]; runtimes: RuntimeStatus[] }>>;
  /** Download a model (into Ollama, or LM Studio when it is the provider), reporting progress (Ollama's summed over its layers). */
  pull(
    name: string,
    onProgress: (progress: PullProgress) => void,
    signal?: AbortSignal,
  ): Promise<{ ok: true; model: string } | { ok: false; reason: string; kind: ModelErrorKind }>;
  doctor(): Promise<{ report: DoctorReport; text: string }>;
  egressLedger(): Promise<LedgerEntry[]>;
  recommend(): Promise<Recommendation & { installed?: boolean }>;
  /** The hardware report (detected once, then cached). */
  hardware(): Promise<HardwareReport>;
  /** The runtimes, probed now. */
  runtimes(): Promise<RuntimeStatus[]>;
  /**
   * Is the local runtime a request with this role would go to running, and does it have the
   * model? Cloud providers are not probed (that would send a request before consent). LM Studio
   * loads downloaded models on demand, so only its reachability is checked.
   */
  preflight(
    role: ModelRole,
    overrides?: { provider?: string; model?: string },
  ): Promise<{ ok: true } | { ok: false; code: "runtime-unreachable" | "model-missing"; reason: string }>;
  dispose(): Promise<void>;
}

/** Settings Burrow reads beyond the shared schema's typed fields (documented in docs/configuration.md). */
interface ExtraSettings {
  timeouts?: { firstByteSeconds?: number; stallSeconds?: number };
  ollama?: { host?: string; keepAlive?: string | number };
}

/**
 * The context budget for cloud models. Their windows are far larger (128K to 1M tokens), but every
 * token of context is workspace text leaving the machine and paid for, so a task gets what a good
 * local setup would get unless `contextTokens` asks for more.
 */
const cloudContextBudget = 32_768;

export function createModelRouter(options: ModelRouterOptions): ModelRouter & ModelAdmin {
  const settings = options.settings;
  const extra = settings as Settings & ExtraSettings;
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});

  const timeouts: Partial<HttpTimeouts> = {
    ...(extra.timeouts?.firstByteSeconds ? { firstByteMs: extra.timeouts.firstByteSeconds * 1000 } : {}),
    ...(extra.timeouts?.stallSeconds ? { stallMs: extra.timeouts.stallSeconds * 1000 } : {}),
    ...options.timeouts,
  };

  const ollamaHost = runtimeHost(settings.ollama?.host ?? env.OLLAMA_HOST, "11434");
  const lmstudioHost = runtimeHost(settings.lmstudio?.host, "1234");
  const ollamaUrl = (ollamaHost?.url.href ?? DEFAULT_OLLAMA_HOST).replace(/\/+$/, "");
  const lmstudioUrl = (lmstudioHost?.url.href ?? DEFAULT_LMSTUDIO_HOST).replace(/\/+$/, "");

  const gate: EgressGate = createEgressGate({
    runtimeHosts: [ollamaHost, lmstudioHost].filter((h): h is RuntimeHost => !!h),
    state: options.state,
    log,
    isLocal: options.egress?.isLocal,
    requireTls: options.egress?.requireTls,
    timeouts,
  });

  const ollama = createOllamaProvider({ baseUrl: ollamaUrl, gate, keepAlive: extra.ollama?.keepAlive, timeouts });
  const lmstudio = createLmStudioProvider({ baseUrl: lmstudioUrl, gate, apiToken: env.LM_API_TOKEN, timeouts });
  const cloud = new Map<string, Provider>();
  const sizer = new ContextSizer();
  const swaps = new Map<string, HotSwap>();
  const modelLimits = new Map<string, number | undefined>();
  const parameterSizes = new Map<string, string | undefined>();
  const installedSizes = new Map<string, number | undefined>();
  /** When each model was last seen loaded or used; within `warmForMs` it is assumed still in memory. */
  const warmSince = new Map<string, number>();
  const warmForMs = 5 * 60_000;

  let hardwareReport: HardwareReport | undefined = options.hardware;
  let hardwarePending: Promise<HardwareReport> | undefined;
  function hardware(): Promise<HardwareReport> {
    if (hardwareReport) return Promise.resolve(hardwareReport);
    hardwarePending ??= detectHardware(options.hardwareSource).then((report) => {
      hardwareReport = report;
      log(`hardware: ${report.gpus.length} GPU(s), budget ${report.gpuBudgetBytes ?? "none"} (${report.detectedInMs} ms)`);
      return report;
    });
    return hardwarePending;
  }
  if (!hardwareReport) {
    // Start detection now so the first request does not wait for it.
    void hardware().catch((err: unknown) => log(`hardware: detection failed: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** The tier for the hardware as known now (the CPU tier until detection has finished). */
  function currentRecommendation(): Recommendation {
    const report: HardwareReport = hardwareReport ?? {
      platform: process.platform,
      arch: process.arch,
      gpus: [],
      memory: null,
      gpuBudgetBytes: null,
      budgetSource: "cpu",
      container: false,
      notes: [],
      detectedInMs: 0,
    };
    return recommend(report, settings);
  }

  function providerName(override?: string): string {
    const name = (override ?? settings.provider ?? "ollama").trim().toLowerCase();
    if (name === "lm-studio" || name === "lm studio") return "lmstudio";
    return name;
  }

  function providerFor(name: string): Provider {
    if (name === "ollama") return ollama;
    if (name === "lmstudio") return lmstudio;
    const existing = cloud.get(name);
    if (existing) return existing;
    const spec = cloudProvider(name);
    if (!spec) {
      throw new ModelError("config", `Burrow does not know the provider "${name}". Use one of: ${knownProviderNames().join(", ")}.`);
    }
    const key = findKey(spec, env);
    const baseUrl = settings.cloud?.[name]?.baseUrl ?? (spec.baseUrlVariable ? env[spec.baseUrlVariable] : undefined) ?? spec.baseUrl;
    const provider =
      spec.protocol === "anthropic"
        ? createAnthropicProvider({ baseUrl, apiKey: key?.value, keyVariable: spec.keyVariables[0]!, gate, timeouts })
        : createOpenAiCompatibleProvider({
            name,
            label: spec.label,
            baseUrl,
            apiKey: key?.value,
            keyVariable: spec.keyVariables[0],
            gate,
            timeouts,
            structuredOutput: name === "deepseek" || name === "groq" ? "json_object" : "json_schema",
            headers: name === "openrouter" ? { "x-title": "Burrow" } : undefined,
          });
    cloud.set(name, provider);
    return provider;
  }

  /** LM Studio names models by key, not by Ollama tag. */
  function lmstudioName(model: string): string {
    const size = sizeOfCoder(model);
    return size ? `qwen2.5-coder-${size}-instruct` : model;
  }

  function modelFor(role: ModelRole, provider: string, override?: string): string {
    // An Ollama-style coder tag (a retry "on qwen2.5-coder:7b") means the same model in LM Studio.
    if (override) return provider === "lmstudio" ? lmstudioName(override) : override;
    const spec = cloudProvider(provider);
    const configuredForProvider = provider === providerName() ? (role === "chat" ? (settings.models?.chat ?? settings.models?.coder) : settings.models?.coder) : undefined;
    if (spec) return settings.cloud?.[provider]?.model ?? configuredForProvider ?? spec.defaultModel;
    const model = configuredForProvider ?? currentRecommendation().model;
    return provider === "lmstudio" ? lmstudioName(model) : model;
  }

  /** The context budget: the contextTokens setting, or the tier's. */
  function contextBudget(): number {
    return settings.contextTokens ?? currentRecommendation().contextTokens;
  }

  function isRemoteProvider(provider: Provider, model?: string): boolean {
    if (!isLocalRuntime(provider)) return true;
    return gate.isRemote(new URL(provider.baseUrl)) || (model !== undefined && forwardedHost(provider, model) !== undefined);
  }

  /**
   * Ollama's cloud models (tags ending in `cloud`, such as `qwen3-coder:480b-cloud`) are answered
   * by ollama.com, not by this machine: the local server only relays them.
   */
  function forwardedHost(runtime: LocalRuntime, model: string): string | undefined {
    return runtime.name === "ollama" && /[:-]cloud$/i.test(model.trim()) ? "ollama.com" : undefined;
  }

  function hotSwapFor(runtime: LocalRuntime): HotSwap {
    const chatModel = modelFor("chat", runtime.name);
    const coderModel = modelFor("coder", runtime.name);
    const key = `${runtime.name}\n${chatModel}\n${coderModel}`;
    let swap = swaps.get(key);
    if (!swap) {
      swap = new HotSwap({
        runtime,
        chatModel,
        coderModel,
        // A cloud model takes no memory here, so there is nothing to swap around it.
        enabled: settings.hotSwap !== false && !forwardedHost(runtime, chatModel) && !forwardedHost(runtime, coderModel),
        contextFor: (model) => sizer.current(model, contextBudget(), modelLimits.get(model)),
        bothFit: async () => {
          const report = await hardware();
          const budget = report.gpuBudgetBytes ?? (report.memory ? report.memory.availableBytes * 0.8 : 0);
          if (installedSizes.size === 0) await refreshInstalled(runtime);
          const need =
            estimateModelBytes(chatModel, installedSizes.get(canonicalName(chatModel)), sizer.current(chatModel, contextBudget())) +
            estimateModelBytes(coderModel, installedSizes.get(canonicalName(coderModel)), sizer.current(coderModel, contextBudget()));
          const fit = budget > 0 && need <= budget;
          log(`hot-swap: ${chatModel} + ${coderModel} need about ${Math.round(need / 2 ** 20)} MiB of ${Math.round(budget / 2 ** 20)} MiB: ${fit ? "both fit, no swap" : "swapping"}`);
          return fit;
        },
        idleMs: options.hotSwapIdleMs,
        pollMs: options.hotSwapPollMs,
        onProgress: (event) => {
          const key = `${runtime.name}\n${canonicalName(event.model)}`;
          if (event.phase === "ready") warmSince.set(key, Date.now());
          if (event.phase === "unloading") warmSince.delete(key);
          options.onProgress?.(event);
        },
        log,
      });
      swaps.set(key, swap);
    }
    return swap;
  }

  async function refreshInstalled(runtime: LocalRuntime): Promise<ModelInfo[]> {
    const models = await runtime.listModels();
    for (const m of models) {
      installedSizes.set(canonicalName(m.name), m.sizeBytes);
      parameterSizes.set(canonicalName(m.name), m.parameterSize);
    }
    return models;
  }

  /** Enrich "model missing" with what is installed, so the user can pick one instead of pulling. */
  async function explainMissing(err: ModelError, runtime: LocalRuntime, role: ModelRole): Promise<ModelError> {
    if (err.kind !== "model-missing") return err;
    try {
      const installed = (await runtime.listModels()).map((m) => m.name);
      if (installed.length === 0) return err;
      return new ModelError(err.kind, `${err.message} Installed: ${installed.slice(0, 8).join(", ")}${installed.length > 8 ? ", …" : ""} (set models.${role} to use one).`, err.retryable);
    } catch {
      return err;
    }
  }

  async function chatLocal(runtime: LocalRuntime, role: ModelRole, model: string, request: ChatRequest): Promise<Omit<ChatResult, "durationMs">> {
    await hardware();
    let limit = modelLimits.get(model);
    if (!modelLimits.has(model)) {
      try {
        limit = await runtime.contextLimit(model);
        modelLimits.set(model, limit);
      } catch (err) {
        throw await explainMissing(err instanceof ModelError ? err : new ModelError("bad-response", String(err)), runtime, role);
      }
    }
    const promptTokens = estimateTokens(request.messages);
    const choice = sizer.size({ model, promptTokens, modelLimit: limit, budget: contextBudget() });
    if (!choice.ok) throw new ModelError("truncated", choice.reason);

    const configuredModels = [modelFor("chat", runtime.name), modelFor("coder", runtime.name)].map(canonicalName);
    const managed = !forwardedHost(runtime, model) && configuredModels.includes(canonicalName(model));
    const send = async () => {
      const onDelta = forwardedHost(runtime, model) ? request.onDelta : await announceColdLoad(runtime, model, request);
      return runtime.chat({
        model,
        messages: request.messages,
        format: request.format,
        onDelta,
        signal: request.signal,
        temperature: request.temperature,
        contextTokens: choice.contextTokens,
        egress: { ownerId: request.ownerId, files: request.files, consent: request.consent, forwardsTo: forwardedHost(runtime, model) },
      });
    };
    let result;
    try {
      result = managed ? await hotSwapFor(runtime).run(role, send, request.onProgress, request.signal) : await send();
    } catch (err) {
      throw err instanceof ModelError ? await explainMissing(err, runtime, role) : err;
    }
    warmSince.set(`${runtime.name}\n${canonicalName(model)}`, Date.now());
    if (
      looksTruncated({
        contextTokens: choice.contextTokens,
        answerRoom: choice.answerRoom,
        promptEvalCount: result.usage.promptTokens,
        estimatedPromptTokens: promptTokens,
      })
    ) {
      throw new ModelError(
        "truncated",
        `${runtime.label} read only ${result.usage.promptTokens} tokens of a prompt of about ${promptTokens} (the context window is ${choice.contextTokens}), so part of it was cut. Select less code or fewer files, or raise contextTokens if the machine has memory to spare.`,
      );
    }
    return { text: result.text, provider: runtime.name, model, usage: result.usage, stopReason: result.stopReason, contextTokens: choice.contextTokens };
  }

  /**
   * When the model is not in memory, say so before the wait (a cold load takes seconds on a GPU and
   * can take minutes on a CPU), and say how long it took once the first words arrive. Returns the
   * delta callback to use. Models used in the last few minutes are assumed still loaded.
   */
  async function announceColdLoad(runtime: LocalRuntime, model: string, request: ChatRequest): Promise<ChatRequest["onDelta"]> {
    const key = `${runtime.name}\n${canonicalName(model)}`;
    const lastUse = warmSince.get(key);
    if (lastUse !== undefined && Date.now() - lastUse < warmForMs) return request.onDelta;
    let loaded: boolean;
    try {
      loaded = (await runtime.loadedModels()).some((m) => canonicalName(m.name) === canonicalName(model));
    } catch {
      return request.onDelta;
    }
    if (loaded) {
      warmSince.set(key, Date.now());
      return request.onDelta;
    }
    const report = (event: ModelProgress) => {
      request.onProgress?.(event);
      options.onProgress?.(event);
    };
    const started = Date.now();
    report({ phase: "loading", model, message: `Loading ${model} into memory; the first answer waits for it…` });
    let announced = false;
    return (text: string) => {
      if (!announced) {
        announced = true;
        const durationMs = Date.now() - started;
        report({ phase: "ready", model, message: `${model} answered after ${(durationMs / 1000).toFixed(1)} s (loading included).`, durationMs });
      }
      request.onDelta?.(text);
    };
  }

  async function probeRuntimes(): Promise<RuntimeStatus[]> {
    const probeOne = async (runtime: LocalRuntime, name: "ollama" | "lmstudio"): Promise<RuntimeStatus> => {
      const probe = await runtime.probe();
      if (!probe.ok) return { name, label: runtime.label, url: runtime.baseUrl, reachable: false, reason: probe.reason, models: [], loaded: [] };
      let models: ModelInfo[] = [];
      let loaded: LoadedModel[] = [];
      try {
        [models, loaded] = await Promise.all([refreshInstalled(runtime), runtime.loadedModels()]);
      } catch (err) {
        log(`${name}: could not list models: ${err instanceof Error ? err.message : String(err)}`);
      }
      return { name, label: runtime.label, url: runtime.baseUrl, reachable: true, version: probe.version, models, loaded };
    };
    return Promise.all([probeOne(ollama, "ollama"), probeOne(lmstudio, "lmstudio")]);
  }

  const router: ModelRouter & ModelAdmin = {
    async chat(request: ChatRequest): Promise<ChatResult> {
      const started = Date.now();
      const name = providerName(request.provider);
      const provider = providerFor(name);
      const model = modelFor(request.role, name, request.model);
      if (request.signal?.aborted) throw new ModelError("aborted", "The model request was cancelled.");
      let result: Omit<ChatResult, "durationMs">;
      if (isLocalRuntime(provider)) {
        result = await chatLocal(provider, request.role, model, request);
      } else {
        const answer = await provider.chat({
          model,
          messages: request.messages,
          format: request.format,
          onDelta: request.onDelta,
          signal: request.signal,
          temperature: request.temperature,
          egress: { ownerId: request.ownerId, files: request.files, consent: request.consent },
        });
        result = { text: answer.text, provider: name, model, usage: answer.usage, stopReason: answer.stopReason };
      }
      const durationMs = Date.now() - started;
      log(
        `model: ${result.provider} ${result.model} answered in ${durationMs} ms (${result.usage.promptTokens} prompt tokens, ${result.usage.completionTokens} answer tokens${result.contextTokens ? `, num_ctx ${result.contextTokens}` : ""})`,
      );
      return { ...result, durationMs };
    },

    describe(role, overrides = {}) {
      const name = providerName(overrides.provider);
      const provider = providerFor(name);
      const model = modelFor(role, name, overrides.model);
      if (!isLocalRuntime(provider)) {
        return {
          provider: name,
          model,
          sizeB: parameterBillions(model),
          contextTokens: settings.contextTokens ?? cloudContextBudget,
          remote: true,
        };
      }
      const limit = modelLimits.get(model);
      return {
        provider: name,
        model,
        sizeB: parameterBillions(model, parameterSizes.get(canonicalName(model))),
        contextTokens: sizer.current(model, contextBudget(), limit),
        remote: isRemoteProvider(provider, model),
      };
    },

    async listModels() {
      const runtimes = await probeRuntimes();
      const reachable = runtimes.filter((r) => r.reachable);
      if (reachable.length === 0) {
        return {
          ok: false,
          reason: `No model runtime is running. ${runtimes.map((r) => r.reason).join(" ")}`,
        };
      }
      return { ok: true, models: reachable.flatMap((r) => r.models), runtimes };
    },

    async pull(name, onProgress, signal) {
      try {
        if (providerName() === "lmstudio") {
          await downloadWithLmStudio({ baseUrl: lmstudioUrl, gate, apiToken: env.LM_API_TOKEN, timeouts }, name, onProgress, signal, options.pullPollMs);
        } else {
          await pullWithOllama({ baseUrl: ollamaUrl, gate, timeouts }, name, onProgress, signal);
        }
        installedSizes.clear();
        return { ok: true, model: name };
      } catch (err) {
        const failure = err instanceof ModelError ? err : new ModelError("bad-response", String(err));
        return { ok: false, kind: failure.kind, reason: failure.message };
      }
    },

    async doctor() {
      const [report, runtimes] = await Promise.all([hardware(), probeRuntimes()]);
      const doctorReport = buildDoctorReport({
        hardware: report,
        recommendation: recommend(report, settings),
        hardwareRecommendation: recommend(report, {}),
        runtimes,
        provider: providerName(),
        coder: router.describe("coder"),
        chat: router.describe("chat"),
        hotSwap: settings.hotSwap !== false,
        cloud: cloudProviders.map((spec) => {
          const key = findKey(spec, env);
          return { name: spec.name, label: spec.label, keyVariable: key?.variable ?? spec.keyVariables[0]!, keyPresent: !!key, model: modelFor("coder", spec.name) };
        }),
        stateDir: options.state?.dir,
        ledgerEntries: (await gate.ledger()).length,
      });
      return { report: doctorReport, text: renderDoctorReport(doctorReport) };
    },

    egressLedger: () => gate.ledger(),

    async recommend() {
      const report = await hardware();
      const recommendation = recommend(report, settings);
      try {
        const installed = await refreshInstalled(ollama);
        return { ...recommendation, installed: installed.some((m) => canonicalName(m.name) === canonicalName(recommendation.model)) };
      } catch {
        return recommendation;
      }
    },

    hardware,
    runtimes: probeRuntimes,

    async preflight(role, overrides = {}) {
      const chosen = router.describe(role, overrides);
      if (chosen.provider !== "ollama" && chosen.provider !== "lmstudio") return { ok: true };
      const status = (await probeRuntimes()).find((r) => r.name === chosen.provider);
      if (!status) return { ok: true };
      if (!status.reachable) {
        return { ok: false, code: "runtime-unreachable", reason: status.reason ?? `${status.label} is not reachable at ${status.url}.` };
      }
      if (chosen.provider === "ollama" && !status.models.some((m) => canonicalName(m.name) === canonicalName(chosen.model))) {
        const installed = status.models.map((m) => m.name).slice(0, 5).join(", ");
        return {
          ok: false,
          code: "model-missing",
          reason: `The model ${chosen.model} is not installed in Ollama. Install it with \`ollama pull ${chosen.model}\`${installed ? `, or choose one that is installed (${installed})` : ""}.`,
        };
      }
      return { ok: true };
    },

    async dispose() {
      for (const swap of swaps.values()) swap.dispose();
    },
  };
  return router;
}
