/**
 * Anthropic's native Messages API, streamed over SSE with plain fetch through the egress gate.
 * The system prompt is a top-level field, `max_tokens` is required, and usage arrives in two parts
 * (input tokens in `message_start`, cumulative output tokens in `message_delta`). There is no JSON
 * schema mode in the basic API, so a schema travels as an instruction in the system prompt and the
 * answer is unwrapped from a code fence if the model adds one.
 */
import type { EgressGate } from "./egress.js";
import { httpStatusError, normaliseError, type ErrorScene } from "./errors.js";
import type { HttpTimeouts } from "./http-client.js";
import { errorText, schemaInstruction } from "./openai-compatible.js";
import type { Provider, ProviderChatRequest, ProviderChatResult } from "./provider.js";
import { readSse } from "./sse.js";
import { ModelError } from "./types.js";

export interface AnthropicOptions {
  baseUrl: string;
  apiKey?: string;
  keyVariable: string;
  gate: EgressGate;
  timeouts?: Partial<HttpTimeouts>;
  maxTokens?: number;
}

export const ANTHROPIC_VERSION = "2023-06-01";

/** Anthropic wants alternating user/assistant turns and the system text apart. */
export function anthropicBody(request: ProviderChatRequest, maxTokens: number): Record<string, unknown> {
  const system = request.messages.filter((m) => m.role === "system").map((m) => m.content);
  if (request.format) system.push(schemaInstruction(request.format));
  const turns: { role: "user" | "assistant"; content: string }[] = [];
  for (const m of request.messages) {
    if (m.role === "system") continue;
    const last = turns.at(-1);
    if (last && last.role === m.role) last.content += `\n\n${m.content}`;
    else turns.push({ role: m.role, content: m.content });
  }
  const body: Record<string, unknown> = { model: request.model, max_tokens: maxTokens, messages: turns, stream: true };
  if (system.length > 0) body.system = system.join("\n\n");
  if (request.temperature !== undefined) body.temperature = request.temperature;
  return body;
}

/** A JSON answer wrapped in a Markdown fence, unwrapped. */
export function unfenceJson(text: string): string {
  const match = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return match ? match[1]! : text;
}

export function createAnthropicProvider(options: AnthropicOptions): Provider {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const maxTokens = options.maxTokens ?? 8192;
  return {
    name: "anthropic",
    label: "Anthropic",
    protocol: "anthropic",
    baseUrl,
    async chat(request): Promise<ProviderChatResult> {
      if (!options.apiKey) {
        throw new ModelError("config", `Anthropic needs a key: set ${options.keyVariable} in the environment Burrow starts in.`);
      }
      const scene: ErrorScene = {
        label: "Anthropic",
        baseUrl,
        model: request.model,
        keyVariable: options.keyVariable,
        unreachableHint: "Check the network connection and the provider's base URL.",
        missingModelHint: "Check the model name in cloud.anthropic.model.",
      };
      const fetch = options.gate.fetchFor({ ...request.egress, provider: "anthropic", timeouts: options.timeouts });
      let text = "";
      try {
        const response = await fetch(`${baseUrl}/messages`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "text/event-stream",
            "x-api-key": options.apiKey,
            "anthropic-version": ANTHROPIC_VERSION,
          },
          body: JSON.stringify(anthropicBody(request, maxTokens)),
          signal: request.signal,
        });
        if (!response.ok) throw httpStatusError(scene, response.status, await errorText(response));
        if (!response.body) throw new ModelError("bad-response", "Anthropic sent an empty answer.", true);
        let inputTokens = 0;
        let outputTokens = 0;
        let stopReason: string | undefined;
        let stopped = false;
        for await (const event of readSse(response.body)) {
          let data: any;
          try {
            data = JSON.parse(event.data);
          } catch {
            continue;
          }
          const type = data?.type ?? event.event;
          if (type === "message_start") {
            inputTokens = data.message?.usage?.input_tokens ?? inputTokens;
            outputTokens = data.message?.usage?.output_tokens ?? outputTokens;
          } else if (type === "content_block_delta" && data.delta?.type === "text_delta") {
            const piece = String(data.delta.text ?? "");
            if (piece) {
              text += piece;
              request.onDelta?.(piece);
            }
          } else if (type === "message_delta") {
            stopReason = data.delta?.stop_reason ?? stopReason;
            // Usage in message_delta is cumulative, so it replaces rather than adds.
            outputTokens = data.usage?.output_tokens ?? outputTokens;
            inputTokens = data.usage?.input_tokens ?? inputTokens;
          } else if (type === "message_stop") {
            stopped = true;
            break;
          } else if (type === "error") {
            const kind = String(data.error?.type ?? "error");
            const retryable = kind === "overloaded_error" || kind === "api_error" || kind === "rate_limit_error";
            throw new ModelError("http", `Anthropic reported an error while answering (${kind}): ${data.error?.message ?? "no details"}.`, retryable);
          }
          // ping and event types added later are ignored, as the API asks.
        }
        if (!stopped) throw new ModelError("stream-cut", "Anthropic's answer stopped before it was complete. Try again.", true);
        return {
          text: request.format ? unfenceJson(text) : text,
          usage: { promptTokens: inputTokens, completionTokens: outputTokens },
          stopReason: stopReason === "max_tokens" ? "length" : (stopReason ?? "stop"),
        };
      } catch (err) {
        if (request.signal?.aborted) throw new ModelError("aborted", "The model request was cancelled.");
        throw normaliseError(err, scene);
      }
    },
  };
}
