/**
 * Providers that speak the OpenAI chat-completions protocol over SSE: the cloud providers in the
 * catalogue (OpenAI, Gemini, Mistral, Groq, OpenRouter, DeepSeek, xAI, Together) and LM Studio's
 * `/v1` endpoint, which reuses `streamChatCompletion` below. Plain fetch through the egress gate,
 * no SDK: the protocol is small and the gate must see every byte.
 */
import type { EgressGate } from "./egress.js";
import { httpStatusError, normaliseError, type ErrorScene } from "./errors.js";
import type { FetchLike, HttpTimeouts } from "./http-client.js";
import type { Provider, ProviderChatRequest, ProviderChatResult } from "./provider.js";
import { readSse } from "./sse.js";
import { ModelError } from "./types.js";

/** How a server accepts a JSON schema for the answer. */
export type StructuredOutputStyle = "json_schema" | "json_object";

export interface OpenAiCompatibleOptions {
  name: string;
  label: string;
  /** Base URL ending before `/chat/completions`, e.g. https://api.openai.com/v1. */
  baseUrl: string;
  apiKey?: string;
  keyVariable?: string;
  gate: EgressGate;
  timeouts?: Partial<HttpTimeouts>;
  structuredOutput?: StructuredOutputStyle;
  headers?: Record<string, string>;
  unreachableHint?: string;
  missingModelHint?: (model: string) => string;
}

/** The instruction that carries the schema when a server only offers a generic JSON mode. */
export function schemaInstruction(schema: Record<string, unknown>): string {
  return `Answer with one JSON object, and nothing else, that matches this JSON schema:\n${JSON.stringify(schema)}`;
}

export interface StreamChatOptions {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  fetch: FetchLike;
  signal?: AbortSignal;
  onDelta?: (text: string) => void;
  scene: ErrorScene;
}

/** Send one streaming chat-completions request and read its SSE answer to the end. */
export async function streamChatCompletion(options: StreamChatOptions): Promise<ProviderChatResult> {
  const { scene } = options;
  let text = "";
  try {
    const response = await options.fetch(options.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...options.headers },
      body: JSON.stringify(options.body),
      signal: options.signal,
    });
    if (!response.ok) throw httpStatusError(scene, response.status, await errorText(response));
    if (!response.body) throw new ModelError("bad-response", `${scene.label} sent an empty answer.`, true);

    let finishReason: string | undefined;
    let usage = { promptTokens: 0, completionTokens: 0 };
    let sawDone = false;
    for await (const event of readSse(response.body)) {
      if (event.data === "[DONE]") {
        sawDone = true;
        break;
      }
      let chunk: any;
      try {
        chunk = JSON.parse(event.data);
      } catch {
        continue;
      }
      if (chunk?.error) {
        const message = typeof chunk.error === "string" ? chunk.error : (chunk.error.message ?? JSON.stringify(chunk.error));
        throw new ModelError("http", `${scene.label} reported an error while answering: ${message}`, true);
      }
      const choice = chunk?.choices?.[0];
      const piece = choice?.delta?.content;
      if (typeof piece === "string" && piece !== "") {
        text += piece;
        options.onDelta?.(piece);
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk?.usage) {
        usage = {
          promptTokens: chunk.usage.prompt_tokens ?? usage.promptTokens,
          completionTokens: chunk.usage.completion_tokens ?? usage.completionTokens,
        };
      }
    }
    if (!sawDone && !finishReason) {
      throw new ModelError("stream-cut", `${scene.label}'s answer stopped before it was complete. Try again.`, true);
    }
    return { text, usage, stopReason: finishReason ?? "stop" };
  } catch (err) {
    if (options.signal?.aborted) throw new ModelError("aborted", "The model request was cancelled.");
    throw normaliseError(err, scene);
  }
}

/** The error text of a failed response: `error.message` from a JSON body, else the body itself. */
export async function errorText(response: Response): Promise<string | undefined> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text);
    const error = Array.isArray(parsed) ? parsed[0]?.error : parsed?.error;
    if (typeof error === "string") return error;
    if (error && typeof error.message === "string") return error.message;
    if (typeof parsed?.message === "string") return parsed.message;
  } catch {
    // Not JSON: the body as it came, shortened.
  }
  return text.trim().slice(0, 300) || undefined;
}

/** The chat-completions request body for our messages, with structured output when asked. */
export function chatCompletionBody(request: ProviderChatRequest, style: StructuredOutputStyle): Record<string, unknown> {
  const messages: { role: string; content: string }[] = request.messages.map((m) => ({ role: m.role, content: m.content }));
  const body: Record<string, unknown> = {
    model: request.model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.format) {
    if (style === "json_schema") {
      body.response_format = { type: "json_schema", json_schema: { name: "answer", schema: request.format } };
    } else {
      body.response_format = { type: "json_object" };
      messages.unshift({ role: "system", content: schemaInstruction(request.format) });
    }
  }
  return body;
}

export function createOpenAiCompatibleProvider(options: OpenAiCompatibleOptions): Provider {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const style = options.structuredOutput ?? "json_schema";
  return {
    name: options.name,
    label: options.label,
    protocol: "openai-compatible",
    baseUrl,
    async chat(request) {
      if (!options.apiKey) {
        throw new ModelError(
          "config",
          `${options.label} needs a key: set ${options.keyVariable ?? "its API key variable"} in the environment Burrow starts in.`,
        );
      }
      const fetch = options.gate.fetchFor({ ...request.egress, provider: options.name, timeouts: options.timeouts });
      return streamChatCompletion({
        url: `${baseUrl}/chat/completions`,
        headers: { authorization: `Bearer ${options.apiKey}`, ...options.headers },
        body: chatCompletionBody(request, style),
        fetch,
        signal: request.signal,
        onDelta: request.onDelta,
        scene: {
          label: options.label,
          baseUrl,
          model: request.model,
          keyVariable: options.keyVariable,
          unreachableHint: options.unreachableHint ?? "Check the network connection and the provider's base URL.",
          missingModelHint: options.missingModelHint?.(request.model) ?? `Check the model name in cloud.${options.name}.model.`,
        },
      });
    },
  };
}
