/**
 * Colour for the terminal commands: whether a stream gets ANSI colour at all, and a small palette
 * that degrades to plain text. The rules follow the conventions users already set in their shells:
 * `NO_COLOR` (any non-empty value) turns colour off, `FORCE_COLOR` (anything but `0` or `false`)
 * turns it on for pipes too, and otherwise colour is used only when the stream is a terminal.
 */

export interface Palette {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/** Decide colour for one output stream from the environment and whether the stream is a terminal. */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  return stream.isTTY === true;
}

export function palette(enabled: boolean): Palette {
  // Each helper closes its own attribute rather than resetting everything, so a coloured word
  // inside a bold line does not switch the bold off.
  const wrap = (open: number, close: number) => (text: string) =>
    enabled && text !== "" ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

/** The palette for a stream, decided once from the environment. */
export function paletteFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Palette {
  return palette(colourEnabled(stream, env));
}
