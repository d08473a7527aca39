/**
 * The internal seam between the router and one wire protocol. The router decides which provider,
 * which model and how large a context; a provider only knows how to say it to its server: how to
 * stream one chat request and, for local runtimes, what they hold and how to load, unload and
 * download models.
 *
 * A runtime offers what it can. Memory management (`loadedModels`, `load`, `unload`) is what
 * hot-swap and the cold-load notice need; a runtime without it (a server that manages its own
 * models) is simply never swapped. `pull` is what `burrow models pull` needs.
 */
import type { EgressContext } from "./egress.js";
import type { ChatMessage, ChatUsage, LoadedModel, ModelInfo, PullProgress } from "./types.js";
import type { Outcome } from "../outcome.js";

export interface ProviderChatRequest {
  model: string;
  messages: ChatMessage[];
  format?: Record<string, unknown>;
  onDelta?: (text: string) => void;
  signal?: AbortSignal;
  temperature?: number;
  /** The context window to load the model with (Ollama num_ctx); local runtimes only. */
  contextTokens?: number;
  /** Who is sending, for the egress gate. */
  egress: Omit<EgressContext, "provider">;
}

export interface ProviderChatResult {
  text: string;
  usage: ChatUsage;
  stopReason?: string;
}

export interface Provider {
  /** The name users type: "ollama", "lmstudio", "openai", … */
  readonly name: string;
  readonly label: string;
  /** The wire protocol it speaks, for the doctor report and logs ("ollama", "openai-compatible", …). */
  readonly protocol: string;
  readonly baseUrl: string;
  chat(request: ProviderChatRequest): Promise<ProviderChatResult>;
}

/** A runtime on this machine, or on a host the user named: what the router, doctor and hot-swap use beyond chat. */
export interface LocalRuntime extends Provider {
  /** Whether the runtime answers, and its version when it says. */
  probe(timeoutMs?: number): Promise<Outcome<{ version?: string }>>;
  listModels(): Promise<ModelInfo[]>;
  /** The model's own context limit, when the runtime reports it. */
  contextLimit(model: string): Promise<number | undefined>;
  /** The models in memory now. */
  loadedModels?(): Promise<LoadedModel[]>;
  /** Load a model with this context window and return when it is ready. */
  load?(model: string, contextTokens: number): Promise<void>;
  /** Ask the runtime to unload a model (it may finish asynchronously: poll loadedModels). */
  unload?(model: string): Promise<void>;
  /** Download a model into the runtime, reporting progress; resolves when it is ready to use. */
  pull?(model: string, onProgress: (progress: PullProgress) => void, signal?: AbortSignal): Promise<void>;
  /**
   * The host that really answers for this model, when the runtime only relays it (Ollama's cloud
   * models); such a model leaves the machine and takes no memory here.
   */
  forwardsTo?(model: string): string | undefined;
}

/** A runtime that can say what is loaded and load and unload models: the ones hot-swap manages. */
export type ManagedRuntime = LocalRuntime & Required<Pick<LocalRuntime, "loadedModels" | "load" | "unload">>;

export function managesMemory(runtime: LocalRuntime): runtime is ManagedRuntime {
  return runtime.loadedModels !== undefined && runtime.load !== undefined && runtime.unload !== undefined;
}
