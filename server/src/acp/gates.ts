/**
 * Burrow's gates as ACP permission requests, and the user's answers as the core's decisions.
 *
 * Gate 1 asks about the plan (shown first as an ACP plan and as the planning tool call's text)
 * with approve, reject and revise. ACP's permission dialog takes no text, so "revise" keeps the plan
 * waiting and the user's next prompt becomes the feedback. Gate 2 asks file by file: each proposed
 * file is an `edit` tool call with ACP `diff` content, repeated in full in the permission request,
 * so a client that shows only the request still shows the diff. A file with several changes can be
 * taken change by change. Nothing is decided until every file has its answer, and nothing is
 * written before that decision.
 *
 * Within one request every option has a kind of its own. Clients differ in what they show: Zed
 * and acpx show each option by its name, while CodeCompanion labels options by kind and keys its
 * diff window's mappings by kind, and avante maps kinds onto yes / all / no; two options of one
 * kind would be indistinguishable there, or one would hide the other. So approving and applying
 * are `allow_once`, rejecting is `reject_once`, "apply the rest too" is `allow_always`, and the
 * choices that take the user elsewhere (revise, change by change) are `reject_always`: neither lets
 * the proposal through as shown. A client that answers by policy (acpx's --approve-all and
 * --deny-all pick the first allow or reject option) therefore approves or rejects, never revises.
 * An answer that names no option offered rejects; a cancelled request cancels the task.
 */
import type { AgentContext, PermissionOption, RequestPermissionResponse, ToolCallUpdate } from "@agentclientprotocol/sdk";
import type { Decision } from "../agent/task/task.js";
import type { TaskUpdate } from "../protocol/index.js";
import { textWithHunks, type ProposedFileView } from "./proposal.js";
import type { TaskToolCalls } from "./tool-calls.js";

export interface GateContext {
  client: AgentContext;
  sessionId: string;
  /** Aborted when the turn is cancelled: an open permission request is then withdrawn. */
  signal: AbortSignal;
  log: (message: string) => void;
}

export type PlanAnswer = "approve" | "reject" | "revise" | "cancelled";

const PLAN_OPTIONS: PermissionOption[] = [
  { optionId: "approve", name: "Approve the plan", kind: "allow_once" },
  { optionId: "reject", name: "Reject", kind: "reject_once" },
  { optionId: "revise", name: "Revise: say what to change in your next message", kind: "reject_always" },
];

export async function askPlan(gate: GateContext, call: ToolCallUpdate): Promise<PlanAnswer> {
  const answer = await ask(gate, call, PLAN_OPTIONS);
  return answer === "approve" || answer === "revise" || answer === "cancelled" ? answer : "reject";
}

export type ChangesAnswer =
  | { kind: "apply"; taken: string[]; all: boolean }
  | { kind: "reject" }
  | { kind: "cancelled" };

/** Ask about each proposed file in turn; the answer is the set of hunks the user took. */
export async function askChanges(gate: GateContext, files: ProposedFileView[], calls: TaskToolCalls, warnings: readonly string[]): Promise<ChangesAnswer> {
  const taken: string[] = [];
  let forTheRest: "apply" | undefined;
  for (const [index, file] of files.entries()) {
    const call = await calls.proposeFile(file, index, warnings);
    const remaining = files.length - index - 1;
    const answer = forTheRest ?? (await ask(gate, call, fileOptions(file, remaining)));
    if (answer === "cancelled") return { kind: "cancelled" };
    if (answer === "apply" || answer === "apply-rest") taken.push(...file.hunks.map((h) => h.hunkId));
    if (answer === "apply-rest") forTheRest = "apply";
    if (answer === "hunks") {
      for (const [i, hunk] of file.hunks.entries()) {
        const hunkCall = await calls.proposeHunk(file, index, i, textWithHunks(file, [hunk.hunkId]));
        const choice = await ask(gate, hunkCall, HUNK_OPTIONS);
        if (choice === "cancelled") return { kind: "cancelled" };
        const took = choice === "apply-hunk";
        if (took) taken.push(hunk.hunkId);
        await calls.finish(hunkCall.toolCallId, took ? "completed" : "failed", took ? "Taken." : "Left out.");
      }
    }
  }
  const all = files.flatMap((f) => f.hunks.map((h) => h.hunkId));
  return taken.length === 0 ? { kind: "reject" } : { kind: "apply", taken, all: taken.length === all.length };
}

/** Show each file's call as it will land: the taken text for files applied, left out for the rest. */
export async function settleFiles(calls: TaskToolCalls, files: ProposedFileView[], taken: readonly string[]): Promise<void> {
  for (const [index, file] of files.entries()) {
    const mine = file.hunks.filter((h) => taken.includes(h.hunkId)).map((h) => h.hunkId);
    if (mine.length === 0) await calls.finish(calls.fileCallId(index), "failed", "Rejected: not written.");
    else await calls.settleFile(file, index, "in_progress", textWithHunks(file, mine));
  }
}

export type ConsentAnswer = "allow" | "deny" | "cancelled";

const CONSENT_OPTIONS: PermissionOption[] = [
  { optionId: "allow", name: "Send", kind: "allow_once" },
  { optionId: "deny", name: "Do not send", kind: "reject_once" },
];

export async function askConsent(gate: GateContext, call: ToolCallUpdate): Promise<ConsentAnswer> {
  const answer = await ask(gate, call, CONSENT_OPTIONS);
  return answer === "allow" || answer === "cancelled" ? answer : "deny";
}

/**
 * The core's decision for a gate's answer. Every decision is built here, so when task updates carry
 * the id of the plan or proposal they show, adding it to the decision is one line in this function.
 */
export function decisionFor(_update: TaskUpdate, decision: Decision): Decision {
  return decision;
}

const HUNK_OPTIONS: PermissionOption[] = [
  { optionId: "apply-hunk", name: "Take this change", kind: "allow_once" },
  { optionId: "skip-hunk", name: "Leave it out", kind: "reject_once" },
];

function fileOptions(file: ProposedFileView, remaining: number): PermissionOption[] {
  const options: PermissionOption[] = [{ optionId: "apply", name: file.kind === "delete" ? "Delete" : "Apply", kind: "allow_once" }];
  if (remaining > 0) options.push({ optionId: "apply-rest", name: `Apply this and the ${remaining} remaining file${remaining === 1 ? "" : "s"}`, kind: "allow_always" });
  options.push({ optionId: "reject", name: "Reject", kind: "reject_once" });
  if (file.hunks.length > 1) options.push({ optionId: "hunks", name: `Choose change by change (${file.hunks.length})`, kind: "reject_always" });
  return options;
}

/** One permission request; the chosen option's id, "cancelled", or "unknown" for an id not offered. */
async function ask(gate: GateContext, toolCall: ToolCallUpdate, options: PermissionOption[]): Promise<string> {
  if (gate.signal.aborted) return "cancelled";
  let response: RequestPermissionResponse;
  try {
    response = await gate.client.request(
      "session/request_permission",
      { sessionId: gate.sessionId, toolCall, options },
      { cancellationSignal: gate.signal, stopWaitingOnCancel: true },
    );
  } catch (err) {
    // No answer means no permission: the task is cancelled with nothing written.
    gate.log(`session/request_permission failed: ${err instanceof Error ? err.message : String(err)}`);
    return "cancelled";
  }
  if (response.outcome.outcome !== "selected") return "cancelled";
  const id = response.outcome.optionId;
  return options.some((o) => o.optionId === id) ? id : "unknown";
}
