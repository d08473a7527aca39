/**
 * `workspace/executeCommand`: one handler per `burrow.*` command, in a table keyed by the names in
 * protocol/commands.ts. Each handler checks its one object argument against the protocol's schema
 * and answers at once (Helix gives up on a request after 20 s); long work continues in the
 * background and reports through `burrow/taskUpdate` and `$/progress`. `burrow.chat` and
 * `burrow.models.pull` are the commands that answer when their work is done, and `$/cancelRequest`
 * stops them.
 */
import { ErrorCodes, ResponseError, type CancellationToken } from "vscode-languageserver";
import type { Outcome } from "../agent/outcome.js";
import type { Decision, StartTaskRequest, TaskSnapshot } from "../agent/task/task.js";
import { parseArguments, type BurrowCommand, type CommandArguments } from "../protocol/index.js";
import { linesOfRange } from "../protocol/lsp-range.js";
import type { Services } from "../services/build.js";
import { answerChat, type ChatDeps } from "./chat.js";
import { pullModel } from "./models.js";

type Handler = (args: unknown, token: CancellationToken) => Promise<unknown>;

export interface CommandDeps extends ChatDeps {
  /** The running services (the caller has waited for the build). */
  services(): Services;
}

/** The command's argument, or the LSP `InvalidParams` error naming what is wrong with it. */
function argumentsOf<C extends BurrowCommand>(command: C, raw: unknown): CommandArguments<C> {
  const parsed = parseArguments(command, raw);
  if (!parsed.ok) throw new ResponseError(ErrorCodes.InvalidParams, parsed.reason);
  return parsed.args;
}

/** A refusal from the agent is a command that cannot run now: LSP `InvalidRequest` with the reason. */
function unlessRefused<T>(result: Outcome<{ snapshot: T }>): T {
  if (!result.ok) throw new ResponseError(ErrorCodes.InvalidRequest, result.reason);
  return result.snapshot;
}

export function commandHandlers(deps: CommandDeps): Record<BurrowCommand, Handler> {
  const tasks = () => deps.services().tasks;
  const workspace = () => deps.services().workspace;
  const snapshotOr404 = (taskId: string, s: TaskSnapshot | undefined): TaskSnapshot => {
    if (!s) throw new ResponseError(ErrorCodes.InvalidParams, `There is no task ${taskId} in this session.`);
    return s;
  };
  /** `burrow.plan.approve` / `.reject` also answer a pending consent question, since it is asked through the same gate channels. */
  const decide = async (taskId: string, decision: Decision) => {
    const manager = tasks();
    const current = snapshotOr404(taskId, manager.status(taskId));
    let d = decision;
    if (current.awaiting === "consent" && (decision.kind === "approvePlan" || decision.kind === "rejectPlan")) {
      d = { kind: "consent", allow: decision.kind === "approvePlan" };
    }
    return snapshotOr404(taskId, await manager.decideAndSettle(taskId, d));
  };

  return {
    "burrow.task": async (raw) => {
      const a = argumentsOf("burrow.task", raw);
      if (workspace().roots().length === 0) {
        throw new ResponseError(ErrorCodes.InvalidRequest, "Burrow has no folder to work in: open a workspace folder or run burrow.grant {path}.");
      }
      const request: StartTaskRequest = { prompt: a.prompt };
      if (a.uri) request.uri = a.uri;
      if (a.range) request.range = linesOfRange(a.range);
      if (a.provider) request.provider = a.provider;
      if (a.model) request.model = a.model;
      return tasks().start(request);
    },
    "burrow.task.status": async (raw) => {
      const a = argumentsOf("burrow.task.status", raw);
      if (a.taskId) return snapshotOr404(a.taskId, tasks().status(a.taskId));
      return { tasks: tasks().list() };
    },
    "burrow.task.cancel": async (raw) => {
      const a = argumentsOf("burrow.task.cancel", raw);
      return snapshotOr404(a.taskId, tasks().cancel(a.taskId));
    },
    "burrow.task.retry": async (raw) => {
      const a = argumentsOf("burrow.task.retry", raw);
      const options: { feedback?: string; model?: string; provider?: string } = {};
      if (a.feedback) options.feedback = a.feedback;
      if (a.model) options.model = a.model;
      if (a.provider) options.provider = a.provider;
      return unlessRefused(tasks().retry(a.taskId, options));
    },
    "burrow.plan.approve": async (raw) => decide(argumentsOf("burrow.plan.approve", raw).taskId, { kind: "approvePlan" }),
    "burrow.plan.revise": async (raw) => {
      const a = argumentsOf("burrow.plan.revise", raw);
      return decide(a.taskId, { kind: "revisePlan", feedback: a.feedback });
    },
    "burrow.plan.reject": async (raw) => {
      const a = argumentsOf("burrow.plan.reject", raw);
      return decide(a.taskId, a.feedback ? { kind: "rejectPlan", feedback: a.feedback } : { kind: "rejectPlan" });
    },
    "burrow.changes.apply": async (raw) => {
      const a = argumentsOf("burrow.changes.apply", raw);
      return decide(a.taskId, a.hunks ? { kind: "applyChanges", hunks: a.hunks } : { kind: "applyChanges" });
    },
    "burrow.changes.reject": async (raw) => {
      const a = argumentsOf("burrow.changes.reject", raw);
      return decide(a.taskId, a.feedback ? { kind: "rejectChanges", feedback: a.feedback } : { kind: "rejectChanges" });
    },
    "burrow.undo": async (raw) => unlessRefused(await tasks().undo(argumentsOf("burrow.undo", raw).taskId)),
    "burrow.chat": async (raw, token) => answerChat(deps.services(), argumentsOf("burrow.chat", raw), token, deps),
    "burrow.grant": async (raw) => {
      const a = argumentsOf("burrow.grant", raw);
      const granted = await workspace().grant(a.path);
      if (!granted.ok) throw new ResponseError(ErrorCodes.InvalidParams, granted.reason);
      return { roots: workspace().roots() };
    },
    "burrow.revoke": async (raw) => {
      const a = argumentsOf("burrow.revoke", raw);
      const revoked = workspace().revoke(a.path);
      if (!revoked.ok) throw new ResponseError(ErrorCodes.InvalidParams, revoked.reason);
      const cancelled = tasks().revokeRoot(revoked.root);
      return { roots: workspace().roots(), cancelled };
    },
    "burrow.models.list": async () => deps.services().models.listModels(),
    "burrow.models.pull": async (raw, token) => pullModel(deps.services(), argumentsOf("burrow.models.pull", raw).name, token, deps.progress),
    "burrow.doctor": async () => deps.services().models.doctor(),
    "burrow.egress": async () => deps.services().models.egressLedger(),
  };
}
