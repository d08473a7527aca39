/**
 * What a chat model is sent for one question: a system prompt that keeps chat to talking (it has
 * no way to change files), the session's earlier turns, and the question with its context (the
 * open document or its selected lines, and the files the user named), all inside the model's
 * context window.
 *
 * The budget is shared in a fixed order of importance. Room for the answer is kept first; the
 * question always goes in whole; the context the user pointed at comes next; the history gets
 * what is left, newest turns first, so the oldest turns are the first to go. A file that does not
 * fit is cut at a line boundary and the model is told how much it is not seeing.
 */
import { estimateTokens } from "../context/tokens.js";
import type { ChatMessage } from "../model/types.js";

export interface ChatTurn {
  prompt: string;
  answer: string;
}

export interface ChatDocument {
  path: string;
  text: string;
  /** 1-based inclusive lines. */
  selection?: { startLine: number; endLine: number };
}

export interface NamedFile {
  path: string;
  text: string;
}

/** A file the user named that the model is not shown, and the sandbox's reason. */
export interface Unavailable {
  path: string;
  reason: string;
}

export interface ChatPromptInput {
  question: string;
  history: readonly ChatTurn[];
  document?: ChatDocument;
  named: readonly NamedFile[];
  unavailable: readonly Unavailable[];
  /** The context window the request will be given, in tokens. */
  contextTokens: number;
}

/** What went into the prompt, for the chat document and the log. */
export interface ShownFile {
  path: string;
  /** The 1-based inclusive lines shown, when that is not the whole file. */
  lines?: { start: number; end: number; of: number };
  truncated: boolean;
}

export interface ChatPrompt {
  messages: ChatMessage[];
  tokens: number;
  historyTurns: number;
  droppedTurns: number;
  shown: ShownFile[];
  /** Everything named but not shown: the sandbox's refusals and files that found no room. */
  unavailable: Unavailable[];
}

export const CHAT_SYSTEM_PROMPT = [
  "You are Burrow's chat, a coding assistant that runs on the user's own machine.",
  "Answer questions about the user's code and help them think through changes.",
  "You cannot change files from chat and must not claim that you did.",
  "When the user wants a change made, explain it and suggest they start a Burrow task (`burrow run \"…\"` in a terminal, or the Burrow task command in their editor); Burrow will then show them a plan and a diff to approve.",
  "Use only the file contents you are shown; when you have not been shown a file, say so rather than guessing what it contains.",
  "Be concise. Put code in fenced blocks with a language tag.",
].join(" ");

/** Tokens assumed per message for the role markers a chat template adds. */
const MESSAGE_OVERHEAD = 8;
/** At most this share of the room after the answer reserve goes to files; the rest keeps history alive. */
const CONTEXT_SHARE = 0.6;

/** Room kept for the answer: a quarter of the window, within sensible bounds. */
export function answerReserve(contextTokens: number): number {
  return Math.min(4096, Math.max(256, Math.floor(contextTokens / 4)));
}

