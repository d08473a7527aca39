/**
 * Hot-swap: a chat model and a coder model sharing one GPU that cannot hold both.
 *
 * Before a coder request, the chat model is unloaded (Ollama `keep_alive: 0`, LM Studio's REST
 * unload), the runtime is polled until it no longer lists the model (Ollama unloads asynchronously),
 * and the coder is preloaded with the very context window its requests will use (a different one
 * would make Ollama load it a second time). Once the coder has been idle for a moment, the swap runs
 * the other way. Ollama would evict a model on its own when memory runs short, but doing it here
 * makes the timing predictable, frees memory before the large load (avoiding a partial CPU offload),
 * and lets the user see what is happening.
 *
 * Two rules are kept by construction: a model is never unloaded while a request to it is in flight
 * (the swap waits for them to finish, and requests for the model being swapped out wait for the
 * swap), and nothing swaps when both models fit together or when `hotSwap` is false.
 */
import { canonicalName } from "./names.js";
import type { LocalRuntime } from "./provider.js";
import type { ModelProgress, ModelRole } from "./types.js";

export interface HotSwapOptions {
  runtime: LocalRuntime;
  chatModel: string;
  coderModel: string;
  /** The context window a model is (or will be) used with, so the preload matches the requests. */
  contextFor: (model: string) => number;
  /** Whether both models fit in memory together (then nothing is swapped). Asked once. */
  bothFit: () => Promise<boolean>;
  enabled: boolean;
  /** How long the coder must sit idle before the chat model comes back. */
  idleMs?: number;
  /** Interval between polls of the loaded models while waiting for an unload. */
  pollMs?: number;
  /** Give up waiting for an unload after this long (the runtime will evict it itself if it must). */
  unloadWaitMs?: number;
  onProgress?: (event: ModelProgress) => void;
  log?: (message: string) => void;
}

type Counts = Record<ModelRole, number>;

export class HotSwap {
  private active: ModelRole | null = null;
  private readonly inFlight: Counts = { chat: 0, coder: 0 };
  private switching: Promise<void> | null = null;
  private fits: Promise<boolean> | undefined;
  private swapBackTimer: NodeJS.Timeout | undefined;
  private readonly idleWaiters: Record<ModelRole, (() => void)[]> = { chat: [], coder: [] };
  private disposed = false;
  /** Completed swaps, newest last, with their timings (doctor and tests read these). */
  readonly history: { to: ModelRole; unloadMs: number; loadMs: number; at: number }[] = [];

  constructor(private readonly options: HotSwapOptions) {}

  /** Whether this pair of models is managed at all. */
  get managed(): boolean {
    return this.options.enabled && canonicalName(this.options.chatModel) !== canonicalName(this.options.coderModel);
  }

  modelOf(role: ModelRole): string {
    return role === "coder" ? this.options.coderModel : this.options.chatModel;
  }

  /** Run a request for `role`'s model once that model is the one loaded. */
  async run<T>(role: ModelRole, request: () => Promise<T>, onProgress?: (event: ModelProgress) => void): Promise<T> {
    if (!this.managed) return request();
    this.fits ??= this.options.bothFit().catch(() => false);
    if (await this.fits) return request();

    clearTimeout(this.swapBackTimer);
    for (;;) {
      if (this.switching) {
        await this.switching.catch(() => undefined);
        continue;
      }
      if (this.active === role) {
        this.inFlight[role] += 1;
        break;
      }
      const other: ModelRole = role === "coder" ? "chat" : "coder";
      if (this.inFlight[other] > 0) {
        await new Promise<void>((resolve) => this.idleWaiters[other].push(resolve));
        continue;
      }
      const swap = this.swapTo(role, onProgress);
      this.switching = swap;
      try {
        await swap;
        // Claimed in the same step as the swap finished, so a waiter for the other model cannot swap back first.
        this.inFlight[role] += 1;
        break;
      } finally {
        this.switching = null;
      }
    }

    try {
      return await request();
    } finally {
      this.inFlight[role] -= 1;
      if (this.inFlight[role] === 0) {
        for (const wake of this.idleWaiters[role].splice(0)) wake();
        if (role === "coder") this.scheduleSwapBack();
      }
    }
  }

  private scheduleSwapBack(): void {
    clearTimeout(this.swapBackTimer);
    if (this.disposed) return;
    this.swapBackTimer = setTimeout(() => {
      if (this.disposed || this.switching || this.active !== "coder" || this.inFlight.coder > 0) return;
      const swap = this.swapTo("chat", undefined);
      this.switching = swap;
      swap
        .catch((err: unknown) => this.options.log?.(`hot-swap: could not bring the chat model back: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          if (this.switching === swap) this.switching = null;
        });
    }, this.options.idleMs ?? 15_000);
    this.swapBackTimer.unref?.();
  }

  /** Wait for a pending swap back to finish (tests and shutdown use this). */
  async settle(): Promise<void> {
    while (this.switching) await this.switching.catch(() => undefined);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.swapBackTimer);
  }

  private async swapTo(role: ModelRole, onProgress: ((event: ModelProgress) => void) | undefined): Promise<void> {
    const runtime = this.options.runtime;
    const target = this.modelOf(role);
    const other = this.modelOf(role === "coder" ? "chat" : "coder");
    const report = (event: ModelProgress) => {
      onProgress?.(event);
      this.options.onProgress?.(event);
    };
    const loaded = await runtime.loadedModels();
    const isLoaded = (name: string) => loaded.some((m) => canonicalName(m.name) === canonicalName(name));

    let unloadMs = 0;
    if (isLoaded(other)) {
      const started = Date.now();
      report({ phase: "unloading", model: other, message: `Unloading ${other} to make room for ${target}…` });
      await runtime.unload(other);
      await this.waitUntilGone(other);
      unloadMs = Date.now() - started;
      report({ phase: "unloading", model: other, message: `Unloaded ${other} in ${seconds(unloadMs)}.`, durationMs: unloadMs });
    }

    let loadMs = 0;
    if (!isLoaded(target)) {
      const started = Date.now();
      report({ phase: "loading", model: target, message: `Loading ${target}…` });
      await runtime.load(target, this.options.contextFor(target));
      loadMs = Date.now() - started;
      report({ phase: "ready", model: target, message: `Loaded ${target} in ${seconds(loadMs)}.`, durationMs: loadMs });
    }
    this.active = role;
    this.history.push({ to: role, unloadMs, loadMs, at: Date.now() });
    this.options.log?.(`hot-swap: switched to the ${role} model (unload ${unloadMs} ms, load ${loadMs} ms)`);
  }

  private async waitUntilGone(model: string): Promise<void> {
    const deadline = Date.now() + (this.options.unloadWaitMs ?? 30_000);
    const poll = this.options.pollMs ?? 250;
    for (;;) {
      const loaded = await this.options.runtime.loadedModels();
      if (!loaded.some((m) => canonicalName(m.name) === canonicalName(model))) return;
      if (Date.now() >= deadline) {
        this.options.log?.(`hot-swap: ${model} was still listed as loaded after ${this.options.unloadWaitMs ?? 30_000} ms; loading the other model anyway`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, poll));
    }
  }
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
