/**
 * The questions `burrow run` asks at its gates: approve, revise or reject a plan; apply, choose
 * some, revise or reject a diff; allow files to leave for a cloud provider. Each asks until the
 * answer is one it knows, and treats the end of input as "no", so a script that runs out of answers
 * never approves anything by accident.
 */
import type { Palette } from "./colour.js";
import { colourDiff, plural, type ChangeSummary, type DiffHunk } from "./diff.js";
import { interpretAnswer, type GateAnswer } from "./lines.js";
import type { TaskUpdate } from "../../protocol/index.js";

/** Print a question and resolve the answer line, or null at the end of input (or on Ctrl-C). */
export type Ask = (question: string) => Promise<string | null>;

export interface GateDecision {
  answer: GateAnswer;
  feedback?: string;
}

/**
 * Ask until the answer is one of the accepted words. The end of input (or Ctrl-C) is a rejection;
 * a revision reads one more line of feedback, and an empty or missing one is asked for again.
 */
export async function askGate(
  ask: Ask,
  question: string,
  interrupted: () => boolean,
  canSelect: boolean,
): Promise<GateDecision> {
  for (;;) {
    const line = await ask(question);
    if (line === null) {
      if (!interrupted()) process.stderr.write("burrow: no answer (end of input), so this is a rejection.\n");
      return { answer: "reject" };
    }
    const answer = interpretAnswer(line);
    if (answer === undefined || (answer === "select" && !canSelect)) {
      const words = canSelect ? "y (yes), s (some), r (revise) or n (no)" : "y (yes), r (revise) or n (no)";
      process.stderr.write(`burrow: please answer ${words}; "${line.trim()}" is none of them.\n`);
      continue;
    }
    if (answer !== "revise") return { answer };
    for (;;) {
      const feedback = await ask("What should change? (one line): ");
      if (feedback === null) {
        if (!interrupted()) process.stderr.write("burrow: no feedback (end of input), so this is a rejection.\n");
        return { answer: "reject" };
      }
      if (feedback.trim() !== "") return { answer: "revise", feedback: feedback.trim() };
    }
  }
}

/**
 * Show the changes one at a time and ask about each; the ids of the chosen ones, or undefined when
 * the input ended (which, as everywhere, means nothing is applied).
 */
export async function chooseHunks(
  ask: Ask,
  changes: readonly ChangeSummary[],
  hunks: readonly DiffHunk[],
  colours: Palette,
  interrupted: () => boolean,
): Promise<string[] | undefined> {
  const chosen: string[] = [];
  for (let i = 0; i < changes.length; i++) {
    process.stdout.write(`\n${colours.bold(`Change ${i + 1} of ${changes.length}, in ${hunks[i]!.path}:`)}\n${colourDiff(hunks[i]!.text, colours, [changes[i]!])}\n`);
    for (;;) {
      const line = await ask("Apply this change? [y]es, [n]o: ");
      if (line === null) {
        if (!interrupted()) process.stderr.write("burrow: no answer (end of input), so nothing is applied.\n");
        return undefined;
      }
      const answer = interpretAnswer(line);
      if (answer === "approve") chosen.push(changes[i]!.hunkId);
      if (answer === "approve" || answer === "reject") break;
      process.stderr.write(`burrow: please answer y (yes) or n (no); "${line.trim()}" is neither.\n`);
    }
  }
  return chosen;
}

/** Ask before files leave the machine; anything but a yes (the end of input included) is a no. */
export async function askConsent(
  ask: Ask,
  consent: NonNullable<TaskUpdate["consent"]>,
  interrupted: () => boolean,
): Promise<boolean> {
  const files = consent.files ?? [];
  const kb = ((consent.bytes ?? 0) / 1024).toFixed(1);
  const where = `${consent.host ?? "an unknown host"}${consent.provider ? ` (${consent.provider})` : ""}`;
  const list = files.length > 0 ? `: ${files.slice(0, 8).join(", ")}${files.length > 8 ? ", …" : ""}` : "";
  process.stderr.write(`\nThis task would send ${plural(files.length, "file")} (${kb} KB) to ${where}${list}.\n`);
  for (;;) {
    const line = await ask("Send them? [y]es, [n]o: ");
    if (line === null) {
      if (!interrupted()) process.stderr.write("burrow: no answer (end of input), so nothing is sent.\n");
      return false;
    }
    const answer = interpretAnswer(line);
    if (answer === "approve") return true;
    if (answer === "reject") return false;
    process.stderr.write(`burrow: please answer y (yes) or n (no); "${line.trim()}" is neither.\n`);
  }
}
