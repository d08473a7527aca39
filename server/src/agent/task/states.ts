/**
 * The task states clients see (docs/protocol.md, "Task snapshots") and the transitions between
 * them, as data.
 *
 * The pipeline moves a task only through `transition`, which refuses any move this table does not
 * list. That is how "a task before `applying` has no way to write" is kept by structure: the only
 * edge into `applying` starts at `awaitingChangesApproval`, and only the user's decision takes it.
 */

export type TaskState =
  | "queued"
  | "planning"
  | "awaitingPlanApproval"
  | "editing"
  | "awaitingChangesApproval"
  | "applying"
  | "applied"
  | "rejected"
  | "cancelled"
  | "failed";

export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set(["applied", "rejected", "cancelled", "failed"]);

/** Every state may also end as `cancelled` or `failed`; those edges are added below. */
const FORWARD: Record<TaskState, TaskState[]> = {
  queued: ["editing", "planning"],
  planning: ["awaitingPlanApproval"],
  awaitingPlanApproval: ["planning", "editing", "queued", "rejected"],
  editing: ["awaitingChangesApproval"],
  awaitingChangesApproval: ["applying", "rejected"],
  applying: ["applied"],
  // A retry starts again from the approved plan (edits) or, after a rejected plan, from planning.
  applied: ["editing", "queued"],
  rejected: ["editing", "planning", "queued"],
  cancelled: [],
  failed: ["editing", "planning", "queued"],
};

export function canTransition(from: TaskState, to: TaskState): boolean {
  if (to === "cancelled" || to === "failed") return !TERMINAL_STATES.has(from);
  return FORWARD[from].includes(to);
}

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_STATES.has(state);
}
