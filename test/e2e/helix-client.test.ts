/**
 * Burrow driven by a client that behaves like released Helix (25.07.1), over real pipes to
 * `burrow --stdio`. The client declares exactly Helix's capabilities (research/editor-clients.md
 * A.2: no window.showMessage, no window.showDocument), answers MethodNotFound to
 * window/showMessageRequest and to any custom request, drops custom notifications (so it never
 * sees burrow/taskUpdate), gives up on a request after Helix's default 20 seconds, and applies
 * workspace/applyEdit to its in-memory documents without saving them. A task must still go from
 * start to files on disk through what a Helix user has: :lsp-workspace-command, window/showMessage
 * and window/showDocument, code actions (`space a`), and `:wa`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createMessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from "vscode-jsonrpc/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const METHOD_NOT_FOUND = -32601;
/** Helix's default `[language-server.X] timeout`. */
const HELIX_REQUEST_TIMEOUT_MS = 20_000;

/**
 * What a real Helix 25.07.1 (built from commit 9f4ef2fc3, "Add release notes for 25.07.1") sent to
 * Burrow, recorded through test/e2e/helix-relay.ts while a task went from :lsp-workspace-command to
 * :write-all (clients/helix/README.md). This client replays its shapes instead of ones written by hand.
 */
const TRANSCRIPT = readFileSync(join(REPO_ROOT, "test", "fixtures", "helix", "transcript-25.07.1.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line) as { direction: string; message: any });
const fromHelix = (method: string) => TRANSCRIPT.filter((m) => m.direction === "editor→burrow" && m.message.method === method).map((m) => m.message);
const RECORDED_INITIALIZE = fromHelix("initialize")[0]!.params;
/** ClientCapabilities exactly as the real Helix declared them. */
const HELIX_CAPABILITIES = RECORDED_INITIALIZE.capabilities;
/** `space a` with the cursor on a character: Helix's selection is one character wide, never empty. */
const RECORDED_CODE_ACTION = fromHelix("textDocument/codeAction")[0]!.params;

interface Position {
  line: number;
  character: number;
}
interface Range {
  start: Position;
  end: Position;
}
interface TextEdit {
  range: Range;
  newText: string;
}
interface CodeAction {
  title: string;
  kind?: string;
  isPreferred?: boolean;
  edit?: unknown;
  command?: { title: string; command: string; arguments?: unknown[] };
}

/**
 * The editor half: open documents in memory, Helix's handlers for server requests, and the few
 * user actions the test performs (`:lsp-workspace-command`, `space a` + Enter, `:wa`).
 */
class HelixLikeClient {
  readonly documents = new Map<string, TextDocument>();
  readonly statusMessages: string[] = [];
  readonly shownDocuments: string[] = [];
  readonly refusedRequests: string[] = [];
  readonly droppedNotifications: string[] = [];
  readonly appliedEdits: unknown[] = [];
  private readonly waiters = new Set<() => void>();
  private syncKind = 1;
  private config: unknown = null;

  constructor(
    readonly connection: MessageConnection,
    readonly root: string,
  ) {
    connection.onRequest((method: string) => {
      // Helix's catch-all: an unknown request is logged and answered MethodNotFound. In 25.07.1
      // window/showMessageRequest is one of them.
      this.refusedRequests.push(method);
      this.wake();
      return new ResponseError(METHOD_NOT_FOUND, "Method not found");
    });
    connection.onRequest("window/workDoneProgress/create", () => null);
    // Helix answers, but ignores with a warning ("Please report this upstream") any registration
    // other than file watching, which is all it declares as dynamic.
    connection.onRequest("client/registerCapability", (params: { registrations: { method: string }[] }) => {
      for (const r of params.registrations) if (r.method !== "workspace/didChangeWatchedFiles") this.refusedRequests.push(`client/registerCapability ${r.method}`);
      return null;
    });
    connection.onRequest("workspace/workspaceFolders", () => [{ uri: pathToFileURL(root).href, name: "workspace" }]);
    // Answered from the `config` table of [language-server.burrow], walking the dotted section.
    connection.onRequest("workspace/configuration", (params: { items: { section?: string }[] }) =>
      params.items.map((item) => {
        let value: unknown = this.config;
        for (const key of (item.section ?? "").split(".").filter(Boolean)) {
          value = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
        }
        return value ?? null;
      }),
    );
    // Handled since 24.03 though not declared: the document opens in the editor.
    // Helix opens the document and, as for any file, tells the servers of its language: with
    // clients/helix/languages.toml that includes Burrow for the plan (markdown) and the diff.
    connection.onRequest("window/showDocument", (params: { uri: string }) => {
      const path = fileURLToPath(params.uri);
      this.shownDocuments.push(path);
      const language = path.endsWith(".md") ? "markdown" : path.endsWith(".diff") ? "diff" : undefined;
      if (language) this.open(path, language);
      this.wake();
      return { success: true };
    });
    connection.onRequest("workspace/applyEdit", (params: { edit: any }) => {
      this.appliedEdits.push(params.edit);
      const result = this.applyWorkspaceEdit(params.edit);
      this.wake();
      return result;
    });
    connection.onNotification((method: string) => {
      // Custom notifications (burrow/taskUpdate, burrow/chatDelta) never reach Helix's UI.
      this.droppedNotifications.push(method);
    });
    connection.onNotification("window/showMessage", (params: { message: string }) => {
      this.statusMessages.push(params.message);
      this.wake();
    });
    connection.onNotification("window/logMessage", () => undefined);
    connection.onNotification("$/progress", () => undefined);
    connection.onNotification("textDocument/publishDiagnostics", () => undefined);
    connection.listen();
  }

  /** A request with Helix's timeout: past it Helix stops waiting and reports an error. */
  async request<T>(method: string, params: unknown): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${method} took longer than Helix's ${HELIX_REQUEST_TIMEOUT_MS} ms timeout`)), HELIX_REQUEST_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.connection.sendRequest(method, params) as Promise<T>, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async initialize(config: unknown): Promise<any> {
    this.config = config;
    const uri = pathToFileURL(this.root).href;
    const result = await this.request<any>("initialize", {
      processId: process.pid,
      workspaceFolders: [{ uri, name: "workspace" }],
      rootPath: this.root,
      rootUri: uri,
      initializationOptions: config,
      capabilities: HELIX_CAPABILITIES,
      clientInfo: RECORDED_INITIALIZE.clientInfo,
    });
    const sync = result.capabilities?.textDocumentSync;
    this.syncKind = typeof sync === "number" ? sync : (sync?.change ?? 1);
    await this.connection.sendNotification("initialized", {});
    // Helix follows `initialized` with the whole config as didChangeConfiguration, as Neovim does.
    if (config !== null && config !== undefined) {
      await this.connection.sendNotification("workspace/didChangeConfiguration", { settings: config });
    }
    return result;
  }

  open(path: string, languageId: string): string {
    const uri = pathToFileURL(path).href;
    const doc = TextDocument.create(uri, languageId, 0, readFileSync(path, "utf8"));
    this.documents.set(uri, doc);
    void this.connection.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId, version: doc.version, text: doc.getText() },
    });
    return uri;
  }

  /** `:lsp-workspace-command NAME {json}`: fire and forget in Helix; the answer only matters for errors. */
  workspaceCommand<T>(command: string, argument: unknown): Promise<T> {
    return this.request<T>("workspace/executeCommand", { command, arguments: [argument] });
  }

  /** `space a`: the code action menu at a range. */
  codeActions(uri: string, range: Range): Promise<CodeAction[]> {
    return this.request<CodeAction[]>("textDocument/codeAction", {
      textDocument: { uri },
      range,
      context: RECORDED_CODE_ACTION.context,
    }).then((actions) => actions ?? []);
  }

  /** Enter on a menu entry: a command-only action becomes workspace/executeCommand. */
  async runCodeAction(action: CodeAction): Promise<unknown> {
    expect(action.edit, `"${action.title}" must not carry an edit Helix would apply unseen`).toBeUndefined();
    expect(action.command, `"${action.title}" has no command`).toBeDefined();
    return this.request("workspace/executeCommand", { command: action.command!.command, arguments: action.command!.arguments });
  }

  /** `:write-all`: every modified document goes to disk. */
  writeAll(): void {
    for (const [uri, doc] of this.documents) {
      const path = fileURLToPath(uri);
      if (!existsSync(path) || readFileSync(path, "utf8") !== doc.getText()) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, doc.getText());
      }
    }
  }

  waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(poll);
        reject(
          new Error(
            `timed out waiting for ${what}; status messages: ${JSON.stringify(this.statusMessages)}; ` +
              `dropped notifications: ${JSON.stringify(this.droppedNotifications)}; refused requests: ${JSON.stringify(this.refusedRequests)}`,
          ),
        );
      }, timeoutMs);
      const poll = () => {
        if (check()) {
          clearTimeout(timer);
          this.waiters.delete(poll);
          resolve();
        }
      };
      this.waiters.add(poll);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Helix's apply_workspace_edit: documentChanges in order, stale versions refused, nothing saved. */
  private applyWorkspaceEdit(edit: any): { applied: boolean; failureReason?: string } {
    const operations: any[] = edit.documentChanges ?? Object.entries(edit.changes ?? {}).map(([uri, edits]) => ({ textDocument: { uri, version: null }, edits }));
    for (const op of operations) {
      if (op.kind === "create") {
        const path = fileURLToPath(op.uri);
        if (existsSync(path) && !op.options?.overwrite) {
          if (op.options?.ignoreIfExists) continue;
          return { applied: false, failureReason: `${path} already exists` };
        }
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, "");
        this.open(path, "text");
      } else if (op.kind === "delete") {
        const path = fileURLToPath(op.uri);
        if (existsSync(path)) unlinkSync(path);
        this.documents.delete(op.uri);
      } else if (op.kind === "rename") {
        renameSync(fileURLToPath(op.oldUri), fileURLToPath(op.newUri));
      } else {
        const uri: string = op.textDocument.uri;
        // Helix loads a file that is not open yet in the background, then edits it in memory.
        const doc = this.documents.get(uri) ?? this.documents.get(this.open(fileURLToPath(uri), "text"))!;
        const version = op.textDocument.version;
        if (version !== null && version !== undefined && version !== doc.version) {
          return { applied: false, failureReason: "outdated workspace edit" };
        }
        const edits: TextEdit[] = op.edits.map((e: any) => ({ range: e.range, newText: e.newText }));
        const next = TextDocument.update(doc, [{ text: TextDocument.applyEdits(doc, edits) }], doc.version + 1);
        this.documents.set(uri, next);
        // The change goes back to the servers through text sync, as Helix does after any edit.
        const change = this.syncKind === 2 ? { range: { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) }, text: next.getText() } : { text: next.getText() };
        void this.connection.sendNotification("textDocument/didChange", {
          textDocument: { uri, version: next.version },
          contentChanges: [change],
        });
      }
    }
    return { applied: true };
  }
}

