/**
 * A scripted LSP client for tests, usable over any JSON-RPC connection (in process or a spawned
 * `burrow --stdio`). It plays an editor: it declares a profile's capabilities, keeps open documents,
 * applies `workspace/applyEdit` the way Neovim with Burrow's plugin does (load the buffer, apply,
 * write it), answers `window/showMessageRequest` from a script, and records every notification so
 * tests can wait on signals (a task reaching a state) instead of sleeping.
 */
import { readFileSync, writeFileSync, existsSync, rmSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { MessageConnection } from "vscode-jsonrpc";
import { TextDocument } from "vscode-languageserver-textdocument";
import type {
  ApplyWorkspaceEditParams,
  ClientCapabilities,
  CodeAction,
  InitializeResult,
  TextDocumentEdit,
  TextEdit,
  WorkspaceEdit,
} from "vscode-languageserver";

export interface TaskUpdate {
  taskId: string;
  state: string;
  plan?: { summary: string; steps: { description: string }[]; files: { path: string; action: string; reason: string; refused?: string }[] };
  changes?: { hunkId: string; path: string; uri: string; oldStart: number; oldLines: number; newStart: number; newLines: number; tier: string }[];
  diff?: string;
  error?: { code: string; message: string };
  documents?: { plan?: string; diff?: string };
  declinedHunks?: string[];
  awaiting?: string;
  queuedBehind?: string[];
  warnings?: string[];
}

export type ClientKind = "neovim" | "helix" | "bare" | "plugin";

/** Capabilities as the named editors declare them (research/editor-clients.md A.2 and B.2). */
export function capabilitiesFor(kind: ClientKind): { capabilities: ClientCapabilities; clientInfo: { name: string; version: string } } {
  switch (kind) {
    case "neovim":
    case "plugin":
      return {
        clientInfo: { name: "Neovim", version: "0.7.2" },
        capabilities: {
          workspace: { applyEdit: true, workspaceEdit: { resourceOperations: ["rename", "create", "delete"] }, configuration: true, workspaceFolders: true },
          window: { workDoneProgress: true, showMessage: { messageActionItem: { additionalPropertiesSupport: false } }, showDocument: { support: false } },
          textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["", "quickfix", "refactor"] } } } },
          ...(kind === "plugin" ? { experimental: { burrow: { taskUpdate: true, chatDelta: true } } } : {}),
        },
      };
    case "helix":
      return {
        clientInfo: { name: "helix", version: "25.07.1" },
        capabilities: {
          workspace: {
            applyEdit: true,
            workspaceEdit: { documentChanges: true, resourceOperations: ["create", "rename", "delete"], failureHandling: "abort" },
            executeCommand: { dynamicRegistration: false },
            configuration: true,
            workspaceFolders: true,
          },
          window: { workDoneProgress: true },
          textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["", "quickfix", "refactor"] } }, dataSupport: true, resolveSupport: { properties: ["edit", "command"] } } },
        },
      };
    case "bare":
      return { clientInfo: { name: "bare-test-client", version: "1" }, capabilities: {} };
  }
}

export interface TestClientOptions {
  root: string;
  kind: ClientKind;
  initializationOptions?: unknown;
  /** How to answer window/showMessageRequest: the title to pick, null to dismiss, or "method-not-found". */
  answerPrompt?: (message: string, actions: string[]) => string | null | "method-not-found";
  /** Write applied buffers to disk, as the Neovim plugin does (default true). */
  saveAfterApply?: boolean;
  /** Answers for workspace/configuration. */
  configuration?: unknown;
}

export class TestClient {
  readonly updates: TaskUpdate[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  readonly prompts: { message: string; actions: string[] }[] = [];
  readonly appliedEdits: ApplyWorkspaceEditParams[] = [];
  readonly shownDocuments: string[] = [];
  private readonly docs = new Map<string, TextDocument>();
  private readonly waiters: { check: () => boolean; resolve: () => void }[] = [];
  initializeResult?: InitializeResult;

  constructor(
    readonly connection: MessageConnection,
    readonly options: TestClientOptions,
  ) {
    connection.onNotification((method, params) => {
      this.notifications.push({ method, params });
      if (method === "burrow/taskUpdate") this.updates.push(params as TaskUpdate);
      this.wake();
    });
    connection.onRequest("window/showMessageRequest", (params: { message: string; actions?: { title: string }[] }) => {
      const actions = (params.actions ?? []).map((a) => a.title);
      this.prompts.push({ message: params.message, actions });
      this.wake();
      const answer = options.answerPrompt ? options.answerPrompt(params.message, actions) : null;
      if (answer === "method-not-found") throw new Error("MethodNotFound");
      return answer === null ? null : { title: answer };
    });
    connection.onRequest("window/workDoneProgress/create", () => null);
    connection.onRequest("client/registerCapability", () => null);
    connection.onRequest("workspace/configuration", (params: { items: unknown[] }) => params.items.map(() => options.configuration ?? null));
    connection.onRequest("window/showDocument", (params: { uri: string }) => {
      this.shownDocuments.push(params.uri);
      this.wake();
      return { success: true };
    });
    connection.onRequest("workspace/applyEdit", (params: ApplyWorkspaceEditParams) => {
      this.appliedEdits.push(params);
      const applied = this.applyWorkspaceEdit(params.edit);
      this.wake();
      return { applied };
    });
    connection.listen();
  }

  async initialize(): Promise<InitializeResult> {
    const { capabilities, clientInfo } = capabilitiesFor(this.options.kind);
    const uri = pathToFileURL(this.options.root).href;
    this.initializeResult = (await this.connection.sendRequest("initialize", {
      processId: null,
      clientInfo,
      rootUri: uri,
      workspaceFolders: [{ uri, name: "root" }],
      capabilities,
      initializationOptions: this.options.initializationOptions ?? {},
    })) as InitializeResult;
    await this.connection.sendNotification("initialized", {});
    return this.initializeResult;
  }

  command<T = unknown>(command: string, arg?: unknown): Promise<T> {
    return this.connection.sendRequest("workspace/executeCommand", { command, arguments: arg === undefined ? [] : [arg] }) as Promise<T>;
  }

  async startTask(prompt: string, extra: Record<string, unknown> = {}): Promise<string> {
    const { taskId } = await this.command<{ taskId: string }>("burrow.task", { prompt, ...extra });
    return taskId;
  }

  codeActions(uri: string, range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }): Promise<CodeAction[]> {
    return this.connection.sendRequest("textDocument/codeAction", {
      textDocument: { uri },
      range,
      context: { diagnostics: [], triggerKind: 1 },
    }) as Promise<CodeAction[]>;
  }

