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
import type { ManagedRuntime } from "./provider.js";
import { ModelError, type ModelProgress, type ModelRole } from "./types.js";

export interface HotSwapOptions {
  runtime: ManagedRuntime;
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
  async run<T>(
    role: ModelRole,
    request: () => Promise<T>,
    onProgress?: (event: ModelProgress) => void,
    signal?: AbortSignal,
  ): Promise<T> {
    if (!this.managed) return request();
    this.fits ??= this.options.bothFit().catch(() => false);
    if (await this.fits) return request();

    clearTimeout(this.swapBackTimer);
    for (;;) {
      if (signal?.aborted) throw new ModelError("aborted", "The model request was cancelled.");
      if (this.switching) {
        // A cancelled request stops waiting at once; the swap itself finishes for whoever needs it next.
        await untilSettledOrAborted(this.switching, signal);
        continue;
      }
      if (this.active === role) {
        this.inFlight[role] += 1;
        break;
      }
      const other: ModelRole = role === "coder" ? "chat" : "coder";
      if (this.inFlight[other] > 0) {
        await untilSettledOrAborted(new Promise<void>((resolve) => this.idleWaiters[other].push(resolve)), signal);
        continue;
      }
      // The swap claims a place for this request in the same step as it finishes, so a request
      // waiting for the other model cannot swap back before this one has run.
      const swap = this.startSwap(role, onProgress, true);
      await untilSettledOrAborted(swap, signal, true);
      if (signal?.aborted) {
        swap.then(
          () => this.release(role),
          () => undefined,
        );
        throw new ModelError("aborted", "The model request was cancelled.");
      }
      break;
    }

    try {
      return await request();
    } finally {
      this.release(role);
    }
  }

  private release(role: ModelRole): void {
    this.inFlight[role] -= 1;
    if (this.inFlight[role] === 0) {
      for (const wake of this.idleWaiters[role].splice(0)) wake();
      if (role === "coder") this.scheduleSwapBack();
    }
  }

  /** Start a swap; `switching` is set until it settles, and `claim` reserves a request slot on success. */
  private startSwap(role: ModelRole, onProgress: ((event: ModelProgress) => void) | undefined, claim: boolean): Promise<void> {
    const swap = this.swapTo(role, onProgress).then(
      () => {
        this.switching = null;
        if (claim) this.inFlight[role] += 1;
      },
      (err: unknown) => {
        this.switching = null;
        throw err;
      },
    );
    this.switching = swap;
    return swap;
  }

  private scheduleSwapBack(): void {
    clearTimeout(this.swapBackTimer);
    if (this.disposed) return;
    this.swapBackTimer = setTimeout(() => {
      if (this.disposed || this.switching || this.active !== "coder" || this.inFlight.coder > 0) return;
      this.startSwap("chat", undefined, false).catch((err: unknown) =>
        this.options.log?.(`hot-swap: could not bring the chat model back: ${err instanceof Error ? err.message : String(err)}`),
      );
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

/**
 * Wait for `promise` to settle, or for `signal` to abort, whichever comes first. With `rethrow`,
 * a rejection of the promise is passed on; otherwise it only means "stop waiting".
 */
async function untilSettledOrAborted(promise: Promise<unknown>, signal: AbortSignal | undefined, rethrow = false): Promise<void> {
  if (!signal) {
    await (rethrow ? promise : promise.catch(() => undefined));
    return;
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([rethrow ? promise : promise.catch(() => undefined), aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort!);
  }
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