const lines = Array.from({ length: 20 }, (_, i) => `export const n${i + 1} = ${i + 1};`);
const original = lines.join("\n") + "\n";
const proposed = lines.map((l, i) => (i === 1 ? "export const n2 = 'two';" : i === 16 ? "export const n17 = 'seventeen';" : l)).join("\n") + "\n";
const plan = {
  summary: "Spell out n2 and n17.",
  steps: [{ description: "Change n2 to the word two." }, { description: "Change n17 to the word seventeen." }],
  files: [{ path: "numbers.ts", action: "modify", reason: "Both constants are defined here." }],
};
const editsAnswer = ["numbers.ts", "```ts", proposed.trimEnd(), "```", ""].join("\n");

let dir: string;
let workspace: string;
let fake: FakeOllama;
let server: ChildProcess;
let serverStderr: string;
let helix: HelixLikeClient;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "burrow-helix-"));
  workspace = join(dir, "workspace");
  mkdirSync(join(workspace, ".git"), { recursive: true });
  writeFileSync(join(workspace, "numbers.ts"), original);
  // Two models installed: the one named in the Helix config must be the one used.
  fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b", "qwen2.5-coder:3b"] });
  fake.enqueueChat({ json: plan }, { text: editsAnswer });
  server = spawn(process.execPath, [join(REPO_ROOT, "bin", "burrow.js"), "--stdio"], {
    cwd: workspace,
    env: { ...process.env, OLLAMA_HOST: fake.url, XDG_STATE_HOME: join(dir, "state") },
    stdio: ["pipe", "pipe", "pipe"],
  });
  serverStderr = "";
  server.stderr!.on("data", (d: Buffer) => (serverStderr += d.toString()));
  const connection = createMessageConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  helix = new HelixLikeClient(connection, workspace);
  // Helix sends the `config` table of [language-server.burrow] as initializationOptions.
  await helix.initialize({ models: { coder: "qwen2.5-coder:3b" } }).catch((err: Error) => {
    throw new Error(`${err.message}\nserver stderr:\n${serverStderr}`);
  });
});

