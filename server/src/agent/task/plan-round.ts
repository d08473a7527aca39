/**
 * The plan round: read the repository for the task, ask the model for a plan in the plan's JSON
 * schema, and check every file it names against the sandbox before the user sees it at gate 1.
 *
 * The runtime check (`preflight`) runs while the repository is read, so a stopped runtime or a
 * missing model fails the task in a moment. An unusable plan goes back to the model through the
 * loop the edit round shares (retry.ts).
 */
import { currentTextOf, displayPath, openDocumentFor } from "./input.js";
import { planMessages, PLAN_JSON_SCHEMA, readPlan, type Plan } from "./plan.js";
import { askUntilUsable } from "./retry.js";
import { overridesOf, TaskFailure, throwIfCancelled, type TaskRun } from "./run.js";
import type { Task } from "./task.js";

/**
 * The repository map gets 35% of the context window in the plan request. The rest is for what the
 * request carries besides the map and does not budget: the instructions, the user's selection
 * (shown whole), earlier feedback and, on a revision, the previous plan, plus the JSON answer.
 */
export const PLAN_MAP_SHARE = 0.35;
/** Below this a map names too few files to plan with, however small the window. */
export const PLAN_MAP_MIN_TOKENS = 512;

export async function makePlan(run: TaskRun, task: Task): Promise<Plan> {
  const { deps } = run;
  const overrides = overridesOf(task);
  const described = deps.models.describe("coder", overrides);
  const budget = Math.max(PLAN_MAP_MIN_TOKENS, Math.floor(described.contextTokens * PLAN_MAP_SHARE));
  const openDocument = await openDocumentFor(deps, task);
  run.progress(task, `Reading the repository for ${described.model}…`);
  const preflight = deps.preflight?.(overrides).then((p) => {
    if (!p.ok) throw new TaskFailure(p.code, p.reason);
  });
  // The check and the reading run together; a failed check wins without waiting for the reading.
  const building = deps.context.build({ task: task.request.prompt, budgetTokens: budget, openDocument });
  const [context] = await Promise.all([building, preflight]);
  throwIfCancelled(task);
  const round = await askUntilUsable<{ plan: Plan }, object>({
    messages: planMessages({
      task: task.request.prompt,
      repoMap: context.map,
      openDocument,
      revision: task.revision,
      feedback: task.feedback,
    }),
    ask: async (messages, attempt) => {
      run.progress(task, attempt === 1 ? `Planning with ${described.model}…` : `Planning again (attempt ${attempt})…`);
      const result = await deps.models.chat({
        role: "coder",
        messages,
        format: PLAN_JSON_SCHEMA,
        signal: task.abort.signal,
        ...overrides,
        ownerId: task.id,
        files: context.files.map((f) => f.path),
        consent: (c) => run.gates.consent(task, c),
        onProgress: (e) => run.progress(task, e.message),
        temperature: 0,
      });
      throwIfCancelled(task);
      return result.text;
    },
    read: readPlan,
    correction: (unusable) => `${unusable.reason} Answer again with only the JSON object described above.`,
  });
  if (round.ok) return checkPlanFiles(run, task, round.plan);
  if (round.stuck) {
    throw new TaskFailure("model-stuck", `The model returned the same unusable plan twice (${round.reason}) A larger model may do better: retry with a "model" such as qwen2.5-coder:7b.`);
  }
  throw new TaskFailure("bad-plan", `The model did not return a usable plan after ${round.attempts} attempts. Try rephrasing the task or a larger model.`);
}

/** Mark plan files the sandbox refuses (they can never be read or changed), and name each as the model should. */
async function checkPlanFiles(run: TaskRun, task: Task, plan: Plan): Promise<Plan> {
  for (const f of plan.files) {
    const intent = f.action === "read" ? "read" : "write";
    const located = await run.deps.workspace.locate(f.path, intent);
    if (!located.ok) {
      f.refused = located.reason;
      continue;
    }
    f.path = displayPath(located);
    task.locations.set(f.path, located);
    if (f.action === "read" || f.action === "modify" || f.action === "delete") {
      const exists = await currentTextOf(run.deps, located.abs);
      if (exists === null && f.action !== "modify") f.refused = "the file does not exist";
      if (exists === null && f.action === "modify") f.action = "create";
    }
  }
  return plan;
}
