/**
 * A task or question named in a few words: the first line of its prompt, cut with an ellipsis when
 * it is too long for where it is shown. Each place has its own width, named below with its reason.
 */

export const TITLE_WIDTH = {
  /** A code-action menu sits next to the code; a long title would push the code off the screen. */
  codeAction: 40,
  /** A status line or spinner shares its line with the editor's own items. */
  progress: 50,
  /** A message popup wraps, but the title is only there to say which task a message is about. */
  message: 60,
  /** A document heading or an undo label has the whole width to itself. */
  document: 72,
} as const;

export function promptTitle(prompt: string, width: number): string {
  const line = (prompt.split("\n")[0] ?? "").trim();
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}
