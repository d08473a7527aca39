/**
 * Undo without git. Before a task's changes are applied, the text of every file they touch is
 * saved under Burrow's state directory (never in the workspace), with the text the task is about
 * to write. Undo puts the saved text back, but only where the file still holds exactly what the
 * task wrote: if the user or another tool changed it since, undoing would throw their work away,
 * so the whole undo is refused and the message names the files.
 */
import type { StateStore } from "../sandbox/types.js";
import type { Outcome } from "../outcome.js";

export interface UndoFile {
  /** Absolute path of the file, as the sandbox located it. */
  abs: string;
  /** Text before the task applied its changes; null when the task created the file. */
  before: string | null;
  /** Text the task wrote; null when the task deleted the file. */
  after: string | null;
}

export interface UndoSnapshot {
  version: 1;
  taskId: string;
  savedAt: string;
  files: UndoFile[];
}

export interface UndoRestore {
  abs: string;
  /** The text to put back; null means delete the file (the task created it). */
  text: string | null;
  /** What the file holds now, which a write through the sandbox can use as its expected content. */
  current: string | null;
}

export type UndoPlan = Outcome<{ restores: UndoRestore[] }>;

/** Where a task's snapshot lives under the state directory. Task ids are ours, but are checked anyway. */
export function undoSnapshotPath(taskId: string): string {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(taskId) || taskId.startsWith(".")) {
    throw new Error(`Task id "${taskId}" cannot name an undo snapshot: it must be letters, digits, ".", "_" or "-".`);
  }
  return `undo/${taskId}.json`;
}

/** Save what a task is about to change. Returns the snapshot's absolute path. */
export async function saveUndoSnapshot(state: StateStore, taskId: string, files: UndoFile[]): Promise<string> {
  const snapshot: UndoSnapshot = {
    version: 1,
    taskId,
    savedAt: new Date().toISOString(),
    files: files.map((f) => ({ abs: f.abs, before: f.before, after: f.after })),
  };
  return state.write(undoSnapshotPath(taskId), JSON.stringify(snapshot));
}

/** The snapshot saved for a task, or a refusal saying there is none (or that it is unreadable). */
export async function loadUndoSnapshot(
  state: StateStore,
  taskId: string,
): Promise<Outcome<{ snapshot: UndoSnapshot }>> {
  const rel = undoSnapshotPath(taskId);
  const text = await state.read(rel);
  if (text === null) return { ok: false, reason: `Task ${taskId} has nothing to undo: no changes of it were applied, or they were already undone.` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: `The undo snapshot of task ${taskId} (${state.pathOf(rel)}) is damaged and cannot be read.` };
  }
  if (!isSnapshot(parsed)) {
    return { ok: false, reason: `The undo snapshot of task ${taskId} (${state.pathOf(rel)}) is not in a format this Burrow understands.` };
  }
  return { ok: true, snapshot: parsed };
}

/** Forget a task's snapshot once it has been undone, so a second undo says there is nothing to do. */
export async function removeUndoSnapshot(state: StateStore, taskId: string): Promise<void> {
  await state.remove(undoSnapshotPath(taskId));
}

/**
 * Check that every file still holds what the task wrote and list what to put back. `currentTexts`
 * maps each snapshot file's absolute path to its text now (null when it does not exist); a file
 * missing from the map counts as not existing.
 */
export function planUndo(snapshot: UndoSnapshot, currentTexts: ReadonlyMap<string, string | null> | Record<string, string | null>): UndoPlan {
  const lookup = (abs: string): string | null =>
    currentTexts instanceof Map ? (currentTexts.get(abs) ?? null) : ((currentTexts as Record<string, string | null>)[abs] ?? null);
  const changed: string[] = [];
  const restores: UndoRestore[] = [];
  for (const file of snapshot.files) {
    const current = lookup(file.abs);
    if (current !== file.after) {
      changed.push(`${file.abs} (${describeChange(file.after, current)})`);
      continue;
    }
    if (current === file.before) continue;
    restores.push({ abs: file.abs, text: file.before, current });
  }
  if (changed.length > 0) {
    return {
      ok: false,
      reason: `Undo of task ${snapshot.taskId} was refused, and nothing was changed, because ${changed.length === 1 ? "this file has" : "these files have"} changed since the task wrote ${changed.length === 1 ? "it" : "them"}: ${changed.join("; ")}. Undo those edits by hand, or restore the files from your own backup.`,
    };
  }
  return { ok: true, restores };
}

function describeChange(expected: string | null, current: string | null): string {
  if (expected === null) return "the task deleted it, and it exists again";
  if (current === null) return "it has been deleted";
  return "its text is different";
}

function isSnapshot(value: unknown): value is UndoSnapshot {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.version === 1 &&
    typeof v.taskId === "string" &&
    Array.isArray(v.files) &&
    v.files.every(
      (f: unknown) =>
        typeof f === "object" &&
        f !== null &&
        typeof (f as UndoFile).abs === "string" &&
        ((f as UndoFile).before === null || typeof (f as UndoFile).before === "string") &&
        ((f as UndoFile).after === null || typeof (f as UndoFile).after === "string"),
    )
  );
}
