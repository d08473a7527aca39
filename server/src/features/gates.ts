/**
 * Delivering a task's gates to the user through every channel the client has (the table "How
 * each client sees the gates" in docs/protocol.md): the `burrow/taskUpdate` notification always; for clients that do not handle it themselves,
 * the plan or diff document through `window/showDocument`, a one-line `window/showMessage` naming the
 * document's path, and `window/showMessageRequest` where the client declares it.
 *
 * A prompt's answer is just one more channel: the first decision wins (TaskManager.decide), a null
 * answer decides nothing, and a client that answers MethodNotFound is not asked again.
 */
import { MessageType, ShowMessageNotification, type Connection } from "vscode-languageserver";
import type { TaskManager } from "../agent/task/manager.js";
import type { TaskSnapshot } from "../agent/task/task.js";
import { pathToFileUri } from "../agent/sandbox/uri.js";
import type { ClientProfile } from "../lsp/client-profile.js";
import { promptTitle, TASK_UPDATE, TITLE_WIDTH } from "../protocol/index.js";

const APPROVE = "Approve";
const REVISE = "Revise";
const REJECT = "Reject";
const APPLY = "Apply";
const ALLOW = "Allow";
const DENY = "Deny";

export class GateDelivery {
  /** The gate each task was last prompted for, so a prompt goes out once per gate. */
  private readonly prompted = new Map<string, string>();

  constructor(
    private readonly connection: Connection,
    private readonly profile: () => ClientProfile,
    private readonly tasks: () => TaskManager | undefined,
    private readonly log: (m: string) => void,
  ) {}

  deliver(snapshot: TaskSnapshot): void {
    void this.connection.sendNotification(TASK_UPDATE, snapshot);
    const profile = this.profile();
    if (profile.handlesTaskUpdates) return;
    const key = `${snapshot.state}:${snapshot.awaiting ?? ""}:${snapshot.consent?.host ?? ""}`;
    if (this.prompted.get(snapshot.taskId) === key) return;
    this.prompted.set(snapshot.taskId, key);
    const short = promptTitle(snapshot.prompt, TITLE_WIDTH.message);
    switch (snapshot.awaiting) {
      case "plan":
        return this.offerPlan(snapshot, short);
      case "changes":
        return this.offerChanges(snapshot, short);
      case "consent":
        return this.offerConsent(snapshot);
    }
    switch (snapshot.state) {
      case "queued":
        return this.info(`Burrow: "${short}" waits for task ${snapshot.queuedBehind?.join(", ")}, which changes the same files.`);
      case "applied": {
        const files = new Set((snapshot.changes ?? []).map((c) => c.path)).size;
        const save = profile.isHelix ? " Review the buffers, then :write-all." : "";
        const warn = snapshot.warnings?.length ? ` ${snapshot.warnings[snapshot.warnings.length - 1]}` : "";
        return this.info(`Burrow applied "${short}" (${files} file${files === 1 ? "" : "s"}).${save}${warn}`);
      }
      case "rejected":
        return this.info(`Burrow: "${short}" was rejected; nothing was changed.`);
      case "cancelled":
        return this.info(`Burrow: "${short}" was cancelled; nothing was changed.`);
      case "failed":
        return this.notify(MessageType.Error, `Burrow: ${snapshot.error?.message ?? "the task failed."}`);
    }
  }

  forget(taskId: string): void {
    this.prompted.delete(taskId);
  }

  private offerPlan(s: TaskSnapshot, short: string): void {
    const plan = s.plan;
    const steps = plan?.steps.length ?? 0;
    const files = plan?.files.length ?? 0;
    const doc = s.documents?.plan;
    this.show(doc);
    // What to do comes first and the long path last: Helix shows the message on one status line,
    // cut at the window's width.
    this.info(
      `Burrow plan ready (${steps} step${steps === 1 ? "" : "s"}, ${files} file${files === 1 ? "" : "s"}): approve with the code action "Burrow: approve plan" ` +
        `or burrow.plan.approve. Task: "${short}".${doc ? ` Plan: ${doc}` : ""}`,
    );
    this.ask(s.taskId, `Burrow: approve the plan for "${short}"? (${steps} steps, ${files} files)`, [APPROVE, REVISE, REJECT], (answer) => {
      const tasks = this.tasks();
      if (!tasks) return;
      if (answer === APPROVE) tasks.decide(s.taskId, { kind: "approvePlan" });
      else if (answer === REJECT) tasks.decide(s.taskId, { kind: "rejectPlan" });
      else if (answer === REVISE) {
        this.info(`Burrow: say what to change with burrow.plan.revise {"taskId": "${s.taskId}", "feedback": "…"} (in Neovim, :Burrow revise …). The plan keeps waiting.`);
      }
    });
  }