export function buildChatPrompt(input: ChatPromptInput): ChatPrompt {
  const window = input.contextTokens > 0 ? input.contextTokens : 8192;
  const fixed =
    estimateTokens(CHAT_SYSTEM_PROMPT) + estimateTokens(input.question) + estimateTokens(QUESTION_HEADING) + 2 * MESSAGE_OVERHEAD;
  const room = Math.max(0, window - answerReserve(window) - fixed);

  const sections: string[] = [];
  const shown: ShownFile[] = [];
  const unavailable = [...input.unavailable];
  let contextRoom = Math.floor(room * CONTEXT_SHARE);
  let used = 0;

  if (input.document) {
    const doc = input.document;
    const lines = splitLines(doc.text);
    const range = clampSelection(doc.selection, lines.length);
    const selected = range ? lines.slice(range.start - 1, range.end).join("\n") : doc.text;
    const heading = range
      ? `The user has \`${doc.path}\` open and has selected lines ${range.start}–${range.end} of ${lines.length}:`
      : `The user has \`${doc.path}\` open:`;
    // The document the user is looking at gets up to two thirds of the context room; named files share the rest.
    const block = renderFile(heading, doc.path, selected, Math.floor(contextRoom * (input.named.length > 0 ? 2 / 3 : 1)));
    if (!block) unavailable.push({ path: doc.path, reason: "no room was left for it in the model's context window" });
    if (block) {
      sections.push(block.text);
      used += block.tokens;
      contextRoom -= block.tokens;
      const firstLine = range ? range.start : 1;
      const shownEnd = firstLine + block.linesShown - 1;
      const whole = !range && !block.truncated;
      shown.push({
        path: doc.path,
        truncated: block.truncated,
        ...(whole ? {} : { lines: { start: firstLine, end: shownEnd, of: lines.length } }),
      });
    }
  }

  // Smaller files first, so one large file cannot starve the others of their share.
  const named = [...input.named].sort((a, b) => a.text.length - b.text.length);
  const rendered = new Map<string, string>();
  named.forEach((file, index) => {
    const share = Math.floor(contextRoom / (named.length - index));
    const block = renderFile(`\`${file.path}\`:`, file.path, file.text, share);
    if (!block) {
      unavailable.push({ path: file.path, reason: "no room was left for it in the model's context window" });
      return;
    }
    rendered.set(file.path, block.text);
    used += block.tokens;
    contextRoom -= block.tokens;
    const total = splitLines(file.text).length;
    shown.push({ path: file.path, truncated: block.truncated, ...(block.truncated ? { lines: { start: 1, end: block.linesShown, of: total } } : {}) });
  });
  // Named files appear in the order the user named them.
  const namedBlocks = input.named.map((file) => rendered.get(file.path)).filter((text): text is string => text !== undefined);
  if (namedBlocks.length > 0) sections.push(`Files the user named:\n\n${namedBlocks.join("\n\n")}`);

  if (unavailable.length > 0) {
    const list = unavailable.map((item) => `- \`${item.path}\`: ${item.reason}`).join("\n");
    const note = `Files the user named that you are not shown (tell the user if the answer depends on them):\n${list}`;
    sections.push(note);
    used += estimateTokens(note);
  }

  // History: newest first until the room left is used up; whole turns only.
  let historyRoom = room - used;
  const kept: ChatTurn[] = [];
  for (let i = input.history.length - 1; i >= 0; i--) {
    const turn = input.history[i]!;
    const cost = estimateTokens(turn.prompt) + estimateTokens(turn.answer) + 2 * MESSAGE_OVERHEAD;
    if (cost > historyRoom) break;
    historyRoom -= cost;
    kept.unshift(turn);
  }

  const messages: ChatMessage[] = [{ role: "system", content: CHAT_SYSTEM_PROMPT }];
  for (const turn of kept) {
    messages.push({ role: "user", content: turn.prompt }, { role: "assistant", content: turn.answer });
  }
  const question = sections.length > 0 ? `${sections.join("\n\n")}\n\n${QUESTION_HEADING}\n${input.question}` : input.question;
  messages.push({ role: "user", content: question });

  const tokens = messages.reduce((sum, message) => sum + estimateTokens(message.content) + MESSAGE_OVERHEAD, 0);
  return { messages, tokens, historyTurns: kept.length, droppedTurns: input.history.length - kept.length, shown, unavailable };
}

const QUESTION_HEADING = "The user's question:";

interface RenderedFile {
  text: string;
  tokens: number;
  linesShown: number;
  truncated: boolean;
}

/** A heading and a fenced listing within `budget` tokens, cut at a line boundary; undefined if not even a line fits. */
function renderFile(heading: string, path: string, text: string, budget: number): RenderedFile | undefined {
  const fence = fenceFor(text);
  const open = `${heading}\n${fence}${languageOf(path)}`;
  const lines = splitLines(text);
  const whole = `${open}\n${lines.join("\n")}\n${fence}`;
  const wholeTokens = estimateTokens(whole);
  if (wholeTokens <= budget) return { text: whole, tokens: wholeTokens, linesShown: lines.length, truncated: false };

  let left = budget - estimateTokens(`${open}\n${fence}\n`) - estimateTokens(truncationNote(lines.length));
  let count = 0;
  for (const line of lines) {
    const cost = estimateTokens(line) + 1;
    if (cost > left) break;
    left -= cost;
    count += 1;
  }
  if (count === 0) return undefined;
  const cut = `${open}\n${lines.slice(0, count).join("\n")}\n${fence}\n${truncationNote(lines.length - count)}`;
  return { text: cut, tokens: estimateTokens(cut), linesShown: count, truncated: true };
}

function truncationNote(hidden: number): string {
  return `(${hidden} more lines are not shown: the file is longer than the room left for it.)`;
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function clampSelection(
  selection: ChatDocument["selection"],
  lineCount: number,
): { start: number; end: number } | undefined {
  if (!selection || lineCount === 0) return undefined;
  const start = Math.min(Math.max(1, Math.floor(selection.startLine)), lineCount);
  const end = Math.min(Math.max(start, Math.floor(selection.endLine)), lineCount);
  return { start, end };
}

/** A fence longer than any backtick run in the text, so a listing that contains fences stays intact. */
function fenceFor(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(3, longest + 1));
}

function languageOf(path: string): string {
  const match = /\.([A-Za-z0-9]+)$/.exec(path);
  return match ? match[1]!.toLowerCase() : "";
}
