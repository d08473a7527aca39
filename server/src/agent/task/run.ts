/**
 * What the steps of a task's run share: the parts they work with (`TaskManagerDeps`), the ways they
 * report (`TaskRun`), and the two ways a run stops early (cancelled by the user, or failed with a
 * code and a sentence).
 *
 * The driver hands one `TaskRun` to the plan round, the edit step, the gates and the writers, so
 * each sees the same task through the same few calls and none reaches into the manager.
 */
import type { ContextEngine } from "../context/types.js";
import { ModelError, type ModelOverrides, type ModelRouter } from "../model/types.js";
import type { Outcome } from "../outcome.js";
import { codeOfModelError, type CodedRefusal } from "../../protocol/errors.js";
import { promptTitle, TITLE_WIDTH } from "../../protocol/title.js";
import type { StateStore, Workspace } from "../sandbox/types.js";
import type { Settings } from "../settings.js";
import type { EditorHost } from "./editor.js";
import type { Gates } from "./gates.js";
import type { TaskState } from "./states.js";
import type { Task, TaskError } from "./task.js";

export interface TaskManagerDeps {
  workspace: Workspace;
  state: StateStore;
  models: ModelRouter;
  context: ContextEngine;
  host: EditorHost;
  settings: () => Settings;
  log: (message: string) => void;
  /** Resolves once the model choice can be trusted (hardware detected); awaited off the request path. */
  ready?: () => Promise<void>;
  /**
   * A quick check that the chosen runtime answers and has the model, run while the repository is
   * read, so a stopped runtime fails the task in a moment rather than after indexing a large tree.
   */
  preflight?: (overrides: ModelOverrides) => Promise<Outcome<object, CodedRefusal>>;
}

export interface TaskProgress {
  taskId: string;
  message: string;
}

/** What a step of a task's run works with and how it reports. */
export interface TaskRun {
  readonly deps: TaskManagerDeps;
  readonly gates: Gates;
  /** Move the task to `to` (checked against the transition table) and publish it. */
  move(task: Task, to: TaskState): void;
  /** Publish the task as it is now (a warning, a consent question, `undone`). */
  publish(task: Task): void;
  /** Tell listeners what the task is doing, in a sentence ("Planning with qwen2.5-coder:7b…"). */
  progress(task: Task, message: string): void;
}

/** Thrown inside a run when the task was cancelled; the driver turns it into `cancelled`. */
export class Cancelled extends Error {}

/** A failure the driver turns into the task's `error`. */
export class TaskFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Stop here if the task was cancelled: called after every wait, so a cancel takes effect at once. */
export function throwIfCancelled(task: Task): void {
  if (task.abort.signal.aborted) throw new Cancelled();
}

/** The task's own choice of provider and model, overriding the settings for this task. */
export function overridesOf(task: Task): ModelOverrides {
  const o: ModelOverrides = {};
  if (task.request.provider) o.provider = task.request.provider;
  if (task.request.model) o.model = task.request.model;
  return o;
}

/** The task's error for whatever stopped its run. */
export function errorOf(err: unknown): TaskError {
  if (err instanceof TaskFailure) return { code: err.code, message: err.message };
  if (err instanceof ModelError) return { code: codeOfModelError(err.kind), message: err.message };
  return { code: "internal", message: `Burrow hit an internal error: ${err instanceof Error ? err.message : String(err)}. The log has details.` };
}

/** Whether the error is one Burrow expected (and explained), rather than a defect worth a stack trace in the log. */
export function isExpectedFailure(err: unknown): boolean {
  return err instanceof TaskFailure || err instanceof ModelError;
}

/** The task named in a few words, for a document heading or an undo label. */
export function titleOf(task: Task): string {
  return promptTitle(task.request.prompt, TITLE_WIDTH.document);
}
