/**
 * The results of the `burrow.*` commands whose shape is Burrow's own (the task commands answer a
 * `TaskUpdate`, and the model commands answer the router's reports).
 */

/** `burrow.task`: the id answered at once; the task goes on in the background. */
export interface TaskStarted {
  taskId: string;
}

/** `burrow.chat`, once the answer is complete. */
export interface ChatResult {
  sessionId: string;
  text: string;
  /** The chat document's absolute path. */
  document: string;
  /** Files named or open that the model was not shown, with the reason. */
  unavailable: Array<{ path: string; reason: string }>;
}

/** `burrow.grant` and `burrow.revoke`: the granted folders afterwards (revoke adds the tasks it cancelled). */
export interface RootsResult {
  roots: string[];
  cancelled?: string[];
}
