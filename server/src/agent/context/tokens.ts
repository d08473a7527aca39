/**
 * The project's one token estimate, used for every budget (the repo map, file windows, the
 * prompt as a whole and Ollama's `num_ctx`). It runs on every line we consider sending, so it is
 * a single pass over character codes, with no tokenizer vocabulary to load.
 *
 * It is deliberately conservative for the code and prose Burrow sends: identifiers and words cost
 * about one token per three characters, punctuation about one per two (code tokenizers rarely
 * merge brackets and operators with their neighbours), a run of indentation is cheap, and every
 * non-ASCII UTF-16 unit costs a whole token (CJK text and emoji are close to one token per
 * character in the Qwen and GPT vocabularies). Because joining two texts never costs more than
 * the two apart, the sum of the estimates of the pieces is an upper bound for the estimate of the
 * whole, which is what lets the map and file views be assembled line by line without overshooting.
 */

/** Weights are in thirds of a token, so the whole sum stays in integers. */
const WORD_CHAR = 1;
const PUNCTUATION = 1.5;
const SPACE = 1;
const SPACE_IN_RUN = 0.5;
const NEWLINE = 1;
const NON_ASCII = 3;

/** A cheap, conservative estimate of how many tokens a model's tokenizer will make of `text`. */
export function estimateTokens(text: string): number {
  let weight = 0;
  let previousWasSpace = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) {
      weight += previousWasSpace ? SPACE_IN_RUN : SPACE;
      previousWasSpace = true;
      continue;
    }
    previousWasSpace = false;
    if (c === 10 || c === 13) weight += NEWLINE;
    else if (c >= 128) weight += NON_ASCII;
    else if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) weight += WORD_CHAR;
    else weight += PUNCTUATION;
  }
  return Math.ceil(weight / 3);
}
