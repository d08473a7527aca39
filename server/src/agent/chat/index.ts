/**
 * Chat: "help me think about this", next to the agent's "do this work". A question goes to the chat
 * model with the open document (or its selection), the files the user names and the session's
 * earlier turns; the answer streams back through `onDelta` and is also kept in a chat document
 * under the state directory, for clients that cannot show streamed notifications.
 *
 * Chat has no write path into the workspace: it reads through the sandbox and writes only its own
 * files through the state store. Changing code is the task pipeline's job, behind its two gates.
 */
import { randomUUID } from "node:crypto";
import type { ChatRequest, ModelRouter } from "../model/types.js";
import type { StateStore, Workspace } from "../sandbox/types.js";
import { gatherChatContext } from "./context.js";
import { buildChatPrompt, type ChatDocument, type ShownFile, type Unavailable } from "./prompt.js";
import {
  historyOf,
  newTranscript,
  parseTranscript,
  renderTranscript,
  SESSION_ID_PATTERN,
  transcriptPaths,
  type Transcript,
  type TranscriptTurn,
} from "./transcript.js";

export type { ChatDocument, ShownFile, Unavailable } from "./prompt.js";

export interface ChatServiceOptions {
  models: ModelRouter;
  workspace: Workspace;
  state: StateStore;
  /** Counts, paths and timings only: never prompts, file text or answers. */
  log?: (message: string) => void;
}

export interface ChatAsk {
  prompt: string;
  /** Continue this session; a new one is started when absent. */
  sessionId?: string;
  /** The document the user is in, as the editor has it; `selection` lines are 1-based and inclusive. */
  document?: ChatDocument;
  /**
   * Files the host could not read for this question (the document the user is in, when the sandbox
   * refused it). They are reported like the sandbox's own refusals: to the model and in the answer.
   */
  unavailable?: Unavailable[];
  /** Each piece of the answer as it streams, with the session it belongs to (known from the first piece on). */
  onDelta?: (delta: string, sessionId: string) => void;
  signal?: AbortSignal;
  /** Per-question overrides of the chat model. */
  provider?: string;
  model?: string;
  /** Asked before anything goes to a cloud host (the gate channels answer it). */
  consent?: ChatRequest["consent"];
}

export interface ChatAnswer {
  sessionId: string;
  text: string;
  /** The chat document's absolute path. */
  documentPath: string;
  /** The files the model was shown. */
  shown: ShownFile[];
  /** Files named (or open) that the model was not shown, with the reason. */
  unavailable: Unavailable[];
}

export interface ChatService {
  ask(request: ChatAsk): Promise<ChatAnswer>;
  /** The absolute path of a session's chat document (it exists once a question was asked). */
  documentPath(sessionId: string): string;
}

/** A request chat cannot serve as asked: the message says what to send instead. */
export class ChatRequestError extends Error {
  constructor(
    readonly code: "empty-prompt" | "invalid-session",
    message: string,
  ) {
    super(message);
    this.name = "ChatRequestError";
  }
}

/** How often, at most, the chat document is rewritten while an answer streams. */
const DOCUMENT_REFRESH_MS = 250;
/** Sessions kept in memory; older ones are read back from the state directory when resumed. */
const SESSIONS_IN_MEMORY = 50;

