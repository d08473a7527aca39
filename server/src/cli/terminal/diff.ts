/**
 * How the terminal shows a proposed diff: the unified diff coloured line by line, each hunk header
 * annotated when the edit engine placed that hunk by a tolerant match (so the user looks twice at
 * exactly those), and a one-line count of what would change.
 *
 * The annotation goes after the closing `@@`, where unified diffs carry a section heading, so the
 * printed text stays a valid patch when stdout is redirected to a file.
 */
import type { Palette } from "./colour.js";

/** The part of a `burrow/taskUpdate` change entry the terminal uses. */
export interface ChangeSummary {
  hunkId: string;
  path: string;
  tier?: string;
}

// Tiers that mean "placed exactly where the model said": nothing to point out.
const PLAIN_TIERS = new Set(["exact", "whole-file", "new-file", "delete", "unified-diff"]);

const TIER_WORDS: Record<string, string> = {
  "trailing-whitespace": "matched ignoring trailing whitespace",
  indentation: "matched with different indentation",
  "leading-blank-line": "matched ignoring a leading blank line",
  elision: "matched around an elided (...) part",
  "unwrapped-fence": "matched after removing a stray code fence",
};

export function describeTier(tier: string | undefined): string | undefined {
  if (tier === undefined || PLAIN_TIERS.has(tier)) return undefined;
  return TIER_WORDS[tier] ?? `matched by the "${tier}" rule`;
}

/**
 * Colour a unified diff. `changes` lists the hunks in the order they appear in the diff, so the
 * n-th `@@` line belongs to the n-th change.
 */
export function colourDiff(diff: string, colours: Palette, changes: readonly ChangeSummary[] = []): string {
  const lines = diff.split("\n");
  let hunkIndex = 0;
  const out = lines.map((line) => {
    if (line.startsWith("--- ") || line.startsWith("+++ ")) return colours.bold(line);
    if (line.startsWith("diff ") || line.startsWith("index ") || line.startsWith("new file") || line.startsWith("deleted file")) {
      return colours.bold(line);
    }
    if (line.startsWith("@@")) {
      const note = describeTier(changes[hunkIndex]?.tier);
      hunkIndex += 1;
      return colours.cyan(line) + (note ? colours.yellow(`  (${note})`) : "");
    }
    if (line.startsWith("+")) return colours.green(line);
    if (line.startsWith("-")) return colours.red(line);
    if (line.startsWith("\\")) return colours.dim(line);
    return line;
  });
  return out.join("\n");
}

export interface DiffStats {
  files: string[];
  added: number;
  removed: number;
  hunks: number;
}

/** Count files, hunks and changed lines of a unified diff. */
export function diffStats(diff: string): DiffStats {
  const files: string[] = [];
  let added = 0;
  let removed = 0;
  let hunks = 0;
  let lastOld: string | undefined;
  for (const line of diff.split("\n")) {
    if (line.startsWith("--- ")) {
      lastOld = stripPrefix(line.slice(4));
    } else if (line.startsWith("+++ ")) {
      const newPath = stripPrefix(line.slice(4));
      // A deleted file's new side is /dev/null, so its name comes from the old side.
      const name = newPath === "/dev/null" ? lastOld : newPath;
      if (name !== undefined && name !== "/dev/null" && !files.includes(name)) files.push(name);
    } else if (line.startsWith("@@")) {
      hunks += 1;
    } else if (line.startsWith("+")) {
      added += 1;
    } else if (line.startsWith("-")) {
      removed += 1;
    }
  }
  return { files, added, removed, hunks };
}

function stripPrefix(name: string): string {
  // Headers may carry a tab and a timestamp after the name.
  const bare = name.split("\t")[0]!.trim();
  return bare.startsWith("a/") || bare.startsWith("b/") ? bare.slice(2) : bare;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
