/**
 * How one task looks in an ACP client: its states as tool calls and their statuses, its plan as an
 * ACP plan, its progress as the running tool call's text.
 *
 * Each phase of the task is a tool call: planning (`think`), waiting for another task's files,
 * writing the edits (`think`), and one `edit` call per proposed file. A phase that runs is
 * `in_progress`; a gate that waits for the user is `pending`; a phase that ended is `completed`,
 * or `failed` with the reason when the task was rejected, cancelled or failed (ACP v1 has no
 * other ending). The plan's steps are the ACP plan's entries: pending at gate 1, in progress while
 * the edits are written, completed once applied, and cleared when the plan is discarded.
 */
import type { PlanEntryStatus, SessionUpdate, ToolCallContent, ToolCallStatus, ToolCallUpdate, ToolKind } from "@agentclientprotocol/sdk";
import { renderPlan } from "../agent/task/plan.js";
import { promptTitle, TITLE_WIDTH, type TaskUpdate } from "../protocol/index.js";
import type { ProposedFileView } from "./proposal.js";

export type SendUpdate = (update: SessionUpdate) => Promise<void>;

interface OpenCall {
  status: ToolCallStatus;
}

export class TaskToolCalls {
  private readonly calls = new Map<string, OpenCall>();
  private planRound: number;
  private editRound = 0;
  private running: string | undefined;
  private lastState: string | undefined;
  private planShown = false;

  constructor(
    private readonly send: SendUpdate,
    private readonly taskId: string,
    /** Plans already shown for this task in earlier turns (a revised plan gets a new call). */
    earlierPlans = 0,
  ) {
    this.planRound = earlierPlans;
  }

  get round(): number {
    return this.planRound;
  }

  get planCallId(): string {
    return `${this.taskId}-plan-${this.planRound}`;
  }

  fileCallId(index: number): string {
    return `${this.taskId}-edit-${this.editRound}-file-${index + 1}`;
  }

  /** Follow a state change; gates are asked by the caller, this only shows where the task is. */
  async follow(update: TaskUpdate): Promise<void> {
    if (update.state === this.lastState) return;
    const previous = this.lastState;
    this.lastState = update.state;
    const title = promptTitle(update.prompt, TITLE_WIDTH.progress);
    switch (update.state) {
      case "planning":
        this.planRound++;
        await this.start(this.planCallId, `Planning: ${title}`, "think");
        return;
      case "queued":
        await this.start(`${this.taskId}-queue`, `Waiting for task ${(update.queuedBehind ?? []).join(", ")}, which changes the same files`, "other", "pending");
        return;
      case "editing":
        if (this.calls.has(`${this.taskId}-queue`)) await this.finish(`${this.taskId}-queue`, "completed");
        this.editRound++;
        await this.start(`${this.taskId}-write-${this.editRound}`, `Writing the edits${update.model ? ` with ${update.model}` : ""}`, "think");
        if (update.plan) await this.showPlan(update.plan.steps, "in_progress");
        return;
      case "awaitingChangesApproval":
        if (this.running) await this.finish(this.running, "completed");
        return;
      case "applied":
        await this.finishAll("completed");
        if (update.plan) await this.showPlan(update.plan.steps, "completed");
        return;
      case "rejected":
      case "cancelled":
      case "failed": {
        const reason =
          update.state === "failed" ? (update.error?.message ?? "The task failed.") : `${update.state === "rejected" ? "Rejected" : "Cancelled"}: nothing was changed.`;
        await this.finishAll("failed", reason);
        // A rejected or abandoned plan is discarded; the client's copy of it goes too.
        if (this.planShown && (update.state !== "failed" || previous !== "applying")) await this.clearPlan();
        return;
      }
      default:
        return;
    }
  }

  /** The plan at gate 1: the planning call waits for the user, with the plan as its content. */
  async planReady(update: TaskUpdate, locations: string[]): Promise<ToolCallUpdate> {
    const plan = update.plan;
    if (this.running === this.planCallId) this.running = undefined;
    const call: ToolCallUpdate = {
      toolCallId: this.planCallId,
      title: `Plan: ${promptTitle(plan?.summary ?? update.prompt, TITLE_WIDTH.message)}`,
      kind: "think",
      status: "pending",
      content: plan ? [text(renderPlan(plan))] : [],
      locations: locations.map((path) => ({ path })),
    };
    this.calls.set(call.toolCallId, { status: "pending" });
    await this.send({ sessionUpdate: "tool_call_update", ...call });
    if (plan) await this.showPlan(plan.steps, "pending");
    return call;
  }

