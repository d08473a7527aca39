/**
 * One prompt turn in chat mode: the prompt is a question for the chat service, whose answer streams
 * as `agent_message_chunk` updates. Chat has no write path, so nothing in this mode can change a
 * file; a plan waiting for revision keeps waiting.
 *
 * The document the prompt points at is read by the same reader tasks use: the sandbox decides, the
 * buffer wins over the disk. A document the sandbox refuses is reported, not silently dropped.
 */
import { RequestError } from "@agentclientprotocol/sdk";
import { ChatRequestError } from "../agent/chat/index.js";
import { ModelError } from "../agent/model/types.js";
import { readCurrentDocument, type CurrentDocument } from "../agent/task/editor.js";
import { codeOfModelError, RPC_ERROR } from "../protocol/index.js";
import type { ReadPrompt } from "./prompt.js";
import type { TurnContext, TurnResult } from "./task-turn.js";

export async function runChatTurn(turn: TurnContext, prompt: ReadPrompt): Promise<TurnResult> {
  const { session } = turn;
  const { services, host } = session;
  await services.ready;
  let document: CurrentDocument | undefined;
  const unavailable: Array<{ path: string; reason: string }> = [];
  if (prompt.document) {
    host.forget();
    if (prompt.document.text !== undefined) await host.remember(prompt.document.uri, prompt.document.text);
    else await host.readAhead([{ path: prompt.document.uri, intent: "read" }]);
    const read = await readCurrentDocument(prompt.document.uri, prompt.document.selection, (abs) => host.openDocument(abs), services.workspace);
    if (read.ok) document = read.document;
    else unavailable.push({ path: read.path, reason: read.reason });
  }
  // Each piece is sent after the one before it, and all of them before the prompt is answered.
  let sent = Promise.resolve();
  try {
    const answer = await services.chat.ask({
      prompt: prompt.text,
      sessionId: session.id,
      ...(document ? { document } : {}),
      unavailable,
      signal: turn.signal,
      onDelta: (delta) => {
        sent = sent.then(() => turn.say(delta));
      },
    });
    await sent;
    return { stopReason: "end_turn", summary: answer.text };
  } catch (err) {
    await sent.catch(() => undefined);
    if (turn.signal.aborted) return { stopReason: "cancelled", summary: "The answer was cancelled." };
    if (err instanceof ChatRequestError) throw new RequestError(RPC_ERROR.invalidParams, err.message, { code: err.code });
    if (err instanceof ModelError) throw new RequestError(RPC_ERROR.internalError, err.message, { code: codeOfModelError(err.kind) });
    throw err;
  } finally {
    host.forget();
  }
}
