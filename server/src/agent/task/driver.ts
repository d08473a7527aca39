/**
 * The driver: one async run per task, taking it from planning through both gates to its end. The
 * flow is the one ARCHITECTURE.md draws: plan, gate 1, wait for the files, edits, gate 2, apply.
 *
 * A run is the only code that moves its task (through `TaskRun.move`, which checks the transition
 * table), and it ends in exactly one way: at a terminal state, with rejected or abandoned output
 * discarded from memory and from the state directory. A cancel anywhere surfaces as `Cancelled`
 * and ends the task `cancelled`; any other error ends it `failed` with a code and a sentence.
 */
import { renderDiffDocument } from "./diff-document.js";
import { runEditRound } from "./edit-round.js";
import { FileLocks } from "./file-locks.js";
import { editInputFor } from "./input.js";
import { makePlan } from "./plan-round.js";
import { renderPlan } from "./plan.js";
import { pathToFileUri } from "../sandbox/index.js";
import { Cancelled, errorOf, isExpectedFailure, overridesOf, TaskFailure, throwIfCancelled, titleOf, type TaskRun } from "./run.js";
import type { ChangeEntry, Task } from "./task.js";
import { applyApproved } from "./writes.js";

/** Where a run starts: with a plan, or (a retry after gate 1) with the edits of the approved plan. */
export type Entry = "plan" | "edit";

/** How much streamed edit text passes between two progress messages. */
const PROGRESS_EVERY_CHARS = 2048;

export class TaskDriver {
  private readonly locks = new FileLocks();
  private readonly runs = new Map<string, Promise<void>>();

  constructor(private readonly run: TaskRun) {}

  /** Start a run of the task in the background. */
  drive(task: Task, entry: Entry): void {
    const running = this.runTask(task, entry).finally(() => {
      this.locks.release(task.id);
      if (this.runs.get(task.id) === running) this.runs.delete(task.id);
    });
    this.runs.set(task.id, running);
  }

  /** Resolves when the task's current run has finished. */
  async settled(taskId: string): Promise<void> {
    await this.runs.get(taskId);
  }

  /** Resolves when every run has finished (after their tasks were cancelled). */
  async allSettled(): Promise<void> {
    await Promise.allSettled([...this.runs.values()]);
  }

