/**
 * The hunks of a unified diff a model wrote, read leniently: with or without line numbers in the
 * `@@` headers, with context lines whose leading space was lost, with "\ No newline" markers. Each
 * hunk becomes the lines it expects (context and removals) and the lines it leaves (context and
 * additions); the matcher places it like a SEARCH/REPLACE block.
 */

export interface PatchHunk {
  /** The 1-based old start line from the `@@` header, when the model gave one. */
  oldStart?: number;
  oldLines: string[];
  newLines: string[];
}

const HEADER = /^@@\s*-(\d+)(?:,\d+)?\s+\+\d+(?:,\d+)?\s*@@/;

export function parsePatchHunks(patch: string): PatchHunk[] {
  const hunks: PatchHunk[] = [];
  let current: PatchHunk | undefined;
  for (const raw of patch.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.startsWith("@@")) {
      const numbers = HEADER.exec(line);
      current = { oldLines: [], newLines: [] };
      if (numbers) current.oldStart = Number(numbers[1]);
      hunks.push(current);
      continue;
    }
    if (line.startsWith("\\")) continue;
    if (!current) {
      current = { oldLines: [], newLines: [] };
      hunks.push(current);
    }
    const mark = line[0];
    if (mark === "-") current.oldLines.push(line.slice(1));
    else if (mark === "+") current.newLines.push(line.slice(1));
    else {
      const text = mark === " " ? line.slice(1) : line;
      current.oldLines.push(text);
      current.newLines.push(text);
    }
  }
  // Blank context at a hunk's edges is usually the model's spacing between hunks, not file content.
  for (const hunk of hunks) {
    while (hunk.oldLines.length > 0 && hunk.newLines.length > 0 && hunk.oldLines[hunk.oldLines.length - 1] === "" && hunk.newLines[hunk.newLines.length - 1] === "") {
      hunk.oldLines.pop();
      hunk.newLines.pop();
    }
  }
  return hunks.filter((h) => h.oldLines.join("\n") !== h.newLines.join("\n"));
}
