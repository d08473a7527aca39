/**
 * The task most ACP tests run: one small file, greet(), whose return line the fake model rewrites
 * with a template string. Kept in one place so every test means the same file, plan and proposal.
 */
import { planAnswer, wholeFileAnswer } from "../helpers/scripted-model.js";

export const GREET_PATH = "src/greet.ts";
export const ORIGINAL = "export function greet(name: string): string {\n  return 'Hello ' + name;\n}\n";
export const PROPOSED = "export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n";
export const PROMPT = "Greet with a template string";

/** The plan, with a summary of the test's choosing (a marker to look for in the state directory). */
export function greetPlan(summary = "Use a template string in greet.", steps?: string[]) {
  return planAnswer(summary, [{ path: GREET_PATH, action: "modify" }], steps);
}

/** The edit answer: the whole new file. */
export const greetEdits = wholeFileAnswer({ [GREET_PATH]: PROPOSED });
