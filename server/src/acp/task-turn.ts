/**
 * One prompt turn in task mode: start a task (or hand the waiting plan the user's words, after
 * "revise"), follow its updates as tool calls, ask each gate as a permission request, and answer
 * the prompt when the task ends, or when its plan waits for the user's next message.
 *
 * Only the task manager's public API is used: `start`, `decide`, `cancel` and its update and
 * progress events. A cancelled turn cancels the task at whatever state it is in (planning, at a
 * gate, editing); the task then ends `cancelled` with nothing written, and the prompt answers
 * `cancelled`.
 */
import type { AgentContext, StopReason } from "@agentclientprotocol/sdk";
import type { TaskProgress } from "../agent/task/manager.js";
import { currentText } from "../agent/task/editor.js";
import { renderPlan } from "../agent/task/plan.js";
import { isTerminal } from "../agent/task/states.js";
import type { TaskUpdate } from "../protocol/index.js";
import { askChanges, askConsent, askPlan, decisionFor, settleFiles, type GateContext } from "./gates.js";
import { readProposal } from "./proposal.js";
import type { ReadPrompt } from "./prompt.js";
import type { AcpSession } from "./sessions.js";
import { TaskToolCalls, type SendUpdate } from "./tool-calls.js";

export interface TurnContext {
  session: AcpSession;
  client: AgentContext;
  signal: AbortSignal;
  send: SendUpdate;
  /** One piece of the agent's message. */
  say: (text: string) => Promise<void>;
  log: (message: string) => void;
}

export interface TurnResult {
  stopReason: StopReason;
  /** The sentence that ends the turn, kept in the session's history. */
  summary: string;
}

type TaskEvent = { kind: "update"; update: TaskUpdate } | { kind: "progress"; progress: TaskProgress };

export async function runTaskTurn(turn: TurnContext, prompt: ReadPrompt): Promise<TurnResult> {
  const { session } = turn;
  const tasks = session.services.tasks;
  const revising = session.awaitingRevision !== undefined && tasks.status(session.awaitingRevision)?.awaiting === "plan" ? session.awaitingRevision : undefined;
  session.awaitingRevision = undefined;
  if (!revising) {
    session.host.forget();
    if (prompt.document?.text !== undefined) await session.host.remember(prompt.document.uri, prompt.document.text);
    else if (prompt.document) await session.host.readAhead([{ path: prompt.document.uri, intent: "read" }]);
  }
  const events = new EventQueue();
  const stop = [tasks.onUpdate((u) => events.push({ kind: "update", update: u })), tasks.onProgress((p) => events.push({ kind: "progress", progress: p }))];
  let taskId: string;
  let follower: TaskFollower;
  if (revising) {
    taskId = revising;
    follower = new TaskFollower(turn, taskId, session.revisionRound ?? 0);
    await follower.calls.finish(follower.calls.planCallId, "completed", "Revised as you asked.");
    tasks.decide(taskId, decisionFor(tasks.status(taskId)!, { kind: "revisePlan", feedback: prompt.text }));
  } else {
    taskId = tasks.start({
      prompt: prompt.text,
      ...(prompt.document ? { uri: prompt.document.uri } : {}),
      ...(prompt.document?.selection ? { range: prompt.document.selection } : {}),
    }).taskId;
    follower = new TaskFollower(turn, taskId, 0);
  }
  const cancel = () => tasks.cancel(taskId);
  turn.signal.addEventListener("abort", cancel, { once: true });
  if (turn.signal.aborted) cancel();
  try {
    for (;;) {
      const event = await events.next((e) => (e.kind === "update" ? e.update.taskId : e.progress.taskId) === taskId);
      if (event.kind === "progress") {
        await follower.calls.progress(event.progress.message);
        continue;
      }
      const outcome = await follower.onUpdate(event.update);
      if (outcome) {
        if (outcome.revise) {
          session.awaitingRevision = taskId;
          session.revisionRound = follower.planRound;
        } else {
          session.host.forget();
        }
        return outcome.result;
      }
    }
  } finally {
    turn.signal.removeEventListener("abort", cancel);
    for (const s of stop) s();
  }
}

/** Turns the task's updates into tool calls, messages and gate questions. */
class TaskFollower {
  readonly calls: TaskToolCalls;
  private asked: string | undefined;
  private warned = 0;
  private consentRound = 0;

  constructor(
    private readonly turn: TurnContext,
    private readonly taskId: string,
    startRound: number,
  ) {
    this.calls = new TaskToolCalls(turn.send, taskId, startRound);
  }

  get planRound(): number {
    return this.calls.round;
  }

  private get gate(): GateContext {
    return { client: this.turn.client, sessionId: this.turn.session.id, signal: this.turn.signal, log: this.turn.log };
  }

  /** Follow one update; a result ends the turn. */
  async onUpdate(update: TaskUpdate): Promise<{ result: TurnResult; revise?: boolean } | undefined> {
    await this.calls.follow(update);
    await this.reportWarnings(update);
    if (isTerminal(update.state)) return { result: await this.ending(update) };
    if (!update.awaiting) {
      this.asked = undefined;
      return undefined;
    }
    const key = `${update.state}/${update.awaiting}`;
    if (this.asked === key) return undefined;
    this.asked = key;
    if (update.awaiting === "plan") return this.planGate(update);
    if (update.awaiting === "changes") await this.changesGate(update);
    else await this.consentGate(update);
    return undefined;
  }

