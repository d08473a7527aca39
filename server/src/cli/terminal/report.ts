/**
 * How `burrow run` shows a task on stdout: the plan (summary, steps, files with their actions and
 * any file Burrow refuses to touch), the proposed diff with its counts, and the one-line result.
 * Stdout carries only these, so `burrow run … > log` keeps a clean record of what was proposed.
 */
import type { Palette } from "./colour.js";
import { colourDiff, diffStats, plural } from "./diff.js";
import type { TaskUpdate } from "../../protocol/index.js";

export function printPlan(update: TaskUpdate, colours: Palette): void {
  // Read defensively: the terminal shows whatever part of the plan arrived rather than fail on it.
  const plan = update.plan;
  const lines: string[] = ["", `${colours.bold("Plan:")} ${plan?.summary?.trim() || "(the model gave no summary)"}`];
  const steps = (plan?.steps ?? []).filter((step) => step.description?.trim());
  if (steps.length > 0) {
    lines.push("", colours.bold("Steps:"));
    steps.forEach((step, index) => lines.push(`  ${index + 1}. ${step.description!.trim()}`));
  }
  const files = (plan?.files ?? []).filter((file) => file.path);
  if (files.length > 0) {
    lines.push("", colours.bold("Files:"));
    const width = Math.max(...files.map((file) => (file.action ?? "").length), 6);
    for (const file of files) {
      const action = (file.action ?? "?").padEnd(width);
      const reason = file.reason?.trim() ? ` ${colours.dim(`— ${file.reason.trim()}`)}` : "";
      // A file Burrow will not touch (outside the folder, a secret) stays in the list, marked, so the
      // user approves the plan knowing which part of it cannot happen.
      const refused = file.refused ? `\n      ${colours.red(`refused: ${file.refused}`)}` : "";
      lines.push(`  ${colourAction(file.action, action, colours)}  ${file.path}${reason}${refused}`);
    }
  }
  if (update.documents?.plan) lines.push("", colours.dim(`(The plan is also saved as ${update.documents.plan}.)`));
  process.stdout.write(`${lines.join("\n")}\n\n`);
}

function colourAction(action: string | undefined, text: string, colours: Palette): string {
  switch (action) {
    case "create":
      return colours.green(text);
    case "delete":
      return colours.red(text);
    case "modify":
      return colours.yellow(text);
    default:
      return colours.dim(text);
  }
}

/** Print the proposed diff; false when there is nothing in it. */
export function printDiff(update: TaskUpdate, colours: Palette): boolean {
  const diff = update.diff ?? "";
  if (diff.trim() === "") return false;
  const stats = diffStats(diff);
  const hunks = update.changes?.length ?? stats.hunks;
  const heading = `Proposed changes: ${plural(hunks, "change")} in ${plural(stats.files.length, "file")} (${colours.green(`+${stats.added}`)} ${colours.red(`-${stats.removed}`)})`;
  const body = colourDiff(diff.endsWith("\n") ? diff.slice(0, -1) : diff, colours, update.changes ?? []);
  const saved = update.documents?.diff ? `\n${colours.dim(`(The diff is also saved as ${update.documents.diff}.)`)}` : "";
  process.stdout.write(`\n${colours.bold(heading)}\n\n${body}\n${saved}\n`);
  return true;
}

export function appliedSentence(update: TaskUpdate, shown: TaskUpdate | undefined, colours: Palette): string {
  const diff = update.diff ?? shown?.diff ?? "";
  const changes = update.changes ?? shown?.changes;
  const declinedIds = new Set(update.declinedHunks ?? []);
  const declined = declinedIds.size;
  // The files named are those that received at least one change, not every file in the diff.
  const files = changes
    ? [...new Set(changes.filter((change) => !declinedIds.has(change.hunkId)).map((change) => change.path))]
    : diffStats(diff).files;
  const total = changes?.length ?? diffStats(diff).hunks;
  const applied = Math.max(total - declined, 0);
  const where = files.length > 0 ? `: ${files.join(", ")}` : "";
  const declinedNote = declined > 0 ? ` (${plural(declined, "change")} declined)` : "";
  return `${colours.green("Applied")} ${plural(applied, "change")} to ${plural(files.length, "file")}${where}${declinedNote}.`;
}