  /** One proposed file at gate 2, waiting for the user. */
  async proposeFile(file: ProposedFileView, index: number, warnings: readonly string[]): Promise<ToolCallUpdate> {
    const verb = file.kind === "create" ? "Create" : file.kind === "delete" ? "Delete" : "Edit";
    const notes = warnings.filter((w) => w.includes(file.path));
    const call = {
      toolCallId: this.fileCallId(index),
      title: `${verb} ${file.path}`,
      kind: (file.kind === "delete" ? "delete" : "edit") as ToolKind,
      status: "pending" as const,
      content: [diffContent(file, file.after), ...notes.map((n) => text(n))],
      locations: [{ path: file.abs, line: file.hunks[0]?.line ?? 1 }],
      _meta: { burrow: { taskId: this.taskId, hunks: file.hunks.map((h) => h.hunkId), diff: file.patch } },
    };
    this.calls.set(call.toolCallId, { status: "pending" });
    await this.send({ sessionUpdate: "tool_call", ...call });
    return call;
  }

  /** One hunk of a file, for a client choosing change by change. */
  async proposeHunk(file: ProposedFileView, fileIndex: number, hunk: number, afterHunk: string | null): Promise<ToolCallUpdate> {
    const call = {
      toolCallId: `${this.fileCallId(fileIndex)}-${file.hunks[hunk]!.hunkId}`,
      title: `Change ${hunk + 1} of ${file.hunks.length} in ${file.path}`,
      kind: "edit" as ToolKind,
      status: "pending" as const,
      content: [diffContent(file, afterHunk)],
      locations: [{ path: file.abs, line: file.hunks[hunk]!.line }],
      _meta: { burrow: { taskId: this.taskId, hunks: [file.hunks[hunk]!.hunkId] } },
    };
    this.calls.set(call.toolCallId, { status: "pending" });
    await this.send({ sessionUpdate: "tool_call", ...call });
    return call;
  }

  /** A question before files leave the machine for a cloud host. */
  async askConsent(message: string, round: number): Promise<ToolCallUpdate> {
    const call = { toolCallId: `${this.taskId}-consent-${round}`, title: message, kind: "fetch" as ToolKind, status: "pending" as const };
    this.calls.set(call.toolCallId, { status: "pending" });
    await this.send({ sessionUpdate: "tool_call", ...call });
    return call;
  }

  /** The running call's text follows the task's progress messages. */
  async progress(message: string): Promise<void> {
    if (!this.running) return;
    await this.send({ sessionUpdate: "tool_call_update", toolCallId: this.running, content: [text(message)] });
  }

  async finish(toolCallId: string, status: "completed" | "failed" | "in_progress", reason?: string, content?: ToolCallContent[]): Promise<void> {
    const call = this.calls.get(toolCallId);
    if (call) call.status = status;
    if (this.running === toolCallId && status !== "in_progress") this.running = undefined;
    const replaced = content ?? (reason !== undefined ? [text(reason)] : undefined);
    await this.send({ sessionUpdate: "tool_call_update", toolCallId, status, ...(replaced ? { content: replaced } : {}) });
  }

  /** Show a file's call with the text it now gets (all of its hunks, or some). */
  async settleFile(file: ProposedFileView, index: number, status: "in_progress" | "failed", after: string | null, reason?: string): Promise<void> {
    await this.finish(this.fileCallId(index), status, undefined, [diffContent(file, after), ...(reason ? [text(reason)] : [])]);
  }

  private async start(toolCallId: string, title: string, kind: ToolKind, status: ToolCallStatus = "in_progress"): Promise<void> {
    if (this.running && this.running !== toolCallId) await this.finish(this.running, "completed");
    const known = this.calls.get(toolCallId);
    this.calls.set(toolCallId, { status });
    if (status === "in_progress") this.running = toolCallId;
    if (known) await this.send({ sessionUpdate: "tool_call_update", toolCallId, title, status });
    else await this.send({ sessionUpdate: "tool_call", toolCallId, title, kind, status });
  }

  private async finishAll(status: "completed" | "failed", reason?: string): Promise<void> {
    for (const [id, call] of this.calls) {
      if (call.status === "pending" || call.status === "in_progress") await this.finish(id, status, reason);
    }
  }

  private async showPlan(steps: { description: string }[], status: PlanEntryStatus): Promise<void> {
    this.planShown = true;
    await this.send({ sessionUpdate: "plan", entries: steps.map((s) => ({ content: s.description, priority: "medium", status })) });
  }

  private async clearPlan(): Promise<void> {
    this.planShown = false;
    await this.send({ sessionUpdate: "plan", entries: [] });
  }
}

export function text(value: string): ToolCallContent {
  return { type: "content", content: { type: "text", text: value } };
}

/** ACP's diff content: whole texts; a deleted file has no new text in v1, so it shows as emptied. */
function diffContent(file: ProposedFileView, after: string | null): ToolCallContent {
  return { type: "diff", path: file.abs, oldText: file.before, newText: after ?? "" };
}