  private offerChanges(s: TaskSnapshot, short: string): void {
    const hunks = s.changes?.length ?? 0;
    const files = new Set((s.changes ?? []).map((c) => c.path)).size;
    const doc = s.documents?.diff;
    // The diff is offered for reading first; the yes/no prompt comes after it, never instead of it.
    this.show(doc);
    this.info(
      `Burrow proposes ${hunks} change${hunks === 1 ? "" : "s"} to ${files} file${files === 1 ? "" : "s"}: apply with the code action "Burrow: apply ${hunks} change${hunks === 1 ? "" : "s"}" ` +
        `or burrow.changes.apply. Task: "${short}".${doc ? ` Diff: ${doc}` : ""}`,
    );
    this.ask(s.taskId, `Burrow: apply ${hunks} change${hunks === 1 ? "" : "s"} to ${files} file${files === 1 ? "" : "s"}?`, [APPLY, REJECT], (answer) => {
      const tasks = this.tasks();
      if (answer === APPLY) tasks?.decide(s.taskId, { kind: "applyChanges" });
      else if (answer === REJECT) tasks?.decide(s.taskId, { kind: "rejectChanges" });
    });
  }

  private offerConsent(s: TaskSnapshot): void {
    const c = s.consent;
    if (!c) return;
    const kb = (c.bytes / 1024).toFixed(1);
    const text = `Burrow: send ${c.files.length} file${c.files.length === 1 ? "" : "s"} (${kb} KB) to ${c.host} (${c.provider}) for this task?`;
    this.info(`${text} Answer with the code action "Burrow: allow sending to ${c.host}" or burrow.plan.approve / burrow.plan.reject.`);
    this.ask(s.taskId, text, [ALLOW, DENY], (answer) => {
      if (answer === ALLOW) this.tasks()?.decide(s.taskId, { kind: "consent", allow: true });
      else if (answer === DENY) this.tasks()?.decide(s.taskId, { kind: "consent", allow: false });
    });
  }

  private show(path: string | undefined): void {
    if (!path || !this.profile().showDocument) return;
    this.connection.window.showDocument({ uri: pathToFileUri(path), takeFocus: false }).catch((err: unknown) => {
      this.log(`window/showDocument failed: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  private info(message: string): void {
    this.notify(MessageType.Info, message);
  }

  /**
   * `window/showMessage` as a notification. (vscode-languageserver's `window.show*Message` helpers
   * send a `showMessageRequest`, which released Helix answers with MethodNotFound and Neovim 0.7
   * turns into a blocking prompt.)
   */
  private notify(type: MessageType, message: string): void {
    void this.connection.sendNotification(ShowMessageNotification.type, { type, message });
  }

  private ask(taskId: string, message: string, actions: string[], onAnswer: (title: string) => void): void {
    const profile = this.profile();
    if (!profile.showMessageRequest) return;
    this.connection
      .sendRequest("window/showMessageRequest", { type: MessageType.Info, message, actions: actions.map((title) => ({ title })) })
      .then(
        (answer) => {
          // A dismissed prompt (null) decides nothing: the task keeps waiting on its other channels.
          const title = (answer as { title?: unknown } | null)?.title;
          if (typeof title === "string") onAnswer(title);
        },
        (err: unknown) => {
          // Released Helix answers MethodNotFound; stop asking this client, keep the task waiting.
          profile.showMessageRequest = false;
          this.log(`window/showMessageRequest failed for task ${taskId}: ${err instanceof Error ? err.message : String(err)}`);
        },
      );
  }
}