  private async planGate(update: TaskUpdate): Promise<{ result: TurnResult; revise: true } | undefined> {
    const { session } = this.turn;
    const workspace = session.services.workspace;
    const planned = (update.plan?.files ?? []).filter((f) => !f.refused);
    // The planned files' buffers are read now, so the edits are made against what the editor shows.
    await session.host.readAhead(planned.map((f) => ({ path: f.path, intent: f.action === "read" ? ("read" as const) : ("write" as const) })));
    const locations: string[] = [];
    for (const f of planned) {
      const located = await workspace.locate(f.path, f.action === "read" ? "read" : "write");
      if (located.ok) locations.push(located.abs);
    }
    const call = await this.calls.planReady(update, locations);
    // The plan is also said in words: some clients show neither ACP plans nor a tool call's text.
    if (update.plan) await this.turn.say(`${renderPlan(update.plan)}\n`);
    const answer = await askPlan(this.gate, call);
    const tasks = session.services.tasks;
    if (answer === "approve") {
      await this.calls.finish(call.toolCallId, "completed");
      tasks.decide(this.taskId, decisionFor(update, { kind: "approvePlan" }));
    } else if (answer === "reject") {
      tasks.decide(this.taskId, decisionFor(update, { kind: "rejectPlan" }));
    } else if (answer === "cancelled") {
      tasks.cancel(this.taskId);
    } else {
      const summary = "Say what to change in the plan: your next message revises it. The plan waits until then, and nothing is written.";
      await this.turn.say(summary);
      return { result: { stopReason: "end_turn", summary }, revise: true };
    }
    return undefined;
  }

  private async changesGate(update: TaskUpdate): Promise<void> {
    const { session } = this.turn;
    const tasks = session.services.tasks;
    const workspace = session.services.workspace;
    const proposal = await readProposal(update, {
      locate: async (path) => {
        const located = await workspace.locate(path, "write");
        return located.ok ? located.abs : undefined;
      },
      currentText: (abs) => currentText(abs, (a) => session.host.openDocument(a), workspace),
    });
    if (!proposal.ok) {
      await this.turn.say(`${proposal.reason} Nothing was written.\n\n`);
      tasks.cancel(this.taskId);
      return;
    }
    const answer = await askChanges(this.gate, proposal.files, this.calls, update.warnings ?? []);
    if (answer.kind === "cancelled") {
      tasks.cancel(this.taskId);
      return;
    }
    if (answer.kind === "reject") {
      tasks.decide(this.taskId, decisionFor(update, { kind: "rejectChanges" }));
      return;
    }
    // Read the buffers once more, so an edit made while the user was reading counts as a conflict.
    await session.host.readAhead(proposal.files.filter((f) => f.kind !== "create").map((f) => ({ path: f.path, intent: "write" as const })));
    await settleFiles(this.calls, proposal.files, answer.taken);
    tasks.decide(this.taskId, decisionFor(update, { kind: "applyChanges", ...(answer.all ? {} : { hunks: answer.taken }) }));
  }

  private async consentGate(update: TaskUpdate): Promise<void> {
    const consent = update.consent;
    if (!consent) return;
    const kb = (consent.bytes / 1024).toFixed(1);
    const files = consent.files.length;
    const call = await this.calls.askConsent(`Send ${files} file${files === 1 ? "" : "s"} (${kb} KB) to ${consent.host} (${consent.provider})?`, ++this.consentRound);
    const answer = await askConsent(this.gate, call);
    await this.calls.finish(call.toolCallId, answer === "allow" ? "completed" : "failed", answer === "allow" ? "Allowed." : "Not sent.");
    if (answer === "cancelled") this.turn.session.services.tasks.cancel(this.taskId);
    else this.turn.session.services.tasks.decide(this.taskId, decisionFor(update, { kind: "consent", allow: answer === "allow" }));
  }

  private async reportWarnings(update: TaskUpdate): Promise<void> {
    const warnings = update.warnings ?? [];
    for (const warning of warnings.slice(this.warned)) await this.turn.say(`Note: ${warning}\n\n`);
    this.warned = Math.max(this.warned, warnings.length);
  }

  private async ending(update: TaskUpdate): Promise<TurnResult> {
    const summary = endingSentence(update);
    await this.turn.say(summary);
    return { stopReason: update.state === "cancelled" ? "cancelled" : "end_turn", summary };
  }
}

function endingSentence(update: TaskUpdate): string {
  switch (update.state) {
    case "applied": {
      const declined = new Set(update.declinedHunks ?? []);
      const taken = (update.changes ?? []).filter((c) => !declined.has(c.hunkId));
      const files = [...new Set(taken.map((c) => c.path))];
      const left = declined.size > 0 ? ` ${declined.size} change${declined.size === 1 ? " was" : "s were"} left out.` : "";
      return `Applied ${taken.length} change${taken.length === 1 ? "" : "s"} to ${files.join(", ")}.${left}`;
    }
    case "rejected":
      return "Rejected: nothing was changed.";
    case "cancelled":
      return "Cancelled: nothing was changed.";
    default:
      return `The task failed: ${update.error?.message ?? "no reason was given."} Nothing was changed.`;
  }
}

/** Task events in arrival order, taken one at a time by the turn. */
class EventQueue {
  private readonly items: TaskEvent[] = [];
  private wake: (() => void) | undefined;

  push(event: TaskEvent): void {
    this.items.push(event);
    this.wake?.();
  }

  async next(wanted: (e: TaskEvent) => boolean): Promise<TaskEvent> {
    for (;;) {
      const index = this.items.findIndex(wanted);
      if (index >= 0) return this.items.splice(index, 1)[0]!;
      this.items.length = 0;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
