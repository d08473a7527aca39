/**
 * The file set shared by the crash-safety test and the process it kills: which files, what
 * version v of each looks like, and how to read the version back.
 */
export const FILES = ["src/a.ts", "src/b.ts", "lib/deep/c.ts", "README.md", "script.sh"] as const;
export const TOGGLE = "gen/toggle.txt";
/** `script.sh` is executable; the commit must keep its mode. */
export const EXECUTABLE = "script.sh";

export function contentOf(index: number, version: number): string {
  const padding = `// padding ${index} ${version}\n`.repeat(200 + index * 50);
  return `file ${index} version ${version}\n${padding}end ${index} ${version}\n`;
}

/** The version a file holds, or NaN when it is not exactly one whole version (torn, mixed, empty). */
export function parseVersion(text: string): number {
  const match = /^file (\d+) version (\d+)\n/.exec(text);
  if (!match) return Number.NaN;
  const version = Number(match[2]);
  return text === contentOf(Number(match[1]), version) ? version : Number.NaN;
}
