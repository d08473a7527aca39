/**
 * When the router hot-swaps (hot-swap.ts is how): one `HotSwap` per runtime and pair of chat and
 * coder models, enabled unless the settings say no, the runtime cannot manage its memory, or a
 * model of the pair is relayed to another host (it takes no memory here). Whether the pair needs
 * swapping at all comes from an estimate of their memory against the hardware's budget.
 */
import type { ColdLoads } from "./cold-load.js";
import type { ContextSizer } from "./context-size.js";
import { estimateModelBytes } from "./hardware.js";
import { HotSwap } from "./hot-swap.js";
import type { KnownHardware } from "./known-hardware.js";
import type { ManagedRuntime } from "./provider.js";
import type { Runtimes } from "./runtimes.js";
import type { ModelProgress, ModelRole } from "./types.js";

/**
 * Without a GPU budget, models run from main memory, and 80% of what is free now is taken as
 * theirs: the rest stays for the editor, the language servers and the system.
 */
export const CPU_MEMORY_SHARE = 0.8;

export interface SwapPolicyOptions {
  hardware: KnownHardware;
  runtimes: Runtimes;
  sizer: ContextSizer;
  coldLoads: ColdLoads;
  /** Whether the settings allow swapping (`hotSwap`, on unless false). */
  enabled: () => boolean;
  /** The model a role uses on a runtime, as the router chooses it. */
  modelFor: (role: ModelRole, runtime: string) => string;
  /** The context budget (the contextTokens setting, or the tier's). */
  contextBudget: () => number;
  idleMs?: number;
  pollMs?: number;
  onProgress?: (event: ModelProgress) => void;
  log: (message: string) => void;
}

export class SwapPolicy {
  private readonly swaps = new Map<string, HotSwap>();

  constructor(private readonly options: SwapPolicyOptions) {}

  /** The swap for the runtime's current pair of models, created on first use. */
  swapFor(runtime: ManagedRuntime): HotSwap {
    const o = this.options;
    const chatModel = o.modelFor("chat", runtime.name);
    const coderModel = o.modelFor("coder", runtime.name);
    const key = `${runtime.name}\n${chatModel}\n${coderModel}`;
    let swap = this.swaps.get(key);
    if (!swap) {
      swap = new HotSwap({
        runtime,
        chatModel,
        coderModel,
        // A relayed model takes no memory here, so there is nothing to swap around it.
        enabled: o.enabled() && !runtime.forwardsTo?.(chatModel) && !runtime.forwardsTo?.(coderModel),
        contextFor: (model) => o.sizer.current(model, o.contextBudget(), o.sizer.knownLimit(model)),
        bothFit: () => this.bothFit(runtime, chatModel, coderModel),
        idleMs: o.idleMs,
        pollMs: o.pollMs,
        onProgress: (event) => {
          if (event.phase === "ready") o.coldLoads.markWarm(runtime.name, event.model);
          if (event.phase === "unloading") o.coldLoads.markCold(runtime.name, event.model);
          o.onProgress?.(event);
        },
        log: o.log,
      });
      this.swaps.set(key, swap);
    }
    return swap;
  }

  private async bothFit(runtime: ManagedRuntime, chatModel: string, coderModel: string): Promise<boolean> {
    const o = this.options;
    const report = await o.hardware.report();
    const budget = report.gpuBudgetBytes ?? (report.memory ? report.memory.availableBytes * CPU_MEMORY_SHARE : 0);
    if (!o.runtimes.hasListings()) await o.runtimes.installed(runtime);
    const need =
      estimateModelBytes(chatModel, o.runtimes.installedSize(chatModel), o.sizer.current(chatModel, o.contextBudget())) +
      estimateModelBytes(coderModel, o.runtimes.installedSize(coderModel), o.sizer.current(coderModel, o.contextBudget()));
    const fit = budget > 0 && need <= budget;
    o.log(`hot-swap: ${chatModel} + ${coderModel} need about ${Math.round(need / 2 ** 20)} MiB of ${Math.round(budget / 2 ** 20)} MiB: ${fit ? "both fit, no swap" : "swapping"}`);
    return fit;
  }

  dispose(): void {
    for (const swap of this.swaps.values()) swap.dispose();
  }
}