  /** Run a code action the way an editor does: its command goes back as workspace/executeCommand. */
  async runCodeAction(action: CodeAction): Promise<unknown> {
    if (!action.command) throw new Error(`code action "${action.title}" has no command`);
    return this.command(action.command.command, action.command.arguments?.[0]);
  }

  /** Resolves with the first update of this task in `state` (already received or still to come). */
  waitForState(taskId: string, state: string | string[], timeoutMs = 20_000): Promise<TaskUpdate> {
    const states = Array.isArray(state) ? state : [state];
    const find = () => this.updates.find((u) => u.taskId === taskId && states.includes(u.state));
    return this.waitUntil(() => find() !== undefined, timeoutMs, `task ${taskId} to reach ${states.join("/")} (last: ${this.lastState(taskId)})`).then(() => find()!);
  }

  lastState(taskId: string): string | undefined {
    return [...this.updates].reverse().find((u) => u.taskId === taskId)?.state;
  }

  waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  openDocument(path: string, text?: string, languageId = "plaintext"): string {
    const uri = pathToFileURL(path).href;
    const content = text ?? readFileSync(path, "utf8");
    this.docs.set(uri, TextDocument.create(uri, languageId, 1, content));
    void this.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId, version: 1, text: content } });
    return uri;
  }

  /** Replace an open document's text, as typing does (unsaved). */
  changeDocument(uri: string, text: string): void {
    const doc = this.docs.get(uri);
    if (!doc) throw new Error(`${uri} is not open`);
    const next = TextDocument.create(uri, doc.languageId, doc.version + 1, text);
    this.docs.set(uri, next);
    void this.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version: next.version }, contentChanges: [{ text }] });
  }

  documentText(uri: string): string | undefined {
    return this.docs.get(uri)?.getText();
  }

  async shutdown(): Promise<void> {
    await this.connection.sendRequest("shutdown");
    await this.connection.sendNotification("exit");
  }

  private wake(): void {
    for (const w of [...this.waiters]) {
      if (w.check()) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  /** Apply an edit like an editor: open buffers change in memory; the plugin then writes them. */
  private applyWorkspaceEdit(edit: WorkspaceEdit): boolean {
    const save = this.options.saveAfterApply !== false;
    const ops: (TextDocumentEdit | { kind: string; uri: string })[] = edit.documentChanges
      ? (edit.documentChanges as (TextDocumentEdit | { kind: string; uri: string })[])
      : Object.entries(edit.changes ?? {}).map(([uri, edits]) => ({ textDocument: { uri, version: null }, edits }) as TextDocumentEdit);
    for (const op of ops) {
      if ("kind" in op) {
        const path = fileURLToPath(op.uri);
        if (op.kind === "create") {
          if (existsSync(path)) return false;
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, "");
          this.loadBuffer(op.uri, "");
        } else if (op.kind === "delete") {
          if (this.docs.has(op.uri)) {
            this.docs.delete(op.uri);
            void this.connection.sendNotification("textDocument/didClose", { textDocument: { uri: op.uri } });
          }
          rmSync(path, { force: true });
        }
        continue;
      }
      const uri = op.textDocument.uri;
      let doc = this.docs.get(uri);
      if (!doc) doc = this.loadBuffer(uri, readFileSync(fileURLToPath(uri), "utf8"));
      if (op.textDocument.version !== null && op.textDocument.version !== undefined && op.textDocument.version !== doc.version) return false;
      const text = TextDocument.applyEdits(doc, op.edits as TextEdit[]);
      this.changeDocument(uri, text);
      if (save) {
        writeFileSync(fileURLToPath(uri), text);
        void this.connection.sendNotification("textDocument/didSave", { textDocument: { uri } });
      }
    }
    return true;
  }

  private loadBuffer(uri: string, text: string): TextDocument {
    const doc = TextDocument.create(uri, "plaintext", 1, text);
    this.docs.set(uri, doc);
    void this.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "plaintext", version: 1, text } });
    return doc;
  }
}
