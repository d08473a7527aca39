/**
 * What the model is told about writing edits, and which of the two formats it is asked for.
 *
 * The choice follows published results for Qwen coders (docs/model-protocol.md, "Which format is
 * asked for"): small models write complete files reliably and SEARCH/REPLACE blocks poorly, larger
 * ones handle blocks well, and any model that keeps missing on a file does better rewriting it
 * whole. The parser reads every format whatever was asked, so these texts only steer the model;
 * they never limit what is accepted.
 */
import type { EditFormat } from "./types.js";

/** Files up to this many lines are always rewritten whole: cheap to send back and never mismatched. */
export const SMALL_FILE_LINES = 150;
/** Models of at least this many billion parameters are asked for SEARCH/REPLACE blocks on larger files. */
export const SEARCH_REPLACE_MIN_SIZE_B = 14;
/** After this many failed matches on one file the model is asked to rewrite that file whole. */
export const FAILED_MATCHES_BEFORE_WHOLE_FILE = 2;

/**
 * Pick the format the model is asked to write for one file.
 *
 * `modelSizeB` is the model's size in billions of parameters; undefined means unknown, which in
 * practice is a cloud model, large enough for blocks. `failedMatchesOnFile` counts the blocks on this
 * file that failed to match in this task so far.
 */
export function chooseEditFormat(
  modelSizeB: number | undefined,
  fileLines: number,
  failedMatchesOnFile: number,
): EditFormat {
  if (failedMatchesOnFile >= FAILED_MATCHES_BEFORE_WHOLE_FILE) return "whole-file";
  if (fileLines <= SMALL_FILE_LINES) return "whole-file";
  if (modelSizeB !== undefined && modelSizeB < SEARCH_REPLACE_MIN_SIZE_B) return "whole-file";
  return "search-replace";
}

const wholeFileText = `How to write your changes

For every file you change or create, write its path alone on one line, then a fenced code block
holding the complete new content of that file. Write every line of the file, including the lines you
did not change: never shorten it with "...", "// rest of the code unchanged" or similar comments,
because the listing replaces the file exactly as written.

Rules:
- The path goes alone on the line just above the opening fence, exactly as it was given to you.
- Write one listing per file. Do not write a file you are not changing.
- If you were shown only some lines of a file (a window such as "lines 120-180"), your listing
  replaces just those lines: write the whole window, and nothing outside it.
- If the file itself contains lines starting with \`\`\`, open and close your listing with four
  backticks (\`\`\`\`) instead of three.
- Put any explanation before or after the listings, never inside them.

Example: to make greet() use an f-string, the answer is

src/greet.py
\`\`\`python
import sys


def greet(name):
    return f"Hello, {name}"


if __name__ == "__main__":
    print(greet(sys.argv[1]))
\`\`\`
`;

const searchReplaceText = `How to write your changes

Write each change as a SEARCH/REPLACE block:
1. the file's path alone on one line, exactly as it was given to you;
2. an opening fence, e.g. \`\`\`python;
3. the line <<<<<<< SEARCH;
4. a run of lines copied exactly from the current file: every character, space, comment and blank line;
5. the line =======;
6. the lines that replace them;
7. the line >>>>>>> REPLACE;
8. the closing fence \`\`\`.

Rules:
- The SEARCH part must match exactly one place in the file. Include enough surrounding lines to make
  it unique, and no more: a few lines around the change are usually right.
- Use several short blocks rather than one long one; each block is applied in the order written.
- To delete lines, leave the REPLACE part empty. To move code, write one block that removes it and
  one that adds it back where it belongs.
- To create a new file, write a block whose SEARCH part is empty and whose REPLACE part is the
  whole new file.
- Only edit the files you were given (and files the plan creates). Put any explanation outside the
  blocks.

Example: to make greet() use an f-string, the answer is

src/greet.py
\`\`\`python
<<<<<<< SEARCH
def greet(name):
    return "Hello, " + name
=======
def greet(name):
    return f"Hello, {name}"
>>>>>>> REPLACE
\`\`\`
`;

/** The system-prompt text that teaches the model the format it should write. */
export function formatInstructions(format: EditFormat): string {
  return format === "whole-file" ? wholeFileText : searchReplaceText;
}
