/**
 * The one interface every model runtime is reached through, and the shapes that cross it.
 *
 * The task pipeline and chat never know which runtime answers: they build a `ChatRequest`, hand it
 * to a `ModelRouter`, and get text back (streamed through `onDelta` as it arrives). Runtime quirks
 * (Ollama's `num_ctx`, LM Studio's model loading, cloud SSE formats, consent and the egress ledger)
 * stay behind this seam.
 */

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** What a request is for; it decides which configured model answers (coder or chat). */
export type ModelRole = "coder" | "chat";

export interface ChatRequest {
  role: ModelRole;
  messages: ChatMessage[];
  /** A JSON schema: the answer must be JSON matching it (Ollama `format`, OpenAI `response_format`). */
  format?: Record<string, unknown>;
  /** Called with each piece of text as it streams in. */
  onDelta?: (text: string) => void;
  /** Aborting stops the HTTP request to the runtime at once. */
  signal?: AbortSignal;
  /** Per-request overrides (a task's `provider` / `model` arguments, or a retry on a larger model). */
  provider?: string;
  model?: string;
  /** The task or chat session this request belongs to: consent and the egress ledger are per task. */
  ownerId?: string;
  /** Workspace-relative paths of the files whose text is inside `messages` (for the egress ledger). */
  files?: string[];
  /** Asked before anything is sent to a host that is not local and not configured by the user. */
  consent?: (request: ConsentRequest) => Promise<boolean>;
  temperature?: number;
  /** Told about slow model housekeeping before the answer starts (a hot-swap, a cold load). */
  onProgress?: (event: ModelProgress) => void;
}

/** A step of model housekeeping the user may be waiting on, with how long it took once done. */
export interface ModelProgress {
  phase: "unloading" | "loading" | "ready" | "waiting";
  model: string;
  /** A sentence for the user ("Unloading llama3.2:3b to make room for qwen2.5-coder:14b…"). */
  message: string;
  /** Set when the step has finished. */
  durationMs?: number;
}

export interface ConsentRequest {
  provider: string;
  host: string;
  files: string[];
  bytes: number;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatResult {
  text: string;
  provider: string;
  model: string;
  usage: ChatUsage;
  durationMs: number;
  /** Why the model stopped: "stop", "length" (it hit the answer limit), or the provider's own word. */
  stopReason?: string;
  /** The context window the request was given, in tokens (Ollama's num_ctx), when the provider has one. */
  contextTokens?: number;
}

/** Why a model request failed; `retryable` says whether the same request may work a moment later. */
export type ModelErrorKind =
  | "unreachable" // nothing listens at the runtime's address
  | "model-missing" // the runtime answers but the model is not installed
  | "http" // any other HTTP error status
  | "stream-cut" // the stream ended without its final record
  | "timeout" // no first byte (or no progress) within the allowed time
  | "aborted" // cancelled by the user
  | "bad-response" // an answer we cannot read
  | "truncated" // the prompt did not fit the model's context
  | "consent-denied" // the user did not allow sending to this host
  | "egress-denied" // the host is not allowed at all
  | "config"; // a provider or key that is not configured

export class ModelError extends Error {
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly retryable: boolean = false,
  ) {
    super(message);
    this.name = "ModelError";
  }
}

export interface ModelInfo {
  name: string;
  provider: string;
  sizeBytes?: number;
  parameterSize?: string;
  contextLength?: number;
  loaded?: boolean;
  quantization?: string;
}

/** A model loaded in a local runtime right now. */
export interface LoadedModel {
  name: string;
  sizeBytes?: number;
  /** Bytes of it held in GPU memory (Ollama); less than sizeBytes means part runs on the CPU. */
  vramBytes?: number;
  contextTokens?: number;
}

/** A local runtime as doctor and `models list` see it. */
export interface RuntimeStatus {
  /** The runtime's name in the provider catalogue ("ollama", "lmstudio", …). */
  name: string;
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

/** Download progress, with a runtime's per-layer progress summed. */
export interface PullProgress {
  status: string;
  completedBytes: number;
  totalBytes: number;
  /** 0–1 once the sizes of the layers are known. */
  fraction?: number;
}

/** A request's own choice of provider and model (a task's arguments, a retry on a larger model). */
export interface ModelOverrides {
  provider?: string;
  model?: string;
}

/** Where a request with a role and overrides would go, and what it would get there. */
export interface DescribedModel {
  provider: string;
  model: string;
  /** Approximate parameter count in billions, when known (chooses the edit format). */
  sizeB?: number;
  /** The context window the request will be given, in tokens. */
  contextTokens: number;
  /** True when the provider leaves the machine (a cloud provider or a remote runtime). */
  remote: boolean;
}

/** What the pipeline and chat see of the model layer. */
export interface ModelRouter {
  chat(request: ChatRequest): Promise<ChatResult>;
  /** The provider and model a request with this role and these overrides would go to. */
  describe(role: ModelRole, overrides?: ModelOverrides): DescribedModel;
}