export function createChatService(options: ChatServiceOptions): ChatService {
  const { models, workspace, state } = options;
  const log = options.log ?? (() => undefined);
  const sessions = new Map<string, Transcript>();
  // Questions in one session are answered one after another, so history stays in order.
  const queues = new Map<string, Promise<unknown>>();

  async function load(sessionId: string): Promise<Transcript> {
    const cached = sessions.get(sessionId);
    if (cached) {
      // Most recently used last, so the oldest is the first to leave memory.
      sessions.delete(sessionId);
      sessions.set(sessionId, cached);
      return cached;
    }
    const stored = await state.read(transcriptPaths(sessionId).json).catch(() => null);
    const transcript = (stored !== null ? parseTranscript(stored, sessionId) : null) ?? newTranscript(sessionId);
    sessions.set(sessionId, transcript);
    while (sessions.size > SESSIONS_IN_MEMORY) sessions.delete(sessions.keys().next().value!);
    return transcript;
  }

  function documentWriter(transcript: Transcript) {
    const paths = transcriptPaths(transcript.sessionId);
    let chain: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const write = (withJson: boolean) => {
      const markdown = renderTranscript(transcript);
      const json = withJson ? JSON.stringify(transcript) : undefined;
      chain = chain
        .then(async () => {
          await state.write(paths.markdown, markdown);
          if (json !== undefined) await state.write(paths.json, json);
        })
        .catch((err: unknown) => {
          // The answer matters more than its copy on disk: report and carry on.
          log(`chat ${transcript.sessionId}: could not write the chat document (${err instanceof Error ? err.message : String(err)})`);
        });
      return chain;
    };
    return {
      /** Rewrite soon (coalescing bursts of deltas into one write). */
      soon() {
        if (timer !== undefined) return;
        timer = setTimeout(() => {
          timer = undefined;
          void write(false);
        }, DOCUMENT_REFRESH_MS);
        timer.unref();
      },
      /** Rewrite now, the session's JSON too, and wait for it. */
      now() {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        return write(true);
      },
    };
  }

  async function answer(sessionId: string, request: ChatAsk): Promise<ChatAnswer> {
    const started = Date.now();
    const transcript = await load(sessionId);
    const context = await gatherChatContext(workspace, request.prompt, request.document);
    const target = models.describe("chat", { provider: request.provider, model: request.model });
    const prompt = buildChatPrompt({
      question: request.prompt,
      history: historyOf(transcript),
      document: context.document,
      named: context.named,
      unavailable: [...(request.unavailable ?? []), ...context.unavailable],
      contextTokens: target.contextTokens,
    });

    const turn: TranscriptTurn = {
      prompt: request.prompt,
      answer: "",
      status: "answering",
      at: new Date().toISOString(),
      shown: prompt.shown,
      unavailable: prompt.unavailable,
    };
    transcript.turns.push(turn);
    const documents = documentWriter(transcript);
    await documents.now();
    log(
      `chat ${sessionId}: asking ${target.provider}/${target.model} with ~${prompt.tokens} tokens, ` +
        `${prompt.historyTurns} earlier turns (${prompt.droppedTurns} dropped), ` +
        `files: ${prompt.shown.map((file) => file.path).join(", ") || "none"}` +
        (prompt.unavailable.length > 0 ? `, not shown: ${prompt.unavailable.map((item) => item.path).join(", ")}` : ""),
    );

    try {
      const result = await models.chat({
        role: "chat",
        messages: prompt.messages,
        onDelta: (delta) => {
          turn.answer += delta;
          request.onDelta?.(delta, sessionId);
          documents.soon();
        },
        signal: request.signal,
        ownerId: sessionId,
        files: context.files,
        ...(request.provider ? { provider: request.provider } : {}),
        ...(request.model ? { model: request.model } : {}),
        ...(request.consent ? { consent: request.consent } : {}),
      });
      // The final text is authoritative; it equals the streamed text whenever streaming worked.
      turn.answer = result.text !== "" ? result.text : turn.answer;
      turn.status = "answered";
      await documents.now();
      log(`chat ${sessionId}: answered by ${result.provider}/${result.model} in ${Date.now() - started} ms (${result.usage.completionTokens} tokens)`);
      return {
        sessionId,
        text: turn.answer,
        documentPath: state.pathOf(transcriptPaths(sessionId).markdown),
        shown: prompt.shown,
        unavailable: prompt.unavailable,
      };
    } catch (err) {
      const aborted = request.signal?.aborted === true || (err as { kind?: string })?.kind === "aborted";
      turn.status = aborted ? "stopped" : "failed";
      turn.note = aborted ? "The answer was cancelled." : err instanceof Error ? err.message : String(err);
      await documents.now();
      log(`chat ${sessionId}: ${aborted ? "cancelled" : "failed"} after ${Date.now() - started} ms`);
      throw err;
    }
  }

  return {
    ask(request) {
      if (typeof request.prompt !== "string" || request.prompt.trim() === "") {
        return Promise.reject(new ChatRequestError("empty-prompt", "Ask chat something: the prompt is empty."));
      }
      // An empty id is what a hand-written JSON argument sends for "none": start a new session.
      const sessionId = request.sessionId === undefined || request.sessionId === "" ? randomUUID() : request.sessionId;
      if (!SESSION_ID_PATTERN.test(sessionId)) {
        return Promise.reject(
          new ChatRequestError(
            "invalid-session",
            `"${sessionId}" is not a chat session id; pass back the sessionId an earlier answer gave, or none to start a new session.`,
          ),
        );
      }
      const previous = queues.get(sessionId) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(() => answer(sessionId, request));
      queues.set(sessionId, next);
      // Forget the queue once it is idle, so finished sessions hold no promises.
      void next.catch(() => undefined).finally(() => {
        if (queues.get(sessionId) === next) queues.delete(sessionId);
      });
      return next;
    },
    documentPath(sessionId) {
      return state.pathOf(transcriptPaths(sessionId).markdown);
    },
  };
}
