/**
 * The documents the editor has open, as Burrow sees them: the buffer text wins over the disk,
 * because the user may have unsaved changes. Documents are indexed by their resolved path (the
 * same `abs` the sandbox gives), so the pipeline can ask "is this file open?" with a sandbox path.
 *
 * Change notifications only record the change (and tell the context engine, which also only
 * records); nothing slow happens on the request path of `didChange`.
 */
import { TextDocument } from "vscode-languageserver-textdocument";
import { TextDocuments, type Connection } from "vscode-languageserver";
import type { OpenDocument } from "../agent/task/editor.js";
import type { Workspace } from "../agent/sandbox/types.js";
import { fileUriToPath } from "../agent/sandbox/uri.js";

export class OpenDocuments {
  readonly documents = new TextDocuments(TextDocument);
  private readonly absByUri = new Map<string, string>();
  private readonly uriByAbs = new Map<string, string>();
  private readonly listeners = new Set<(abs: string) => void>();

  constructor(private readonly workspace: () => Workspace | undefined) {
    this.documents.onDidOpen((e) => this.index(e.document.uri));
    this.documents.onDidChangeContent((e) => this.changed(e.document.uri));
    this.documents.onDidClose((e) => {
      const abs = this.absByUri.get(e.document.uri);
      this.absByUri.delete(e.document.uri);
      if (abs !== undefined) {
        this.uriByAbs.delete(abs);
        this.emit(abs);
      }
    });
    this.documents.onDidSave((e) => this.changed(e.document.uri));
  }

  listen(connection: Connection): void {
    this.documents.listen(connection);
  }

  /** Called with the resolved path of every document that opens, changes, saves or closes. */
  onChange(listener: (abs: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(abs: string): OpenDocument | undefined {
    const uri = this.uriByAbs.get(abs);
    const doc = uri ? this.documents.get(uri) : undefined;
    return doc ? { text: doc.getText(), version: doc.version } : undefined;
  }

  /** The open document for a client URI, if any (used for the current document of a task). */
  byUri(uri: string): TextDocument | undefined {
    return this.documents.get(uri);
  }

  all(): TextDocument[] {
    return this.documents.all();
  }

  /** Resolve every open document again (the workspace became available, or its roots changed). */
  reindex(): void {
    for (const doc of this.documents.all()) this.index(doc.uri);
  }

  private changed(uri: string): void {
    const abs = this.absByUri.get(uri);
    if (abs === undefined) this.index(uri);
    else this.emit(abs);
  }

  /**
   * Map the client's URI to the sandbox's resolved path. The client may name a file through a
   * symlinked folder; the sandbox's answer is the one every other part of Burrow uses.
   */
  private index(uri: string): void {
    const plain = fileUriToPath(uri);
    if (plain !== null) this.record(uri, plain);
    const ws = this.workspace();
    if (!ws) return;
    void ws.locate(uri, "read").then((located) => {
      if (located.ok && this.documents.get(uri)) this.record(uri, located.abs);
    });
  }

  private record(uri: string, abs: string): void {
    const previous = this.absByUri.get(uri);
    if (previous !== undefined && previous !== abs) this.uriByAbs.delete(previous);
    this.absByUri.set(uri, abs);
    this.uriByAbs.set(abs, uri);
    this.emit(abs);
  }

  private emit(abs: string): void {
    for (const l of this.listeners) l(abs);
  }
}
