/**
 * `$/progress` while the model works: one work-done progress per task, begun when the task starts
 * working (planning, queued, editing, applying), reported with each progress message, ended when the
 * task waits at a gate or finishes. Helix shows a spinner, Neovim a statusline entry (through the
 * plugin), Zed the status bar. Clients that do not declare `window.workDoneProgress` get nothing.
 */
import { WorkDoneProgress, WorkDoneProgressCreateRequest, type Connection } from "vscode-languageserver";
import type { TaskProgress } from "../agent/task/manager.js";
import type { TaskSnapshot } from "../agent/task/task.js";
import type { ClientProfile } from "../lsp/client-profile.js";
import { promptTitle, TITLE_WIDTH } from "../protocol/index.js";

const WORKING = new Set(["planning", "queued", "editing", "applying"]);

export class TaskProgressReporter {
  private readonly active = new Map<string, Promise<string | undefined>>();
  private counter = 0;

  constructor(
    private readonly connection: Connection,
    private readonly profile: () => ClientProfile,
  ) {}

  onUpdate(s: TaskSnapshot): void {
    if (WORKING.has(s.state)) this.begin(s.taskId, titleFor(s));
    else this.end(s.taskId, endMessage(s));
  }

  onProgress(p: TaskProgress): void {
    const token = this.active.get(p.taskId);
    if (!token) return;
    void token.then((t) => {
      if (t) void this.connection.sendProgress(WorkDoneProgressKind, t, { kind: "report", message: p.message });
    });
  }

  /** Start a progress for some other long request (a chat answer, a model pull). */
  async start(title: string): Promise<{ report(message: string, percentage?: number): void; done(message?: string): void }> {
    const token = await this.create();
    return {
      report: (message, percentage) => {
        if (token) void this.connection.sendProgress(WorkDoneProgressKind, token, { kind: "report", message, ...(percentage !== undefined ? { percentage } : {}) });
      },
      done: (message) => {
        if (token) void this.connection.sendProgress(WorkDoneProgressKind, token, { kind: "end", ...(message ? { message } : {}) });
      },
    } satisfies { report(message: string, percentage?: number): void; done(message?: string): void };
  }

  private begin(taskId: string, title: string): void {
    if (this.active.has(taskId)) return;
    const token = this.create().then((t) => {
      if (t) void this.connection.sendProgress(WorkDoneProgressKind, t, { kind: "begin", title, cancellable: false });
      return t;
    });
    this.active.set(taskId, token);
  }

  private end(taskId: string, message: string): void {
    const token = this.active.get(taskId);
    if (!token) return;
    this.active.delete(taskId);
    void token.then((t) => {
      if (t) void this.connection.sendProgress(WorkDoneProgressKind, t, { kind: "end", message });
    });
  }

  private async create(): Promise<string | undefined> {
    if (!this.profile().workDoneProgress) return undefined;
    const token = `burrow-${process.pid}-${++this.counter}`;
    try {
      await this.connection.sendRequest(WorkDoneProgressCreateRequest.type, { token });
      return token;
    } catch {
      return undefined;
    }
  }
}

/** `$/progress` carries work-done progress values; vscode-languageserver types them through this. */
const WorkDoneProgressKind = WorkDoneProgress.type;

function titleFor(s: TaskSnapshot): string {
  return `Burrow: ${promptTitle(s.prompt, TITLE_WIDTH.progress)}`;
}

function endMessage(s: TaskSnapshot): string {
  switch (s.awaiting) {
    case "plan":
      return "Plan ready for review";
    case "changes":
      return "Changes ready for review";
    case "consent":
      return "Waiting for your permission";
  }
  return s.state;
}