afterEach(async () => {
  await helix.request("shutdown", null).catch(() => undefined);
  await helix.connection.sendNotification("exit").catch(() => undefined);
  const exited = server.exitCode !== null ? Promise.resolve() : new Promise<void>((resolve) => server.once("exit", () => resolve()));
  const timer = setTimeout(() => server.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(timer);
  helix.connection.dispose();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const cursor: Range = RECORDED_CODE_ACTION.range;

function find(actions: CodeAction[], title: RegExp): CodeAction {
  const action = actions.find((a) => title.test(a.title));
  expect(action, `no code action matching ${title} among ${JSON.stringify(actions.map((a) => a.title))}`).toBeDefined();
  return action!;
}

describe("a Helix 25.07.1 client, with configuration only", () => {
  it("completes a task through :lsp-workspace-command, code actions, workspace/applyEdit and :wa", async () => {
    const uri = helix.open(join(workspace, "numbers.ts"), "typescript");

    // :lsp-workspace-command burrow.task {"prompt": "…"} answers within Helix's request timeout
    // (request() fails past it), with the task's id, while the task runs on.
    const { taskId } = await helix.workspaceCommand<{ taskId: string }>("burrow.task", { prompt: "spell out n2 and n17" });
    expect(typeof taskId).toBe("string");

    // Gate 1 reaches Helix as a status message naming the plan document, which is also opened.
    await helix.waitFor("the plan status message", () => helix.statusMessages.some((m) => m.includes("Burrow plan")));
    const planMessage = helix.statusMessages.find((m) => m.includes("Burrow plan"))!;
    await helix.waitFor("the plan document to be shown", () => helix.shownDocuments.some((p) => p.endsWith(".md")));
    const planDoc = helix.shownDocuments.find((p) => p.endsWith(".md"))!;
    expect(planMessage).toContain(planDoc);
    expect(readFileSync(planDoc, "utf8")).toContain("Spell out n2 and n17.");
    expect(planDoc.startsWith(workspace)).toBe(false);

    // space a in the plan document, which Helix focuses → "Burrow: approve plan".
    const gate1 = await helix.codeActions(pathToFileURL(planDoc).href, cursor);
    expect(gate1.map((a) => a.title)).not.toContain("Burrow: revise plan"); // Helix cannot prompt for feedback
    await helix.runCodeAction(find(gate1, /^Burrow: approve plan$/));

    // Gate 2: the diff document, and a status message naming it.
    await helix.waitFor("the diff status message", () => helix.statusMessages.some((m) => m.includes("Burrow proposes")));
    await helix.waitFor("the diff document to be shown", () => helix.shownDocuments.some((p) => p.endsWith(".diff")));
    const diffDoc = helix.shownDocuments.find((p) => p.endsWith(".diff"))!;
    expect(helix.statusMessages.find((m) => m.includes("Burrow proposes"))).toContain(diffDoc);
    const diff = readFileSync(diffDoc, "utf8");
    expect(diff).toContain("+export const n2 = 'two';");
    expect(diff).toContain("+export const n17 = 'seventeen';");
    expect(readFileSync(join(workspace, "numbers.ts"), "utf8")).toBe(original);

    // space a in the diff document (Burrow serves .diff files through languages.toml) →
    // "Burrow: apply 2 changes": the edit arrives as workspace/applyEdit.
    const gate2 = await helix.codeActions(pathToFileURL(diffDoc).href, cursor);
    await helix.runCodeAction(find(gate2, /^Burrow: apply 2 changes$/));
    await helix.waitFor("the applied status message", () => helix.statusMessages.some((m) => m.startsWith("Burrow applied")));
    expect(helix.appliedEdits).toHaveLength(1);
    expect(helix.documents.get(uri)!.getText()).toBe(proposed);
    // Helix does not save: the disk keeps the old text until :wa.
    expect(readFileSync(join(workspace, "numbers.ts"), "utf8")).toBe(original);
    expect(helix.statusMessages.find((m) => m.startsWith("Burrow applied"))).toContain(":write-all");
    helix.writeAll();
    expect(readFileSync(join(workspace, "numbers.ts"), "utf8")).toBe(proposed);

    // Released Helix was never sent a prompt it cannot show, and custom messages were only dropped.
    expect(helix.refusedRequests).toEqual([]);
    expect(helix.droppedNotifications).toContain("burrow/taskUpdate");
    expect(fake.chatRequests()).toHaveLength(2);
    // The config table of [language-server.burrow] chose the model, and kept choosing it after
    // Helix's didChangeConfiguration and its workspace/configuration answers.
    expect(fake.chatRequests().map((r) => r.model)).toEqual(["qwen2.5-coder:3b", "qwen2.5-coder:3b"]);
  });

  it("starts a task from a selection with a code action and rejects its changes, leaving the file as it was", async () => {
    const uri = helix.open(join(workspace, "numbers.ts"), "typescript");
    const selection: Range = { start: { line: 1, character: 0 }, end: { line: 16, character: 30 } };

    const ask = find(await helix.codeActions(uri, selection), /^Burrow: ask about selection$/);
    const { taskId } = (await helix.runCodeAction(ask)) as { taskId: string };
    expect(typeof taskId).toBe("string");

    await helix.waitFor("the plan status message", () => helix.statusMessages.some((m) => m.includes("Burrow plan")));
    await helix.runCodeAction(find(await helix.codeActions(uri, cursor), /^Burrow: approve plan$/));
    await helix.waitFor("the diff status message", () => helix.statusMessages.some((m) => m.includes("Burrow proposes")));
    await helix.runCodeAction(find(await helix.codeActions(uri, cursor), /^Burrow: reject changes$/));
    await helix.waitFor("the rejection status message", () => helix.statusMessages.some((m) => m.includes("was rejected")));

    // Nothing pending any more: the menu offers no gate.
    expect((await helix.codeActions(uri, cursor)).map((a) => a.title).filter((t) => /approve|apply|reject/.test(t))).toEqual([]);
    expect(helix.appliedEdits).toHaveLength(0);
    expect(helix.documents.get(uri)!.getText()).toBe(original);
    helix.writeAll();
    expect(readFileSync(join(workspace, "numbers.ts"), "utf8")).toBe(original);
    // The selection reached the model as context.
    const planRequest = JSON.stringify(fake.chatRequests()[0]);
    expect(planRequest).toContain("export const n2 = 2;");
    expect(helix.refusedRequests).toEqual([]);
  });
});
