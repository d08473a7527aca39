/**
 * The model router: the one object the task pipeline, chat, the LSP commands and the terminal
 * commands use to reach a model. It decides which provider and which model answer a request (the
 * settings, the request's overrides, the hardware tier) and sends it there: a cloud provider
 * directly, a local runtime with its context window sized, hot-swapped if need be, and with a
 * notice when the model must first be loaded. Every failure reaches the caller as a `ModelError`
 * a user can act on.
 *
 * The parts live beside it: the provider catalogue (catalogue.ts), the runtimes and what they hold
 * (runtimes.ts), the hardware (known-hardware.ts), context sizing (context-size.ts), hot-swap
 * (swap-policy.ts, hot-swap.ts), cold-load notices (cold-load.ts), and the administration the
 * commands need (admin.ts), which `createModelRouter` attaches to the router it returns.
 */
import type { StateStore } from "../sandbox/types.js";
import type { Settings } from "../settings.js";
import { createModelAdmin, type ModelAdmin } from "./admin.js";
import { canonicalProviderName, DEFAULT_PROVIDER, findKey, knownProviderNames, providerEntry, type CloudEntry, type ProviderContext } from "./catalogue.js";
import { ColdLoads } from "./cold-load.js";
import { CLOUD_CONTEXT_BUDGET, ContextSizer, estimateTokens, looksTruncated, truncatedError } from "./context-size.js";
import { createEgressGate, type EgressGate } from "./egress.js";
import { parameterBillions, type HardwareReport, type HardwareSource } from "./hardware.js";
import type { HttpTimeouts } from "./http-client.js";
import { KnownHardware } from "./known-hardware.js";
import { canonicalName } from "./names.js";
import { managesMemory, type LocalRuntime, type Provider } from "./provider.js";
import { configuredRuntimeHosts, Runtimes, type KnownRuntime } from "./runtimes.js";
import { SwapPolicy } from "./swap-policy.js";
import { ModelError, type ChatRequest, type ChatResult, type DescribedModel, type ModelOverrides, type ModelProgress, type ModelRole, type ModelRouter } from "./types.js";

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

/** A provider as a request reaches it: a local runtime with its entry, or a cloud service. */
type Chosen = { kind: "runtime"; known: KnownRuntime } | { kind: "cloud"; entry: CloudEntry; provider: Provider };

