/**
 * The only two places a task changes files: `applyApproved`, after the user passed gate 2, and
 * `undoApplied`, when the user asks to restore an applied task. Both go through the editor host
 * (`workspace/applyEdit`, or atomic disk writes through the sandbox), and both refuse rather than
 * overwrite text that changed since Burrow read it.
 *
 * `applyApproved` first moves the task to `applying`, a move the transition table allows only from
 * `awaitingChangesApproval`, which only a user's decision leaves; everything before it works on
 * text in memory.
 */
import { applyHunks, unknownHunkIds } from "../edit/index.js";
import { loadUndoSnapshot, planUndo, removeUndoSnapshot, saveUndoSnapshot } from "../edit/undo.js";
import { refuse, type Outcome } from "../outcome.js";
import { pathToFileUri } from "../sandbox/index.js";
import type { Located } from "../sandbox/types.js";
import { describeDeclined } from "./diff-document.js";
import type { FileToApply } from "./editor.js";
import { currentTextOf } from "./input.js";
import { TaskFailure, titleOf, type TaskManagerDeps, type TaskRun } from "./run.js";
import type { Task } from "./task.js";

/**
 * Write the hunks the user chose (all of them when `hunks` is undefined) and end the task
 * `applied`. Throws a `TaskFailure` (nothing written) when a file changed after Burrow read it.
 */
export async function applyApproved(run: TaskRun, task: Task, hunks: string[] | undefined): Promise<void> {
  const { deps } = run;
  const changeset = task.changeset;
  if (!changeset) throw new Error("applying without a changeset");
  const unknown = unknownHunkIds(changeset, hunks ?? []);
  if (unknown.length > 0) task.warnings.push(`Unknown hunk ids were ignored: ${unknown.join(", ")}.`);
  const all = changeset.hunks.map((h) => h.hunkId);
  const chosen = hunks === undefined ? all : all.filter((id) => hunks.includes(id));
  run.move(task, "applying");
  const texts = applyHunks(changeset, chosen);
  const declined = all.filter((id) => !chosen.includes(id));
  const files: FileToApply[] = [];
  const conflicts: string[] = [];
  for (const [path, after] of texts) {
    const proposed = changeset.files.find((f) => f.path === path);
    const where = task.locations.get(path) ?? (await relocate(deps, path));
    if (!proposed || !where) throw new TaskFailure("refused", `Burrow can no longer write ${path}.`);
    const current = await currentTextOf(deps, where.abs);
    if (current !== proposed.before) conflicts.push(path);
    files.push({ abs: where.abs, root: where.root, rel: where.rel, uri: pathToFileUri(where.abs), before: proposed.before, after });
  }
  if (conflicts.length > 0) {
    throw new TaskFailure(
      "conflict",
      `${conflicts.join(", ")} changed after Burrow read ${conflicts.length === 1 ? "it" : "them"}; nothing was applied. Run burrow.task.retry to get a new proposal against the current text.`,
    );
  }
  await saveUndoSnapshot(
    deps.state,
    task.id,
    files.map((f) => ({ abs: f.abs, before: f.before, after: f.after })),
  );
  const outcome = files.length === 0 ? { ok: true as const, unverified: [], via: "editor" as const } : await deps.host.apply(files, `Burrow: ${titleOf(task)}`);
  if (!outcome.ok) throw new TaskFailure("apply-failed", outcome.reason);
  if (outcome.unverified.length > 0) {
    task.warnings.push(`The editor reported these files applied but Burrow could not confirm their text: ${outcome.unverified.join(", ")}. Check them before saving.`);
  }
  task.declinedHunks = declined;
  task.declinedDescriptions = changeset.hunks.filter((h) => declined.includes(h.hunkId)).map(describeDeclined);
  run.move(task, "applied");
}

/** Restore the files of an applied task from its undo snapshot, unless they changed since. */
export async function undoApplied(run: TaskRun, task: Task): Promise<Outcome<object>> {
  const { deps } = run;
  if (task.state !== "applied") return refuse(`Task ${task.id} is ${task.state}; only an applied task can be undone.`);
  if (task.undone) return refuse(`Task ${task.id} was already undone.`);
  const loaded = await loadUndoSnapshot(deps.state, task.id);
  if (!loaded.ok) return loaded;
  const snapshot = loaded.snapshot;
  const current = new Map<string, string | null>();
  for (const f of snapshot.files) {
    const text = await currentTextOf(deps, f.abs);
    if (text === undefined) return refuse(`Burrow can no longer read ${f.abs}, so it cannot undo safely.`);
    current.set(f.abs, text);
  }
  const planned = planUndo(snapshot, current);
  if (!planned.ok) return planned;
  const files: FileToApply[] = [];
  for (const r of planned.restores) {
    const located = await deps.workspace.locate(r.abs, "write");
    if (!located.ok) return refuse(`Cannot restore ${r.abs}: ${located.reason}`);
    files.push({ abs: located.abs, root: located.root, rel: located.rel, uri: pathToFileUri(located.abs), before: r.current, after: r.text });
  }
  const applied = await deps.host.apply(files, `Burrow: undo task ${task.id}`);
  if (!applied.ok) return refuse(applied.reason);
  await removeUndoSnapshot(deps.state, task.id);
  task.undone = true;
  run.publish(task);
  return { ok: true };
}

async function relocate(deps: TaskManagerDeps, path: string): Promise<Located | undefined> {
  const where = await deps.workspace.locate(path, "write");
  return where.ok ? where : undefined;
}
