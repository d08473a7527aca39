/**
 * Asking the model again: the one loop the plan round and the edit round share.
 *
 * An answer Burrow cannot use goes back to the model with a sentence saying what was wrong, and the
 * model answers again, a bounded number of times. The small-model guard lives here as well: the
 * same unusable answer twice means the model is stuck, and asking a third time would only burn the
 * user's time, so the round stops at once and says so.
 */
import type { ChatMessage } from "../model/types.js";

/**
 * Retries after the first answer, for the plan and the edits alike: the first attempt and at most
 * three more (docs/model-protocol.md, "When an edit cannot be placed"). Three is enough for a model
 * that is converging to take the hint, and the stuck guard ends a model that is not much sooner.
 * The plan round used to stop after three attempts in all; it now gets the same four as the edits,
 * since its answers are shorter and an extra try costs less there than anywhere else.
 */
export const MAX_RETRIES = 3;
export const MAX_ATTEMPTS = MAX_RETRIES + 1;

/**
 * What makes two answers "the same": their text with every run of whitespace collapsed. Layout
 * carries no meaning in a JSON plan, and the matcher already forgives whitespace in edits (trailing
 * spaces, a uniform indentation shift), so an answer that differs only there fails the same way.
 * Comparing trimmed text alone, as the plan round once did, let a model that re-indented its
 * answer loop to the last attempt.
 */
export function answerFingerprint(answer: string): string {
  return answer.replace(/\s+/g, " ").trim();
}

/** Why an answer could not be used: `reason` for the user, and whatever the round needs to correct it. */
export type Unusable<F> = { ok: false; reason: string } & F;

export type Reading<T, F> = ({ ok: true } & T) | Unusable<F>;

export interface RetryingRound<T, F> {
  /** The conversation so far; each unusable answer and its correction are appended to it. */
  messages: ChatMessage[];
  /** Send the conversation and return the answer's text (`attempt` counts from 1). */
  ask(messages: ChatMessage[], attempt: number): Promise<string>;
  read(answer: string): Reading<T, F>;
  /** The message that sends an unusable answer back; asked only when another attempt follows. */
  correction(unusable: Unusable<F>, attempt: number): string;
}

export type RoundResult<T> =
  | ({ ok: true; attempts: number } & T)
  | { ok: false; stuck: boolean; reason: string; attempts: number };

/** Ask until an answer can be used, the model repeats itself, or the attempts run out. */
export async function askUntilUsable<T, F>(round: RetryingRound<T, F>): Promise<RoundResult<T>> {
  const seen = new Set<string>();
  let reason = "";
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const answer = await round.ask(round.messages, attempt);
    const reading = round.read(answer);
    if (reading.ok) return { ...reading, attempts: attempt };
    reason = reading.reason;
    const fingerprint = answerFingerprint(answer);
    if (seen.has(fingerprint)) return { ok: false, stuck: true, reason, attempts: attempt };
    seen.add(fingerprint);
    if (attempt === MAX_ATTEMPTS) break;
    round.messages.push({ role: "assistant", content: answer }, { role: "user", content: round.correction(reading, attempt) });
  }
  return { ok: false, stuck: false, reason, attempts: MAX_ATTEMPTS };
}
