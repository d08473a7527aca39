/**
 * The task manager: the public face of tasks. It starts them, answers every decision and request a
 * client can send (status, cancel, retry, undo), and tells listeners about every change.
 *
 * The work itself is elsewhere in this folder: the driver runs each task (driver.ts), the plan
 * round and the edit round ask the model (plan-round.ts, edit-round.ts, sharing retry.ts), input.ts
 * assembles what the model is shown, gates.ts holds the gates, and writes.ts is the only code that
 * changes files (apply after gate 2, and undo).
 */
import { randomBytes } from "node:crypto";
import { refuse, type Outcome } from "../outcome.js";
import { TaskDriver } from "./driver.js";
import { Gates } from "./gates.js";
import type { TaskManagerDeps, TaskProgress, TaskRun } from "./run.js";
import { canTransition, isTerminal, type TaskState } from "./states.js";
import { snapshotOf, type Decision, type StartTaskRequest, type Task, type TaskSnapshot } from "./task.js";
import { undoApplied } from "./writes.js";

export type { TaskManagerDeps, TaskProgress } from "./run.js";

export class TaskManager {
  private readonly tasks = new Map<string, Task>();
  private readonly updateListeners = new Set<(s: TaskSnapshot) => void>();
  private readonly progressListeners = new Set<(p: TaskProgress) => void>();
  private readonly gates: Gates;
  private readonly run: TaskRun;
  private readonly driver: TaskDriver;

  constructor(deps: TaskManagerDeps) {
    const publish = (task: Task) => {
      task.updatedAt = new Date();
      const snapshot = snapshotOf(task);
      for (const listener of this.updateListeners) listener(snapshot);
    };
    this.gates = new Gates(publish);
    this.run = {
      deps,
      gates: this.gates,
      publish,
      progress: (task, message) => {
        for (const listener of this.progressListeners) listener({ taskId: task.id, message });
      },
      move: (task, to) => this.move(task, to),
    };
    this.driver = new TaskDriver(this.run);
  }

  onUpdate(listener: (snapshot: TaskSnapshot) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  onProgress(listener: (progress: TaskProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** Start a task; answers at once with its id while the task runs in the background. */
  start(request: StartTaskRequest): { taskId: string } {
    const now = new Date();
    const task: Task = {
      id: `t${randomBytes(4).toString("hex")}`,
      request,
      state: "planning",
      documents: {},
      feedback: [],
      declinedDescriptions: [],
      warnings: [],
      locations: new Map(),
      abort: new AbortController(),
      createdAt: now,
      updatedAt: now,
    };
    this.tasks.set(task.id, task);
    // The driver starts on the next turn of the event loop, so the `{taskId}` answer goes out before
    // any of the task's work (ranking a large repository runs for tens of milliseconds).
    setImmediate(() => this.driver.drive(task, "plan"));
    return { taskId: task.id };
  }

  status(taskId: string): TaskSnapshot | undefined {
    const task = this.tasks.get(taskId);
    return task ? snapshotOf(task) : undefined;
  }

  /** Every task of the session, newest first. */
  list(): TaskSnapshot[] {
    return [...this.tasks.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).map(snapshotOf);
  }

  /**
   * Apply a user's decision. Decisions are first-come and idempotent: one that does not fit the
   * task's current gate (already decided through another channel) answers the current state.
   */
  decide(taskId: string, decision: Decision): TaskSnapshot | undefined {
    const task = this.tasks.get(taskId);
    if (!task) return undefined;
    this.gates.answer(task, decision);
    return snapshotOf(task);
  }

  /**
   * `decide`, then let the task's driver take the decision's first step before answering, so the
   * answer shows where the decision led (`editing`, `applying`, `rejected`) rather than the gate.
   */
  async decideAndSettle(taskId: string, decision: Decision): Promise<TaskSnapshot | undefined> {
    if (!this.decide(taskId, decision)) return undefined;
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.status(taskId);
  }

  /** Cancel from any state: the model request is aborted and nothing is written. */
  cancel(taskId: string): TaskSnapshot | undefined {
    const task = this.tasks.get(taskId);
    if (!task) return undefined;
    if (isTerminal(task.state) || task.state === "applying") return snapshotOf(task);
    task.abort.abort();
    this.gates.close(task);
    return snapshotOf(task);
  }

  /**
   * Retry a rejected, failed or partly applied task: regenerate the edits from the approved plan
   * (or re-plan after a rejected plan) with the user's feedback, optionally on another model.
   */
  retry(taskId: string, options: { feedback?: string; model?: string; provider?: string }): Outcome<{ snapshot: TaskSnapshot }> {
    const task = this.tasks.get(taskId);
    if (!task) return refuse(`There is no task ${taskId} in this session.`);
    const retryable = task.state === "rejected" || task.state === "failed" || (task.state === "applied" && (task.declinedHunks?.length ?? 0) > 0);
    if (!retryable) {
      return refuse(`Task ${taskId} is ${task.state}; only a rejected or failed task, or one applied with declined hunks, can be retried.`);
    }
    if (options.feedback?.trim()) task.feedback.push(options.feedback.trim());
    if (options.model) task.request = { ...task.request, model: options.model };
    if (options.provider) task.request = { ...task.request, provider: options.provider };
    task.error = undefined;
    task.abort = new AbortController();
    task.undone = undefined;
    this.driver.drive(task, task.approvedPlan ? "edit" : "plan");
    return { ok: true, snapshot: snapshotOf(task) };
  }

  /** Restore the files of an applied task, unless they changed since. */
  async undo(taskId: string): Promise<Outcome<{ snapshot: TaskSnapshot }>> {
    const task = this.tasks.get(taskId);
    if (!task) return refuse(`There is no task ${taskId} in this session.`);
    const undone = await undoApplied(this.run, task);
    return undone.ok ? { ok: true, snapshot: snapshotOf(task) } : undone;
  }

  /** A root was revoked: every task that planned or proposed anything under it is cancelled. */
  revokeRoot(root: string): string[] {
    const cancelled: string[] = [];
    for (const task of this.tasks.values()) {
      if (isTerminal(task.state) || task.state === "applying") continue;
      const touched = [...task.locations.values()].some((l) => l.root === root);
      if (touched || this.run.deps.workspace.roots().length === 0) {
        task.warnings.push(`The folder ${root} was revoked while this task was running; its pending changes were dropped.`);
        task.changeset = undefined;
        task.changes = undefined;
        this.cancel(task.id);
        cancelled.push(task.id);
      }
    }
    return cancelled;
  }

  /** Stop every task (the editor went away). */
  async dispose(): Promise<void> {
    for (const task of this.tasks.values()) this.cancel(task.id);
    await this.driver.allSettled();
  }

  /** Resolves when the task's current driver has finished (tests and the terminal client use it). */
  async settled(taskId: string): Promise<void> {
    await this.driver.settled(taskId);
  }

  /** The one place a task's state changes: checked against the transition table, then published. */
  private move(task: Task, to: TaskState): void {
    if (task.state !== to) {
      if (!canTransition(task.state, to)) throw new Error(`Task ${task.id} cannot go from ${task.state} to ${to}.`);
      task.state = to;
    }
    if (isTerminal(to)) this.gates.close(task);
    this.run.publish(task);
  }
}
