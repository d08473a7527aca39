/**
 * The part of an editor that matters to editor-safety tests: buffers with versions, kept in sync
 * with the server through didOpen/didChange, and a `workspace/applyEdit` handler that behaves like
 * Neovim's (a versioned edit against a buffer whose version moved on is refused; an edit to a file
 * without a buffer loads it into a new, unsaved buffer). Every applyEdit the server sends is kept
 * so tests can assert exactly what the editor was asked to do.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { TextDocument, type TextEdit } from "vscode-languageserver-textdocument";
import type { RawLspClient } from "./raw-lsp.js";

interface TextDocumentEditParams {
  textDocument: { uri: string; version: number | null };
  edits: TextEdit[];
}

export interface ApplyEditParams {
  label?: string;
  edit: {
    changes?: Record<string, TextEdit[]>;
    documentChanges?: (TextDocumentEditParams | { kind: string; uri: string })[];
  };
}

/** How the emulated editor answers `workspace/applyEdit`. */
export type ApplyBehaviour = "apply" | "claim-without-applying" | "refuse";

export class EditorEmulator {
  private readonly buffers = new Map<string, TextDocument>();
  /** Every `workspace/applyEdit` the server sent, in order. */
  readonly applyEdits: ApplyEditParams[] = [];
  behaviour: ApplyBehaviour = "apply";

  constructor(private readonly client: RawLspClient) {
    client.handle("workspace/applyEdit", (params: ApplyEditParams) => this.applyEdit(params));
  }

  text(uri: string): string | undefined {
    return this.buffers.get(uri)?.getText();
  }

  version(uri: string): number | undefined {
    return this.buffers.get(uri)?.version;
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    this.buffers.set(uri, TextDocument.create(uri, "typescript", version, text));
    await this.client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version, text } });
  }

  /** The user types: replace the buffer's text (sent as a whole-text change, valid for any sync kind). */
  async type(uri: string, text: string): Promise<void> {
    const buffer = this.buffers.get(uri);
    if (!buffer) throw new Error(`No buffer for ${uri}.`);
    const next = TextDocument.create(uri, buffer.languageId, buffer.version + 1, text);
    this.buffers.set(uri, next);
    await this.client.notify("textDocument/didChange", { textDocument: { uri, version: next.version }, contentChanges: [{ text }] });
  }

  /** The user closes the buffer without saving it: the editor forgets the unsaved text. */
  async close(uri: string): Promise<void> {
    this.buffers.delete(uri);
    await this.client.notify("textDocument/didClose", { textDocument: { uri } });
  }

  /** Every uri an applyEdit so far touched. */
  touchedUris(): string[] {
    const uris = new Set<string>();
    for (const params of this.applyEdits) {
      for (const uri of Object.keys(params.edit.changes ?? {})) uris.add(uri);
      for (const change of params.edit.documentChanges ?? []) uris.add("textDocument" in change ? change.textDocument.uri : change.uri);
    }
    return [...uris];
  }

  private async applyEdit(params: ApplyEditParams): Promise<{ applied: boolean; failureReason?: string }> {
    this.applyEdits.push(params);
    if (this.behaviour === "claim-without-applying") return { applied: true };
    if (this.behaviour === "refuse") return { applied: false, failureReason: "The user declined the edit." };
    const edits: TextDocumentEditParams[] = [
      ...Object.entries(params.edit.changes ?? {}).map(([uri, e]) => ({ textDocument: { uri, version: null }, edits: e })),
      ...((params.edit.documentChanges ?? []).filter((c) => "textDocument" in c) as TextDocumentEditParams[]),
    ];
    // Check every versioned edit before changing anything, as editors do: all or nothing.
    for (const edit of edits) {
      const buffer = this.buffers.get(edit.textDocument.uri);
      if (edit.textDocument.version !== null && buffer && buffer.version !== edit.textDocument.version) {
        return { applied: false, failureReason: `Buffer ${edit.textDocument.uri} is at version ${buffer.version}, not ${edit.textDocument.version}.` };
      }
    }
    for (const edit of edits) {
      const uri = edit.textDocument.uri;
      if (!this.buffers.has(uri)) await this.open(uri, await readFile(fileURLToPath(uri), "utf8"));
      const buffer = this.buffers.get(uri)!;
      await this.type(uri, TextDocument.applyEdits(buffer, edit.edits));
    }
    return { applied: true };
  }
}