export function createModelRouter(options: ModelRouterOptions): ModelRouter & ModelAdmin {
  const settings = options.settings;
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});

  const timeouts: Partial<HttpTimeouts> = {
    ...(settings.timeouts?.firstByteSeconds ? { firstByteMs: settings.timeouts.firstByteSeconds * 1000 } : {}),
    ...(settings.timeouts?.stallSeconds ? { stallMs: settings.timeouts.stallSeconds * 1000 } : {}),
    ...options.timeouts,
  };

  const gate: EgressGate = createEgressGate({
    runtimeHosts: configuredRuntimeHosts(settings, env),
    state: options.state,
    log,
    isLocal: options.egress?.isLocal,
    requireTls: options.egress?.requireTls,
    timeouts,
  });
  const context: ProviderContext = { settings, env, gate, timeouts, pullPollMs: options.pullPollMs };
  const runtimes = new Runtimes(context, log);
  const clouds = new Map<string, Provider>();
  const hardware = new KnownHardware(options.hardware, options.hardwareSource, log);
  const sizer = new ContextSizer();
  const coldLoads = new ColdLoads(options.onProgress);
  const swaps = new SwapPolicy({
    hardware,
    runtimes,
    sizer,
    coldLoads,
    enabled: () => settings.hotSwap !== false,
    modelFor: (role, runtime) => modelFor(role, runtime),
    contextBudget,
    idleMs: options.hotSwapIdleMs,
    pollMs: options.hotSwapPollMs,
    onProgress: options.onProgress,
    log,
  });

  /** The catalogue name of the provider a request goes to: its own, else the settings', else the default. */
  function providerName(override?: string): string {
    return canonicalProviderName(override ?? settings.provider ?? DEFAULT_PROVIDER);
  }

  function choose(name: string): Chosen {
    const entry = providerEntry(name);
    if (!entry) {
      throw new ModelError("config", `Burrow does not know the provider "${name}". Use one of: ${knownProviderNames().join(", ")}.`);
    }
    if (entry.kind === "runtime") return { kind: "runtime", known: runtimes.get(entry.name)! };
    let provider = clouds.get(entry.name);
    if (!provider) {
      const baseUrl = settings.cloud?.[entry.name]?.baseUrl ?? (entry.baseUrlVariable ? env[entry.baseUrlVariable] : undefined) ?? entry.baseUrl;
      provider = entry.create({ entry, baseUrl, apiKey: findKey(entry, env)?.value, gate, timeouts });
      clouds.set(entry.name, provider);
    }
    return { kind: "cloud", entry, provider };
  }

  /** The model a role uses on a provider: the request's, the settings', or the hardware tier's. */
  function modelFor(role: ModelRole, provider: string, override?: string): string {
    const entry = providerEntry(provider);
    const inRuntimeTerms = (model: string) => (entry?.kind === "runtime" && entry.modelName ? entry.modelName(model) : model);
    // A coder tag in Ollama's form (a retry "on qwen2.5-coder:7b") means the same model in any runtime.
    if (override) return inRuntimeTerms(override);
    const configuredForProvider = provider === providerName() ? (role === "chat" ? (settings.models?.chat ?? settings.models?.coder) : settings.models?.coder) : undefined;
    if (entry?.kind === "cloud") return settings.cloud?.[provider]?.model ?? configuredForProvider ?? entry.defaultModel;
    return inRuntimeTerms(configuredForProvider ?? hardware.recommendation(settings).model);
  }

  /** The context budget: the contextTokens setting, or the tier's. */
  function contextBudget(): number {
    return settings.contextTokens ?? hardware.recommendation(settings).contextTokens;
  }

  function describe(role: ModelRole, overrides: ModelOverrides = {}): DescribedModel {
    const name = providerName(overrides.provider);
    const chosen = choose(name);
    const model = modelFor(role, name, overrides.model);
    if (chosen.kind === "cloud") {
      return { provider: name, model, sizeB: parameterBillions(model), contextTokens: settings.contextTokens ?? CLOUD_CONTEXT_BUDGET, remote: true };
    }
    const runtime = chosen.known.runtime;
    return {
      provider: name,
      model,
      sizeB: parameterBillions(model, runtimes.parameterSize(model)),
      contextTokens: sizer.current(model, contextBudget(), sizer.knownLimit(model)),
      remote: gate.isRemote(new URL(runtime.baseUrl)) || runtime.forwardsTo?.(model) !== undefined,
    };
  }

  async function chatLocal(runtime: LocalRuntime, role: ModelRole, model: string, request: ChatRequest): Promise<Omit<ChatResult, "durationMs">> {
    await hardware.report();
    let limit: number | undefined;
    try {
      limit = await sizer.limitOf(model, (m) => runtime.contextLimit(m));
    } catch (err) {
      throw await runtimes.explainMissing(err instanceof ModelError ? err : new ModelError("bad-response", String(err)), runtime, role);
    }
    const promptTokens = estimateTokens(request.messages);
    const choice = sizer.size({ model, promptTokens, modelLimit: limit, budget: contextBudget() });
    if (!choice.ok) throw new ModelError("truncated", choice.reason);

    const forwardsTo = runtime.forwardsTo?.(model);
    const configuredModels = [modelFor("chat", runtime.name), modelFor("coder", runtime.name)].map(canonicalName);
    // Only the configured pair is swapped; a model named for one request runs beside them.
    const swap = managesMemory(runtime) && !forwardsTo && configuredModels.includes(canonicalName(model)) ? swaps.swapFor(runtime) : undefined;
    const send = async () => {
      const onDelta = forwardsTo ? request.onDelta : await coldLoads.announce(runtime, model, request);
      return runtime.chat({
        model,
        messages: request.messages,
        format: request.format,
        onDelta,
        signal: request.signal,
        temperature: request.temperature,
        contextTokens: choice.contextTokens,
        egress: { ownerId: request.ownerId, files: request.files, consent: request.consent, forwardsTo },
      });
    };
    let result;
    try {
      result = swap ? await swap.run(role, send, request.onProgress, request.signal) : await send();
    } catch (err) {
      throw err instanceof ModelError ? await runtimes.explainMissing(err, runtime, role) : err;
    }
    coldLoads.markWarm(runtime.name, model);
    const truncated = looksTruncated({
      contextTokens: choice.contextTokens,
      answerRoom: choice.answerRoom,
      promptEvalCount: result.usage.promptTokens,
      estimatedPromptTokens: promptTokens,
    });
    if (truncated) throw truncatedError(runtime.label, result.usage.promptTokens, promptTokens, choice.contextTokens);
    return { text: result.text, provider: runtime.name, model, usage: result.usage, stopReason: result.stopReason, contextTokens: choice.contextTokens };
  }

  const router: ModelRouter = {
    async chat(request: ChatRequest): Promise<ChatResult> {
      const started = Date.now();
      const name = providerName(request.provider);
      const chosen = choose(name);
      const model = modelFor(request.role, name, request.model);
      if (request.signal?.aborted) throw new ModelError("aborted", "The model request was cancelled.");
      let result: Omit<ChatResult, "durationMs">;
      if (chosen.kind === "runtime") {
        result = await chatLocal(chosen.known.runtime, request.role, model, request);
      } else {
        const answer = await chosen.provider.chat({
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
    describe,
  };

  const admin = createModelAdmin({
    settings,
    env,
    stateDir: options.state?.dir,
    gate,
    hardware,
    runtimes,
    provider: () => providerName(),
    describe,
    modelFor: (role, provider) => modelFor(role, provider),
    dispose: async () => swaps.dispose(),
  });
  return { ...router, ...admin };
}
