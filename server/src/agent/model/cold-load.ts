/**
 * Cold-load notices: when the model a request goes to is not in memory, the user is told before
 * the wait (a cold load takes seconds on a GPU and can take minutes on a CPU) and told how long it
 * took once the first words arrive, so a slow first answer never looks like a hang.
 *
 * Asking the runtime what is loaded costs a request, so models seen loaded or used recently are
 * assumed still loaded.
 */
import { canonicalName } from "./names.js";
import type { LocalRuntime } from "./provider.js";
import type { ChatRequest, ModelProgress } from "./types.js";

/**
 * How long a model seen loaded or used is assumed to stay in memory: five minutes, Ollama's own
 * default keep-alive, and well inside the thirty minutes Burrow asks for.
 */
export const WARM_FOR_MS = 5 * 60_000;

export class ColdLoads {
  /** When each model was last seen loaded or used, by runtime and model. */
  private readonly warmSince = new Map<string, number>();

  /** @param onProgress told about every notice, whichever request caused it. */
  constructor(private readonly onProgress?: (event: ModelProgress) => void) {}

  /** The model answered or was loaded just now. */
  markWarm(runtime: string, model: string): void {
    this.warmSince.set(key(runtime, model), Date.now());
  }

  /** The model is being unloaded. */
  markCold(runtime: string, model: string): void {
    this.warmSince.delete(key(runtime, model));
  }

  /**
   * Announce a cold load if the model is not in memory, and return the delta callback to use for
   * the request: it reports the load's duration with the first words.
   */
  async announce(runtime: LocalRuntime, model: string, request: ChatRequest): Promise<ChatRequest["onDelta"]> {
    const lastUse = this.warmSince.get(key(runtime.name, model));
    if (lastUse !== undefined && Date.now() - lastUse < WARM_FOR_MS) return request.onDelta;
    // A runtime that cannot say what is loaded gets no notice rather than a wrong one.
    if (!runtime.loadedModels) return request.onDelta;
    let loaded: boolean;
    try {
      loaded = (await runtime.loadedModels()).some((m) => canonicalName(m.name) === canonicalName(model));
    } catch {
      return request.onDelta;
    }
    if (loaded) {
      this.markWarm(runtime.name, model);
      return request.onDelta;
    }
    const report = (event: ModelProgress) => {
      request.onProgress?.(event);
      this.onProgress?.(event);
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
}

function key(runtime: string, model: string): string {
  return `${runtime}\n${canonicalName(model)}`;
}
