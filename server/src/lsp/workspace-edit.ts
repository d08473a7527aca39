/**
 * Agent changes turned into an LSP `WorkspaceEdit`: versioned `TextDocumentEdit`s with minimal
 * line-level edits (so editors keep marks and undo steps), and create/delete operations where the
 * client supports them. Files the client cannot take through an edit are returned separately for
 * the caller to write through the sandbox.
 */
import type { CreateFile, DeleteFile, TextDocumentEdit, WorkspaceEdit } from "vscode-languageserver";
import { lineEdits } from "../agent/edit/index.js";
import type { FileToApply, OpenDocument } from "../agent/task/editor.js";
import type { ClientProfile } from "./client-profile.js";

export interface EditPlan {
  edit: WorkspaceEdit;
  /** Files in `edit`. */
  viaEditor: FileToApply[];
  /** Files the client cannot create or delete itself: Burrow writes them on disk. */
  viaDisk: FileToApply[];
}

export function workspaceEditFor(
  files: FileToApply[],
  profile: ClientProfile,
  openDocument: (abs: string) => OpenDocument | undefined,
): EditPlan {
  const viaEditor: FileToApply[] = [];
  const viaDisk: FileToApply[] = [];
  if (!profile.documentChanges) {
    const changes: NonNullable<WorkspaceEdit["changes"]> = {};
    for (const f of files) {
      if (f.before === null || f.after === null) {
        viaDisk.push(f);
        continue;
      }
      changes[f.uri] = toTextEdits(f.before, f.after);
      viaEditor.push(f);
    }
    return { edit: { changes }, viaEditor, viaDisk };
  }
  const documentChanges: (TextDocumentEdit | CreateFile | DeleteFile)[] = [];
  for (const f of files) {
    if (f.before === null) {
      if (!profile.resourceOperations.create) {
        viaDisk.push(f);
        continue;
      }
      documentChanges.push({ kind: "create", uri: f.uri, options: { overwrite: false, ignoreIfExists: false } });
      documentChanges.push({
        textDocument: { uri: f.uri, version: null },
        edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: f.after ?? "" }],
      });
      viaEditor.push(f);
      continue;
    }
    if (f.after === null) {
      if (!profile.resourceOperations.delete) {
        viaDisk.push(f);
        continue;
      }
      documentChanges.push({ kind: "delete", uri: f.uri, options: { recursive: false, ignoreIfNotExists: false } });
      viaEditor.push(f);
      continue;
    }
    const open = openDocument(f.abs);
    documentChanges.push({ textDocument: { uri: f.uri, version: open ? open.version : null }, edits: toTextEdits(f.before, f.after) });
    viaEditor.push(f);
  }
  return { edit: { documentChanges }, viaEditor, viaDisk };
}

function toTextEdits(before: string, after: string) {
  return lineEdits(before, after).map((e) => ({
    range: { start: { line: e.startLine, character: e.startCharacter }, end: { line: e.endLine, character: e.endCharacter } },
    newText: e.newText,
  }));
}
