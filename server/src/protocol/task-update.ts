/**
 * What `burrow/taskUpdate` and `burrow.task.status` carry: a task's snapshot, exactly as the task
 * manager publishes it. The type is the agent's own, not a copy, so a field added to the snapshot is
 * at once visible to every client in this repository (and must then be documented in
 * docs/protocol.md).
 */
import type { TaskSnapshot } from "../agent/task/task.js";

export type TaskUpdate = TaskSnapshot;
export type { Awaiting, ChangeEntry, TaskError } from "../agent/task/task.js";
export type { TaskState } from "../agent/task/states.js";
