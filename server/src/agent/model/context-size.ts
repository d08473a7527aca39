/**
 * How large a context window (Ollama's `num_ctx`) each request gets, and whether the runtime
 * silently cut the prompt.
 *
 * The window is sized to the prompt plus room for the answer, rounded up to a fixed ladder of steps
 * and never lowered for a model once it was raised: Ollama reloads a model whenever `num_ctx`
 * changes, which costs seconds on a GPU and minutes on a CPU, so a few stable values are far better
 * than an exact fit. It is capped by the model's own limit (from `/api/show`) and the hardware
 * budget; a prompt that cannot fit even then is refused before anything is sent.
 */
import { estimateTokens as estimateTextTokens } from "../context/tokens.js";
import { refuse, type Outcome } from "../outcome.js";
import { ModelError, type ChatMessage } from "./types.js";

/**
 * The context budget for cloud models. Their windows are far larger (128K to 1M tokens), but every
 * token of context is workspace text leaving the machine and paid for, so a task gets what a good
 * local setup would get unless `contextTokens` asks for more.
 */
export const CLOUD_CONTEXT_BUDGET = 32_768;

/** The sizes a window may take; each is a multiple of 4096 so neighbouring prompts share one. */
export const contextSteps = [4096, 8192, 12288, 16384, 24576, 32768, 49152, 65536, 98304, 131072] as const;

/**
 * The smallest window Burrow uses: one step above Ollama's usual 4096, so that the common small and
 * medium prompts share one value and the model is loaded once.
 */
export const floorTokens = 8192;

/** The least room kept for an answer. */
export const minimumAnswerRoom = 1024;

/**
 * The prompt's size in tokens: the project's one (conservative) text estimate for each message,
 * plus each message's framing. Sizing with an overestimate costs a little memory, an underestimate
 * costs the prompt.
 */
export function estimateTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const m of messages) total += estimateTextTokens(m.content) + 4;
  return total;
}

/** Room wanted for the answer: half the prompt (a whole-file edit repeats what it was shown), within bounds. */
export function desiredAnswerRoom(promptTokens: number): number {
  return Math.min(8192, Math.max(2048, Math.ceil(promptTokens / 2)));
}

export type ContextChoice = Outcome<{ contextTokens: number; answerRoom: number; promptTokens: number }>;

export interface SizeInput {
  model: string;
  promptTokens: number;
  /** The model's own limit, when known. */
  modelLimit?: number;
  /** The hardware budget (the tier's context, or the contextTokens setting). */
  budget: number;
}

/**
 * Remembers, per model, the window last used so it never shrinks (which would force a reload), and
 * the model's own limit once its runtime has reported it.
 */
export class ContextSizer {
  private readonly used = new Map<string, number>();
  private readonly limits = new Map<string, number | undefined>();

  /** The model's own limit, if its runtime has been asked (undefined also when it reports none). */
  knownLimit(model: string): number | undefined {
    return this.limits.get(model);
  }

  /**
   * The model's own limit, asked of its runtime the first time and remembered. A runtime's error
   * (the model is not installed) is passed on and nothing is remembered.
   */
  async limitOf(model: string, ask: (model: string) => Promise<number | undefined>): Promise<number | undefined> {
    if (this.limits.has(model)) return this.limits.get(model);
    const limit = await ask(model);
    this.limits.set(model, limit);
    return limit;
  }

  /**
   * The window this model is loaded with, or will be (a preload asks before any request): the last
   * one used, else the first step. Answering commits to it, so later requests do not go below it.
   */
  current(model: string, budget: number, modelLimit?: number): number {
    const cap = Math.max(contextSteps[0], Math.min(budget, modelLimit ?? Number.POSITIVE_INFINITY));
    const value = Math.min(this.used.get(model) ?? Math.min(floorTokens, cap), cap);
    this.used.set(model, value);
    return value;
  }

  size(input: SizeInput): ContextChoice {
    const cap = Math.max(contextSteps[0], Math.min(input.budget, input.modelLimit ?? Number.POSITIVE_INFINITY));
    const wanted = input.promptTokens + desiredAnswerRoom(input.promptTokens);
    const previous = this.used.get(input.model) ?? Math.min(floorTokens, cap);
    let contextTokens = Math.min(Math.max(stepAtLeast(wanted, cap), previous), cap);
    if (input.promptTokens + minimumAnswerRoom > contextTokens) {
      // The ladder step is below the cap but the prompt needs the cap itself.
      contextTokens = cap;
    }
    if (input.promptTokens + minimumAnswerRoom > contextTokens) {
      const limitedBy = input.modelLimit !== undefined && input.modelLimit <= input.budget ? `${input.model}'s limit` : "the context this machine can afford";
      return refuse(
        `The request is about ${input.promptTokens} tokens, and ${limitedBy} is ${cap} tokens with at least ${minimumAnswerRoom} kept for the answer. Select less code or fewer files${limitedBy.startsWith("the context") ? ", or raise contextTokens if the machine has memory to spare" : ", or use a model with a larger context"}.`,
      );
    }
    this.used.set(input.model, contextTokens);
    return { ok: true, contextTokens, answerRoom: contextTokens - input.promptTokens, promptTokens: input.promptTokens };
  }
}

/** The smallest step at or above `tokens`, or the cap when no step fits under it. */
function stepAtLeast(tokens: number, cap: number): number {
  for (const step of contextSteps) if (step >= tokens && step <= cap) return step;
  return cap;
}

/**
 * The rule in docs/model-protocol.md ("When a prompt does not fit"): the prompt counts as truncated
 * when the runtime evaluated at least the window minus the answer room while our estimate said more
 * was sent. A prompt that filled the window to the last few tokens is treated as truncated as well:
 * nothing real fits that exactly.
 */
export function looksTruncated(input: { contextTokens: number; answerRoom: number; promptEvalCount: number; estimatedPromptTokens: number }): boolean {
  if (input.promptEvalCount <= 0) return false;
  const room = Math.min(input.answerRoom, minimumAnswerRoom);
  if (input.promptEvalCount >= input.contextTokens - room && input.estimatedPromptTokens > input.promptEvalCount) return true;
  return input.promptEvalCount >= input.contextTokens - 8;
}

/** The error for a prompt the runtime cut, naming the figures and what the user can do. */
export function truncatedError(runtimeLabel: string, evaluated: number, estimated: number, contextTokens: number): ModelError {
  return new ModelError(
    "truncated",
    `${runtimeLabel} read only ${evaluated} tokens of a prompt of about ${estimated} (the context window is ${contextTokens}), so part of it was cut. Select less code or fewer files, or raise contextTokens if the machine has memory to spare.`,
  );
}