  private async runTask(task: Task, entry: Entry): Promise<void> {
    const { deps, gates } = this.run;
    try {
      if (deps.ready) {
        await deps.ready();
        throwIfCancelled(task);
      }
      const described = deps.models.describe("coder", overridesOf(task));
      task.provider = described.provider;
      task.model = described.model;
      let phase = entry;
      for (;;) {
        if (phase === "plan") {
          this.run.move(task, "planning");
          const plan = await makePlan(this.run, task);
          task.plan = plan;
          task.revision = undefined;
          task.documents.plan = await deps.state.write(`tasks/${task.id}/plan.md`, renderPlan(plan, `Burrow plan ${task.id}: ${titleOf(task)}`));
          const decision = await gates.wait(task, "plan", () => this.run.move(task, "awaitingPlanApproval"));
          if (decision.kind === "revisePlan") {
            task.revision = { previous: plan, feedback: decision.feedback };
            continue;
          }
          if (decision.kind === "rejectPlan") {
            if (decision.feedback?.trim()) task.feedback.push(decision.feedback.trim());
            await this.discard(task, { plan: true });
            this.run.move(task, "rejected");
            return;
          }
          task.approvedPlan = plan;
          phase = "edit";
        }
        await this.acquireFiles(task);
        this.run.move(task, "editing");
        await this.proposeChanges(task);
        const decision = await gates.wait(task, "changes", () => this.run.move(task, "awaitingChangesApproval"));
        if (decision.kind === "rejectChanges") {
          if (decision.feedback?.trim()) task.feedback.push(decision.feedback.trim());
          await this.discard(task, { plan: false });
          this.run.move(task, "rejected");
          return;
        }
        if (decision.kind !== "applyChanges") throw new Error(`unexpected decision ${decision.kind} at gate 2`);
        await applyApproved(this.run, task, decision.hunks);
        return;
      }
    } catch (err) {
      if (err instanceof Cancelled || task.abort.signal.aborted) {
        await this.discard(task, { plan: !task.approvedPlan });
        this.run.move(task, "cancelled");
        return;
      }
      task.error = errorOf(err);
      if (!isExpectedFailure(err)) {
        deps.log(`Task ${task.id} failed unexpectedly: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      await this.discard(task, { plan: false });
      this.run.move(task, "failed");
    }
  }

  /** Ask the model for the approved plan's edits and keep them, with their diff document, for gate 2. */
  private async proposeChanges(task: Task): Promise<void> {
    const { deps } = this.run;
    const plan = task.approvedPlan;
    if (!plan) throw new Error("editing without an approved plan");
    const overrides = overridesOf(task);
    const described = deps.models.describe("coder", overrides);
    const input = await editInputFor(deps, task, plan, described.contextTokens);
    throwIfCancelled(task);
    let streamed = 0;
    const round = await runEditRound({
      task: task.request.prompt,
      plan,
      ...input,
      feedback: task.feedback,
      declined: task.declinedDescriptions,
      models: deps.models,
      overrides,
      signal: task.abort.signal,
      ownerId: task.id,
      consent: (c) => this.run.gates.consent(task, c),
      formatOverride: deps.settings().editFormat,
      onDelta: (d) => {
        streamed += d.length;
        if (streamed % PROGRESS_EVERY_CHARS < d.length) this.run.progress(task, `Writing edits… ${(streamed / 1024).toFixed(1)} KB`);
      },
      onRetry: (reason) => this.run.progress(task, `Retrying: ${reason}`),
      onModelProgress: (message) => this.run.progress(task, message),
    });
    throwIfCancelled(task);
    if (!round.ok) throw new TaskFailure(round.code, round.reason);
    const uriOf = (path: string) => {
      const l = task.locations.get(path);
      return l ? pathToFileUri(l.abs) : path;
    };
    task.changeset = round.changeset;
    task.changes = round.changeset.hunks.map((h): ChangeEntry => ({ ...h, uri: uriOf(h.path) }));
    for (const f of round.changeset.files) for (const note of f.notes ?? []) task.warnings.push(note);
    task.documents.diff = await deps.state.write(`tasks/${task.id}/changes.diff`, renderDiffDocument(task.id, task.request.prompt, round.changeset));
  }

  /** Wait, in `queued`, until no other task holds a file this one changes. */
  private async acquireFiles(task: Task): Promise<void> {
    const files = (task.approvedPlan?.files ?? []).filter((f) => !f.refused && f.action !== "read").map((f) => f.path);
    while (!this.locks.tryAcquire(task.id, files)) {
      task.queuedBehind = this.locks.blockers(task.id, files);
      if (task.state !== "queued") this.run.move(task, "queued");
      else this.run.publish(task);
      this.run.progress(task, `Waiting for task ${task.queuedBehind.join(", ")}, which changes the same files.`);
      await this.locks.nextRelease(task.abort.signal);
      throwIfCancelled(task);
    }
    task.queuedBehind = undefined;
  }

  /** Rejected or abandoned output is discarded: nothing of it stays in memory or on disk. */
  private async discard(task: Task, what: { plan: boolean }): Promise<void> {
    const { deps } = this.run;
    task.changeset = undefined;
    task.changes = undefined;
    task.awaiting = undefined;
    task.consent = undefined;
    if (task.documents.diff) {
      await deps.state.remove(`tasks/${task.id}/changes.diff`).catch(() => undefined);
      task.documents.diff = undefined;
    }
    if (what.plan) {
      task.plan = undefined;
      if (task.documents.plan) {
        await deps.state.remove(`tasks/${task.id}/plan.md`).catch(() => undefined);
        task.documents.plan = undefined;
      }
    }
  }
}
