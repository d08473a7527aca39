/**
 * How the terminal shows a proposed diff: the unified diff coloured line by line, each hunk header
 * annotated when the edit engine placed that hunk by a tolerant match (so the user looks twice at
 * exactly those), a count of what would change, and the hunks one by one for choosing some of them.
 *
 * Lines are classified by reading the diff as a diff: inside a hunk, the counts in its `@@` header
 * say how many lines belong to it, so a removed line that reads `-- comment` is a removal, not a
 * file header. The annotation goes after the closing `@@`, where unified diffs carry a section
 * heading, so the printed text stays a valid patch when stdout is redirected to a file.
 */
import type { Palette } from "./colour.js";

/** The part of a `burrow/taskUpdate` change entry the terminal uses. */
export interface ChangeSummary {
  hunkId: string;
  path: string;
  tier?: string;
}

type LineKind = "old-file" | "new-file" | "meta" | "hunk" | "context" | "add" | "remove" | "no-newline" | "other";

interface DiffLine {
  kind: LineKind;
  text: string;
}

const HUNK_HEADER = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;

/** Classify every line of a unified diff, using each hunk's line counts to know where it ends. */
function classify(diff: string): DiffLine[] {
  const out: DiffLine[] = [];
  let oldLeft = 0;
  let newLeft = 0;
  for (const text of diff.split("\n")) {
    const inHunk = oldLeft > 0 || newLeft > 0;
    if (inHunk && text.startsWith("+")) {
      newLeft -= 1;
      out.push({ kind: "add", text });
    } else if (inHunk && text.startsWith("-")) {
      oldLeft -= 1;
      out.push({ kind: "remove", text });
    } else if (inHunk && (text.startsWith(" ") || text === "")) {
      oldLeft -= 1;
      newLeft -= 1;
      out.push({ kind: "context", text });
    } else if (text.startsWith("\\")) {
      out.push({ kind: "no-newline", text });
    } else if (text.startsWith("@@")) {
      const counts = HUNK_HEADER.exec(text);
      // A missing count means one line (`@@ -3 +3 @@`).
      oldLeft = counts ? Number(counts[1] ?? 1) : 0;
      newLeft = counts ? Number(counts[2] ?? 1) : 0;
      out.push({ kind: "hunk", text });
    } else if (text.startsWith("--- ")) {
      out.push({ kind: "old-file", text });
    } else if (text.startsWith("+++ ")) {
      out.push({ kind: "new-file", text });
    } else if (/^(diff |index |new file|deleted file|similarity |rename |old mode|new mode)/.test(text)) {
      out.push({ kind: "meta", text });
    } else {
      oldLeft = 0;
      newLeft = 0;
      out.push({ kind: "other", text });
    }
  }
  return out;
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
  let hunkIndex = 0;
  return classify(diff)
    .map(({ kind, text }) => {
      switch (kind) {
        case "old-file":
        case "new-file":
        case "meta":
          return colours.bold(text);
        case "hunk": {
          const note = describeTier(changes[hunkIndex]?.tier);
          hunkIndex += 1;
          return colours.cyan(text) + (note ? colours.yellow(`  (${note})`) : "");
        }
        case "add":
          return colours.green(text);
        case "remove":
          return colours.red(text);
        case "no-newline":
          return colours.dim(text);
        default:
          return text;
      }
    })
    .join("\n");
}

/** One hunk of a unified diff: the file it belongs to and its text from the `@@` line on. */
export interface DiffHunk {
  path: string;
  text: string;
}

/** The hunks of a unified diff, in order (the n-th matches the n-th change the server lists). */
export function splitHunks(diff: string): DiffHunk[] {
  const hunks: DiffHunk[] = [];
  const names = fileNames();
  let current: string[] | undefined;
  const close = () => {
    if (current) hunks.push({ path: names.current(), text: current.join("\n") });
    current = undefined;
  };
  for (const line of classify(diff)) {
    if (line.kind === "hunk") {
      close();
      current = [line.text];
    } else if (current && (line.kind === "add" || line.kind === "remove" || line.kind === "context" || line.kind === "no-newline")) {
      current.push(line.text);
    } else {
      close();
      names.see(line);
    }
  }
  close();
  return hunks;
}

export interface DiffStats {
  files: string[];
  added: number;
  removed: number;
  hunks: number;
}

/** Count files, hunks and changed lines of a unified diff. */
export function diffStats(diff: string): DiffStats {
  const names = fileNames();
  const files: string[] = [];
  let added = 0;
  let removed = 0;
  let hunks = 0;
  for (const line of classify(diff)) {
    names.see(line);
    if (line.kind === "new-file") {
      const name = names.current();
      if (name !== "" && !files.includes(name)) files.push(name);
    } else if (line.kind === "hunk") hunks += 1;
    else if (line.kind === "add") added += 1;
    else if (line.kind === "remove") removed += 1;
  }
  return { files, added, removed, hunks };
}

/** Track the file a part of the diff is about; a deleted file's new side is /dev/null, so it is named by its old side. */
function fileNames() {
  let oldName = "";
  let name = "";
  return {
    see(line: DiffLine) {
      if (line.kind === "old-file") oldName = stripPrefix(line.text.slice(4));
      if (line.kind === "new-file") {
        const newName = stripPrefix(line.text.slice(4));
        name = newName === "/dev/null" ? oldName : newName;
      }
    },
    current: () => name,
  };
}

function stripPrefix(header: string): string {
  // Headers may carry a tab and a timestamp after the name.
  const bare = header.split("\t")[0]!.trim();
  return bare.startsWith("a/") || bare.startsWith("b/") ? bare.slice(2) : bare;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
