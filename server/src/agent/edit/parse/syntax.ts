/**
 * The lines that give a model's answer its structure, whatever the format: fence openings and
 * closings, SEARCH/REPLACE markers, the tags of Cline-style tool calls. Every reader uses them, and
 * finding a file's name needs them too (a name line is never a marker), so they live apart from the
 * readers of each format.
 */

export const SEARCH = /^\s*(?:<{3,9}|-{3,9})\s*SEARCH\s*>?\s*$/i;
export const DIVIDER = /^\s*={5,9}\s*$/;
export const REPLACE = /^\s*(?:>{3,9}|\+{3,9})\s*REPLACE\s*>?\s*$/i;
const FENCE_OPEN = /^\s*(`{3,}|~{3,})\s*([^`]*)$/;
/** The tags of Cline-style tool calls, which carry no content of their own. */
export const TOOL_TAG = /^\s*<\/?(?:write_to_file|replace_in_file|diff|content|args|tool_call)>\s*$/i;
export const CONTENT_OPEN = /^\s*<content>\s*$/i;
export const CONTENT_CLOSE = /^\s*<\/content>\s*$/i;

/** A fence opening: its marker (three or more backticks or tildes) and its info string. */
export interface Fence {
  marker: string;
  info: string;
}

export function fenceOpen(line: string): Fence | undefined {
  const m = FENCE_OPEN.exec(line);
  return m ? { marker: m[1]!, info: m[2]!.trim() } : undefined;
}

/** Whether the line closes a fence opened with `marker` (a bare run of the same character, at least as long). */
export function closes(line: string, marker: string): boolean {
  const t = line.trim();
  return t.length >= marker.length && t[0] === marker[0] && /^(`+|~+)$/.test(t);
}

/** The first word of a fence's info string, lower-cased: its language, or a name. */
export function fenceLanguage(fence: Fence): string {
  return fence.info.split(/\s+/)[0]!.toLowerCase();
}

/** A line that is part of an answer's structure rather than prose: a fence opening or a marker. */
export function isStructural(line: string): boolean {
  return Boolean(fenceOpen(line)) || SEARCH.test(line) || DIVIDER.test(line) || REPLACE.test(line);
}

/**
 * Drop reasoning sections (`<think>…</think>`, as Qwen3 and DeepSeek-R1 write them): drafts of
 * blocks inside them are not the answer. An unclosed section runs to the end of the text.
 */
export function withoutThinking(text: string): string {
  return text.replace(/<think(?:ing)?>[\s\S]*?(?:<\/think(?:ing)?>|$)/g, "");
}

/** Lines back to text, each with its "\n", so a blank last line is not lost ("" stays no lines). */
export function joinLines(lines: string[]): string {
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}
