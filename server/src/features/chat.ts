/**
 * `burrow.chat`: one question to the chat model, answered when the answer is complete. The pieces
 * stream meanwhile as `burrow/chatDelta` notifications and `$/progress` reports, and
 * `$/cancelRequest` stops the model request.
 *
 * The document the user is in is read by the same reader the task pipeline uses (the sandbox
 * decides, the open buffer wins over the disk, a selection ending at the start of a line leaves
 * that line out), and a document the sandbox refuses is reported in `unavailable`, never dropped
 * without a word.
 */
import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken, type Connection } from "vscode-languageserver";
import { ChatRequestError } from "../agent/chat/index.js";
import { ModelError } from "../agent/model/types.js";
import { readCurrentDocument, type CurrentDocument } from "../agent/task/editor.js";
import { linesOfRange } from "../protocol/lsp-range.js";
import { CHAT_DELTA, codeOfModelError, type ChatArguments, type ChatResult } from "../protocol/index.js";
import type { Services } from "../services/build.js";
import type { OpenDocuments } from "./documents.js";
import type { TaskProgressReporter } from "./progress.js";

export interface ChatDeps {
  connection: Connection;
  progress: TaskProgressReporter;
  documents: OpenDocuments;
}

export async function answerChat(services: Services, args: ChatArguments, token: CancellationToken, deps: ChatDeps): Promise<ChatResult> {
  await services.ready;
  const abort = new AbortController();
  token.onCancellationRequested(() => abort.abort());
  let document: CurrentDocument | undefined;
  const unavailable: ChatResult["unavailable"] = [];
  if (args.uri) {
    const selection = args.range ? linesOfRange(args.range) : undefined;
    const read = await readCurrentDocument(args.uri, selection, (abs) => deps.documents.get(abs), services.workspace);
    if (read.ok) document = read.document;
    else unavailable.push({ path: read.path, reason: read.reason });
  }
  const reporter = await deps.progress.start("Burrow: chat");
  let received = 0;
  try {
    const answer = await services.chat.ask({
      prompt: args.prompt,
      ...(args.sessionId ? { sessionId: args.sessionId } : {}),
      ...(document ? { document } : {}),
      unavailable,
      signal: abort.signal,
      onDelta: (delta: string, sessionId?: string) => {
        received += delta.length;
        void deps.connection.sendNotification(CHAT_DELTA, { sessionId: sessionId ?? args.sessionId ?? "", delta });
        reporter.report(`${received} characters received`);
      },
    });
    return { sessionId: answer.sessionId, text: answer.text, document: answer.documentPath, unavailable: answer.unavailable };
  } catch (err) {
    if (abort.signal.aborted) throw new ResponseError(LSPErrorCodes.RequestCancelled, "The chat request was cancelled.");
    if (err instanceof ChatRequestError) throw new ResponseError(ErrorCodes.InvalidParams, err.message, { code: err.code });
    if (err instanceof ModelError) throw new ResponseError(ErrorCodes.InternalError, err.message, { code: codeOfModelError(err.kind) });
    throw new ResponseError(ErrorCodes.InternalError, err instanceof Error ? err.message : String(err));
  } finally {
    reporter.done();
  }
}
