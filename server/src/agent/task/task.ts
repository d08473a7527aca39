/**
 * One task's record: what the user asked, where it stands, and what it produced so far.
 *
 * The record is mutated only by the task manager's driver; everyone else sees `TaskSnapshot`s,
 * the public shape of `burrow/taskUpdate` and `burrow.task.status` (docs/protocol.md, "Task
 * snapshots and `burrow/taskUpdate`").
 */
import type { ConsentRequest } from "../model/types.js";
import type { Changeset, Hunk } from "../edit/types.js";
import type { Located } from "../sandbox/types.js";
import type { Plan } from "./plan.js";
import type { TaskState } from "./states.js";

export interface StartTaskRequest {
  prompt: string;
  /** The document the user is in (file URI or path); its open-buffer text wins over the disk. */
  uri?: string;
  /** The selection in that document, 1-based inclusive lines. */
  range?: { startLine: number; endLine: number };
  provider?: string;
  model?: string;
}

export interface TaskError {
  /** A stable code a client can branch on, e.g. `runtime-unreachable`, `model-missing`, `conflict`. */
  code: string;
  message: string;
}

export type ChangeEntry = Hunk & { uri: string };

/** What a task waits for while it is at a gate. */
export type Awaiting = "plan" | "changes" | "consent";

export interface TaskSnapshot {
  taskId: string;
  state: TaskState;
  prompt: string;
  plan?: Plan;
  changes?: ChangeEntry[];
  diff?: string;
  error?: TaskError;
  /** Absolute paths of the plan and diff documents under the state directory. */
  documents?: { plan?: string; diff?: string };
  declinedHunks?: string[];
  awaiting?: Awaiting;
  consent?: ConsentRequest;
  /** Tasks this one waits for (state `queued`). */
  queuedBehind?: string[];
  /** Things the user should know that did not stop the task (a refused file, an unconfirmed apply). */
  warnings?: string[];
  provider?: string;
  model?: string;
  undone?: boolean;
  createdAt: string;
  updatedAt: string;
}

export type Decision =
  | { kind: "approvePlan" }
  | { kind: "revisePlan"; feedback: string }
  | { kind: "rejectPlan"; feedback?: string }
  | { kind: "applyChanges"; hunks?: string[] }
  | { kind: "rejectChanges"; feedback?: string }
  | { kind: "consent"; allow: boolean };

/** Which decisions answer which gate. */
export const DECISIONS_FOR: Record<Awaiting, Decision["kind"][]> = {
  plan: ["approvePlan", "revisePlan", "rejectPlan"],
  changes: ["applyChanges", "rejectChanges"],
  consent: ["consent"],
};

export interface Task {
  id: string;
  request: StartTaskRequest;
  state: TaskState;
  plan?: Plan;
  /** The plan the user approved; kept after a rejected diff so a retry starts from it. */
  approvedPlan?: Plan;
  changeset?: Changeset;
  changes?: ChangeEntry[];
  error?: TaskError;
  documents: { plan?: string; diff?: string };
  declinedHunks?: string[];
  /** Everything the user said at gates, in order; only the user's words carry over to retries. */
  feedback: string[];
  /** Declined hunks described by path and line range (never by their text), for a retry. */
  declinedDescriptions: string[];
  revision?: { previous: Plan; feedback: string };
  awaiting?: Awaiting;
  consent?: ConsentRequest;
  queuedBehind?: string[];
  warnings: string[];
  model?: string;
  provider?: string;
  undone?: boolean;
  /** Where each planned file resolved in the sandbox, by the path the model sees. */
  locations: Map<string, Located>;
  abort: AbortController;
  createdAt: Date;
  updatedAt: Date;
}

export function snapshotOf(task: Task): TaskSnapshot {
  const s: TaskSnapshot = {
    taskId: task.id,
    state: task.state,
    prompt: task.request.prompt,
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
  };
  if (task.plan) s.plan = task.plan;
  if (task.changes) s.changes = task.changes;
  if (task.changeset) s.diff = task.changeset.diff;
  if (task.error) s.error = task.error;
  if (task.documents.plan || task.documents.diff) s.documents = { ...task.documents };
  if (task.declinedHunks) s.declinedHunks = task.declinedHunks;
  if (task.awaiting) s.awaiting = task.awaiting;
  if (task.consent) s.consent = task.consent;
  if (task.queuedBehind?.length) s.queuedBehind = task.queuedBehind;
  if (task.warnings.length) s.warnings = [...task.warnings];
  if (task.provider) s.provider = task.provider;
  if (task.model) s.model = task.model;
  if (task.undone) s.undone = true;
  return s;
}
