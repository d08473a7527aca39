/**
 * What the model is shown, assembled from the workspace: the document the user is in (for the
 * plan), and the planned files with the definitions they use (for the edits), each cut to a share
 * of the context window.
 *
 * Every file is read through the sandbox, with the editor's open buffer winning over the disk (the
 * user may have unsaved changes). A file the sandbox will not send (a secret, a binary, one too
 * large) stops the task with a sentence rather than being sent or silently left out.
 */
import type { Located } from "../sandbox/types.js";
import { skippedOf } from "../sandbox/index.js";
import { currentText, readCurrentDocument, type CurrentDocument } from "./editor.js";
import { focusTerms, type EditableFile, type ReferenceFile } from "./edit-round.js";
import type { Plan } from "./plan.js";
import { TaskFailure, type TaskManagerDeps } from "./run.js";
import type { Task } from "./task.js";

/**
 * The files of the edit request get 60% of the context window the coder has now. The rest carries
 * the instructions, the plan, the user's feedback and declined hunks, which are not budgeted and
 * must still fit; room for the answer is added on top when the request is sized (context-size.ts).
 */
export const EDIT_FILES_SHARE = 0.6;
/** Below this the files cannot be shown usefully at all, however small the window. */
export const EDIT_FILES_MIN_TOKENS = 1024;
/** The least any one planned file is given, so a plan of many files still shows each of them. */
export const FILE_VIEW_MIN_TOKENS = 256;
/**
 * Outlines of definitions the planned files use from elsewhere take 15% of the files' share: enough
 * for the signatures a small model would otherwise invent, little enough not to crowd out the
 * files themselves, which matter more.
 */
export const RELATED_SHARE = 0.15;
export const RELATED_MIN_TOKENS = 256;

/** What the edit round is shown, before the model is asked. */
export interface EditInput {
  editable: EditableFile[];
  references: ReferenceFile[];
  relatedMap: string;
}

/**
 * The text a file holds now (open buffer over disk); null when it does not exist, undefined when
 * Burrow may not read it.
 */
export function currentTextOf(deps: TaskManagerDeps, abs: string): Promise<string | null | undefined> {
  return currentText(abs, (a) => deps.host.openDocument(a), deps.workspace);
}

/** The document the task was started in, or undefined (with a warning when it could not be read). */
export async function openDocumentFor(deps: TaskManagerDeps, task: Task): Promise<CurrentDocument | undefined> {
  if (!task.request.uri) return undefined;
  const read = await readCurrentDocument(task.request.uri, task.request.range, (abs) => deps.host.openDocument(abs), deps.workspace);
  if (read.ok) return read.document;
  task.warnings.push(`The current document was not sent to the model: ${read.reason}`);
  return undefined;
}

/** The name the model sees: relative to its root (with several roots, `locate` tries them in order). */
export function displayPath(located: Located): string {
  return located.rel;
}

/**
 * The approved plan's files as the edit round shows them: files to change (whole, or a window of a
 * large one around what the task names), files to read, and the outline of related definitions.
 * Records where each file resolved, and marks files the sandbox now refuses.
 */
export async function editInputFor(deps: TaskManagerDeps, task: Task, plan: Plan, contextTokens: number): Promise<EditInput> {
  const budget = Math.max(EDIT_FILES_MIN_TOKENS, Math.floor(contextTokens * EDIT_FILES_SHARE));
  const focus = focusTerms(task.request.prompt, plan);
  const editable: EditableFile[] = [];
  const references: ReferenceFile[] = [];
  const planned = plan.files.filter((f) => !f.refused);
  const perFile = Math.max(FILE_VIEW_MIN_TOKENS, Math.floor(budget / Math.max(1, planned.length)));
  for (const f of planned) {
    const where = await deps.workspace.locate(f.path, f.action === "read" ? "read" : "write");
    if (!where.ok) {
      f.refused = where.reason;
      continue;
    }
    task.locations.set(f.path, where);
    const text = await readForModel(deps, where.abs);
    if (f.action === "read") {
      if (text === null) continue;
      const view = deps.context.fileView(f.path, text, focus, perFile);
      references.push(view.window ? { path: f.path, text: view.text, window: view.window } : { path: f.path, text: view.text });
      continue;
    }
    if (f.action === "create" || text === null) {
      editable.push({ path: f.path, text, action: text === null ? "create" : "modify" });
      continue;
    }
    const view = deps.context.fileView(f.path, text, focus, perFile);
    editable.push(view.window ? { path: f.path, text, window: view.window, action: f.action } : { path: f.path, text, action: f.action });
  }
  if (editable.length === 0) {
    throw new TaskFailure("nothing-to-edit", "The approved plan names no file Burrow may change (every file was refused or missing).");
  }
  // The definitions the planned files use from elsewhere, so the model does not invent their shape.
  const related = await deps.context.related(
    planned.map((f) => f.path),
    Math.max(RELATED_MIN_TOKENS, Math.floor(budget * RELATED_SHARE)),
  );
  return { editable, references, relatedMap: related.map };
}

/** A file's text for the model; null when it does not exist. Refuses a file the sandbox will not send. */
async function readForModel(deps: TaskManagerDeps, abs: string): Promise<string | null> {
  const open = deps.host.openDocument(abs);
  if (open) return open.text;
  const read = await deps.workspace.read(abs);
  if (read.ok) return read.file.text;
  const skipped = skippedOf(read);
  if (skipped) throw new TaskFailure("refused", `Burrow will not send ${skipped.rel ?? abs} to the model: ${skipped.skipped}.`);
  return null;
}
