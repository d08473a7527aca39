/**
 * The internal seam between the router and one wire protocol. The router decides which provider,
 * which model and how large a context; a provider only knows how to say it to its server: how to
 * stream one chat request and, for local runtimes, how to list, load and unload models.
 */
import type { EgressContext } from "./egress.js";
import type { WireProtocol } from "./catalogue.js";
import type { ChatMessage, ChatUsage, ModelInfo } from "./types.js";

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
  readonly protocol: WireProtocol;
  readonly baseUrl: string;
  chat(request: ProviderChatRequest): Promise<ProviderChatResult>;
}

/** A model loaded in a local runtime right now. */
export interface LoadedModel {
  name: string;
  sizeBytes?: number;
  /** Bytes of it held in GPU memory (Ollama); less than sizeBytes means part runs on the CPU. */
  vramBytes?: number;
  contextTokens?: number;
}

/** What the router, hot-swap and doctor need from Ollama or LM Studio beyond chat. */
export interface LocalRuntime extends Provider {
  /** Whether the runtime answers, and its version when it says. */
  probe(timeoutMs?: number): Promise<{ ok: true; version?: string } | { ok: false; reason: string }>;
  listModels(): Promise<ModelInfo[]>;
  /** The model's own context limit, when the runtime reports it. */
  contextLimit(model: string): Promise<number | undefined>;
  loadedModels(): Promise<LoadedModel[]>;
  /** Load a model with this context window and return when it is ready. */
  load(model: string, contextTokens: number): Promise<void>;
  /** Ask the runtime to unload a model (it may finish asynchronously: poll loadedModels). */
  unload(model: string): Promise<void>;
}

export function isLocalRuntime(p: Provider): p is LocalRuntime {
  return p.protocol === "ollama" || p.protocol === "lmstudio";
}
