/**
 * The one list of what Burrow's server offers, sent in the `initialize` result. It is honest:
 * text sync (to read unsaved buffers and confirm applied edits), code actions (the gate channel that
 * works in every editor), and the `burrow.*` commands. Burrow offers no completion, hover or
 * diagnostics, so it does not claim them.
 */
import { TextDocumentSyncKind, type ServerCapabilities } from "vscode-languageserver";
import { COMMANDS } from "../protocol/commands.js";

export function serverCapabilities(): ServerCapabilities {
  return {
    textDocumentSync: {
      openClose: true,
      change: TextDocumentSyncKind.Incremental,
      save: { includeText: false },
    },
    codeActionProvider: { codeActionKinds: ["quickfix", "refactor.rewrite"], resolveProvider: false },
    executeCommandProvider: { commands: [...COMMANDS] },
    workspace: {
      workspaceFolders: { supported: true, changeNotifications: true },
    },
  };
}
