/**
 * A fake Anthropic Messages API: `POST /v1/messages` streaming the real event sequence
 * (`message_start`, `content_block_start`, `ping`, `content_block_delta` with `text_delta`,
 * `content_block_stop`, `message_delta` with the stop reason and cumulative usage, `message_stop`),
 * `error` events inside a stream, and HTTP errors in Anthropic's `{"type":"error","error":{…}}` shape.
 * Replies are scripted with the same `FakeReply` shape as the other fakes.
 *
 *   const fake = await startFakeAnthropic({ apiKey: "sk-ant-test" });
 *   fake.enqueueChat({ text: "hi" });
 *   // provider base URL: `${fake.url}/v1`
 */
import type { ServerResponse } from "node:http";
import type { FakeReply } from "./fake-ollama.js";
import {
  chatScript,
  cut,
  estimateTokens,
  pause,
  sendJson,
  startRecordingServer,
  tokenise,
  untilClientCloses,
  writeFlushed,
  type ChatScript,
  type RecordedRequest,
} from "./recording-server.js";

export type { FakeReply } from "./fake-ollama.js";

export interface FakeAnthropicOptions {
  /** When set, requests must carry this `x-api-key`. */
  apiKey?: string;
  /** Models accepted; any other gets a 404 not_found_error. Omit to accept every model. */
  models?: string[];
}

export interface FakeAnthropic extends ChatScript<FakeReply> {
  url: string;
  port: number;
  requests: RecordedRequest[];
  chatRequests(): any[];
  waitFor(predicate: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

function errorBody(type: string, message: string) {
  return { type: "error", error: { type, message }, request_id: "req_fake" };
}

const statusTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const chat = chatScript<FakeReply>(() => ({ text: "Hello from the fake Anthropic." }));

  const server = await startRecordingServer(async (req, res, record) => {
    if (!(record.method === "POST" && record.path === "/v1/messages")) {
      return sendJson(res, 404, errorBody("not_found_error", "Not found"));
    }
    if (options.apiKey !== undefined && record.headers["x-api-key"] !== options.apiKey) {
      return sendJson(res, 401, errorBody("authentication_error", "invalid x-api-key"));
    }
    if (!record.headers["anthropic-version"]) {
      return sendJson(res, 400, errorBody("invalid_request_error", "anthropic-version: header is required"));
    }
    const body = record.body ?? {};
    if (typeof body.max_tokens !== "number") {
      return sendJson(res, 400, errorBody("invalid_request_error", "max_tokens: Field required"));
    }
    if (options.models && !options.models.includes(body.model)) {
      return sendJson(res, 404, errorBody("not_found_error", `model: ${body.model}`));
    }
    const reply = await chat.nextReply(body, record);
    return answer(res, body, reply);
  });

  async function answer(res: ServerResponse, body: any, reply: FakeReply) {
    if (reply.delayMs) await pause(res, reply.delayMs);
    if (res.destroyed) return;
    if (reply.hang) return untilClientCloses(res);
    if (reply.error !== undefined && reply.status !== undefined) {
      return sendJson(res, reply.status, errorBody(statusTypes[reply.status] ?? "api_error", reply.error));
    }
    const pieces = reply.chunks ?? tokenise(reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? ""));
    const promptText = [body.system ?? "", ...((body.messages as { content?: string }[]) ?? []).map((m) => m.content ?? "")].join("\n");
    const inputTokens = reply.promptEvalCount ?? estimateTokens(promptText);
    const outputTokens = reply.evalCount ?? pieces.length;
    const stopReason = reply.doneReason ?? "end_turn";
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    const send = (event: string, data: object) => writeFlushed(res, `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
    await send("message_start", {
      message: {
        id: "msg_fake",
        type: "message",
        role: "assistant",
        model: body.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: 1 },
      },
    });
    await send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    await send("ping", {});
    for (let i = 0; i < pieces.length; i++) {
      if (reply.cutAfterChunks !== undefined && i >= reply.cutAfterChunks) return cut(res);
      if (reply.stallAfterChunks !== undefined && i >= reply.stallAfterChunks) return untilClientCloses(res);
      if (res.destroyed) return;
      await send("content_block_delta", { index: 0, delta: { type: "text_delta", text: pieces[i] } });
      if (reply.chunkDelayMs) await pause(res, reply.chunkDelayMs);
    }
    if (reply.cutAfterChunks !== undefined) return cut(res);
    if (reply.stallAfterChunks !== undefined) return untilClientCloses(res);
    if (reply.error !== undefined) {
      await send("error", { error: { type: "overloaded_error", message: reply.error } });
      res.end();
      return;
    }
    await send("content_block_stop", { index: 0 });
    await send("message_delta", { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } });
    await send("message_stop", {});
    res.end();
  }

  return {
    url: server.url,
    port: server.port,
    requests: server.requests,
    onChat: chat.onChat,
    enqueueChat: chat.enqueueChat,
    chatRequests() {
      return server.requests.filter((r) => r.path === "/v1/messages").map((r) => r.body);
    },
    waitFor: server.waitFor,
    close: server.close,
  };
}
