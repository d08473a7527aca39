/**
 * A chat session as Burrow keeps it: the turns in memory, a JSON copy under the state directory so
 * a session survives a server restart, and the chat document (`chats/<sessionId>.md`), a readable
 * transcript for clients that cannot show streamed notifications (Helix opens it as a file).
 *
 * Only answered turns become history for the model; a turn the user stopped or that failed is kept
 * in the document, marked as such, so the user sees what happened, but the model never builds on a
 * half answer.
 */
import type { ChatTurn, ShownFile, Unavailable } from "./prompt.js";

export type TurnStatus = "answering" | "answered" | "stopped" | "failed";

export interface TranscriptTurn {
  prompt: string;
  answer: string;
  status: TurnStatus;
  /** ISO time the question was asked. */
  at: string;
  shown: ShownFile[];
  unavailable: Unavailable[];
  /** For a stopped or failed turn: the sentence saying why. */
  note?: string;
}

export interface Transcript {
  version: 1;
  sessionId: string;
  startedAt: string;
  turns: TranscriptTurn[];
}

/** Session ids name files under the state directory, so they are restricted to a safe alphabet. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function transcriptPaths(sessionId: string): { json: string; markdown: string } {
  return { json: `chats/${sessionId}.json`, markdown: `chats/${sessionId}.md` };
}

export function newTranscript(sessionId: string, now = new Date()): Transcript {
  return { version: 1, sessionId, startedAt: now.toISOString(), turns: [] };
}

/** The turns the model may build on. */
export function historyOf(transcript: Transcript): ChatTurn[] {
  return transcript.turns
    .filter((turn) => turn.status === "answered")
    .map((turn) => ({ prompt: turn.prompt, answer: turn.answer }));
}

/** Read a stored transcript back; null when the text is not one (a damaged or foreign file). */
export function parseTranscript(text: string, sessionId: string): Transcript | null {
  try {
    const data = JSON.parse(text) as Partial<Transcript>;
    if (data.version !== 1 || data.sessionId !== sessionId || !Array.isArray(data.turns)) return null;
    const turns = data.turns.filter(
      (turn): turn is TranscriptTurn => typeof turn?.prompt === "string" && typeof turn?.answer === "string",
    );
    // A turn still "answering" in a stored copy was cut off by a restart.
    for (const turn of turns) {
      if (turn.status === "answering") {
        turn.status = "stopped";
        turn.note = "The server stopped before the answer was finished.";
      }
      turn.shown ??= [];
      turn.unavailable ??= [];
    }
    return { version: 1, sessionId, startedAt: data.startedAt ?? new Date().toISOString(), turns };
  } catch {
    return null;
  }
}

/** The chat document: the whole conversation as Markdown. */
export function renderTranscript(transcript: Transcript): string {
  const out: string[] = [
    "# Burrow chat",
    "",
    `Session \`${transcript.sessionId}\`, started ${readableTime(transcript.startedAt)}.`,
    "Chat never changes your files; to have a change made, start a Burrow task and approve its plan and diff.",
  ];
  for (const turn of transcript.turns) {
    out.push("", "---", "", `## You (${readableTime(turn.at)})`, "", turn.prompt.trim());
    const context = describeContext(turn);
    if (context) out.push("", `_${context}_`);
    out.push("", "## Burrow", "");
    if (turn.answer.trim() !== "") out.push(turn.answer.trimEnd());
    if (turn.status === "answering") out.push("", "_Burrow is still answering…_");
    if (turn.status === "stopped") out.push("", `_Stopped. ${turn.note ?? "The answer was cancelled."}_`);
    if (turn.status === "failed") out.push("", `_No answer: ${turn.note ?? "the model request failed."}_`);
  }
  return `${out.join("\n")}\n`;
}

function describeContext(turn: TranscriptTurn): string {
  const parts: string[] = [];
  if (turn.shown.length > 0) {
    const files = turn.shown.map((file) => {
      if (!file.lines) return `\`${file.path}\``;
      const cut = file.truncated ? ", cut to fit" : "";
      return `\`${file.path}\` (lines ${file.lines.start}–${file.lines.end} of ${file.lines.of}${cut})`;
    });
    parts.push(`Shown to the model: ${files.join(", ")}.`);
  }
  if (turn.unavailable.length > 0) {
    const files = turn.unavailable.map((item) => `\`${item.path}\` (${item.reason.replace(/\.$/, "")})`);
    parts.push(`Not shown: ${files.join(", ")}.`);
  }
  return parts.join(" ");
}

function readableTime(iso: string): string {
  // "2026-11-27T13:40:12.345Z" reads better as "2026-11-27 13:40 UTC".
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}
