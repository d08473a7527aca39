/**
 * `workspace/executeCommand`: one handler per `burrow.*` command, in a table keyed by the names in
 * lsp/commands.ts. Each handler validates its one object argument and answers at once (Helix times
 * requests out after 20 s); long work continues in the background and reports through
 * `burrow/taskUpdate` and `$/progress`. `burrow.chat` is the one command that answers when its work
 * is done, and `$/cancelRequest` on it stops the model request.
 */
import { ErrorCodes, ResponseError, type CancellationToken } from "vscode-languageserver";
import { z } from "zod";
import type { BurrowCommand } from "../lsp/commands.js";
import type { Decision, TaskSnapshot } from "../agent/task/task.js";
import type { Services } from "./services.js";

type Handler = (args: unknown, token: CancellationToken) => Promise<unknown>;

const lspRange = z.object({
  start: z.object({ line: z.number().int().min(0), character: z.number().int().min(0) }),
  end: z.object({ line: z.number().int().min(0), character: z.number().int().min(0) }),
});

const taskArgs = z.object({
  prompt: z.string().trim().min(1, "prompt must not be empty"),
  uri: z.string().optional(),
  range: lspRange.optional(),
  provider: z.string().optional(),
  model: z.string().optional(),
});
const taskIdArgs = z.object({ taskId: z.string().min(1) });
const optionalTaskIdArgs = z.object({ taskId: z.string().min(1).optional() }).default({});
const feedbackArgs = taskIdArgs.extend({ feedback: z.string().optional() });
const reviseArgs = taskIdArgs.extend({ feedback: z.string().trim().min(1, "feedback must say what to change") });
const applyArgs = taskIdArgs.extend({ hunks: z.array(z.string()).optional() });
const retryArgs = taskIdArgs.extend({ feedback: z.string().optional(), model: z.string().optional(), provider: z.string().optional() });
const chatArgs = z.object({
  prompt: z.string().trim().min(1, "prompt must not be empty"),
  uri: z.string().optional(),
  range: lspRange.optional(),
  sessionId: z.string().optional(),
});
const pathArgs = z.object({ path: z.string().min(1) });
const pullArgs = z.object({ name: z.string().min(1) });

function parse<T>(schema: z.ZodType<T>, raw: unknown, command: string): T {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `"${issue.path.join(".")}"` : "its argument";
  throw new ResponseError(ErrorCodes.InvalidParams, `${command}: ${where} is not valid: ${issue?.message ?? "unknown problem"}.`);
}

export function commandHandlers(services: Services): Record<BurrowCommand, Handler> {
  const tasks = () => services.tasks();
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
  const toLines = (range: z.infer<typeof lspRange> | undefined) => {
    if (!range) return undefined;
    // An LSP range ending at character 0 of a line does not include that line.
    const endLine = range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
    return { startLine: range.start.line + 1, endLine: endLine + 1 };
  };

  return {
    "burrow.task": async (raw) => {
      const a = parse(taskArgs, raw, "burrow.task");
      if (services.workspace().roots().length === 0) {
        throw new ResponseError(ErrorCodes.InvalidRequest, "Burrow has no folder to work in: open a workspace folder or run burrow.grant {path}.");
      }
      const request: Parameters<ReturnType<typeof tasks>["start"]>[0] = { prompt: a.prompt };
      if (a.uri) request.uri = a.uri;
      const lines = toLines(a.range);
      if (lines) request.range = lines;
      if (a.provider) request.provider = a.provider;
      if (a.model) request.model = a.model;
      return tasks().start(request);
    },
    "burrow.task.status": async (raw) => {
      const a = parse(optionalTaskIdArgs, raw, "burrow.task.status");
      if (a.taskId) return snapshotOr404(a.taskId, tasks().status(a.taskId));
      return { tasks: tasks().list() };
    },
    "burrow.task.cancel": async (raw) => {
      const a = parse(taskIdArgs, raw, "burrow.task.cancel");
      return snapshotOr404(a.taskId, tasks().cancel(a.taskId));
    },
    "burrow.task.retry": async (raw) => {
      const a = parse(retryArgs, raw, "burrow.task.retry");
      const options: { feedback?: string; model?: string; provider?: string } = {};
      if (a.feedback) options.feedback = a.feedback;
      if (a.model) options.model = a.model;
      if (a.provider) options.provider = a.provider;
      const result = tasks().retry(a.taskId, options);
      if (!result.ok) throw new ResponseError(ErrorCodes.InvalidRequest, result.reason);
      return result.snapshot;
    },
    "burrow.plan.approve": async (raw) => {
      const a = parse(taskIdArgs, raw, "burrow.plan.approve");
      return decide(a.taskId, { kind: "approvePlan" });
    },
    "burrow.plan.revise": async (raw) => {
      const a = parse(reviseArgs, raw, "burrow.plan.revise");
      return decide(a.taskId, { kind: "revisePlan", feedback: a.feedback });
    },
    "burrow.plan.reject": async (raw) => {
      const a = parse(feedbackArgs, raw, "burrow.plan.reject");
      return decide(a.taskId, a.feedback ? { kind: "rejectPlan", feedback: a.feedback } : { kind: "rejectPlan" });
    },
    "burrow.changes.apply": async (raw) => {
      const a = parse(applyArgs, raw, "burrow.changes.apply");
      return decide(a.taskId, a.hunks ? { kind: "applyChanges", hunks: a.hunks } : { kind: "applyChanges" });
    },
    "burrow.changes.reject": async (raw) => {
      const a = parse(feedbackArgs, raw, "burrow.changes.reject");
      return decide(a.taskId, a.feedback ? { kind: "rejectChanges", feedback: a.feedback } : { kind: "rejectChanges" });
    },
    "burrow.undo": async (raw) => {
      const a = parse(taskIdArgs, raw, "burrow.undo");
      const result = await tasks().undo(a.taskId);
      if (!result.ok) throw new ResponseError(ErrorCodes.InvalidRequest, result.reason);
      return result.snapshot;
    },
    "burrow.chat": async (raw, token) => {
      const a = parse(chatArgs, raw, "burrow.chat");
      await services.ready();
      return services.chat(a, token);
    },
    "burrow.grant": async (raw) => {
      const a = parse(pathArgs, raw, "burrow.grant");
      const granted = await services.workspace().grant(a.path);
      if (!granted.ok) throw new ResponseError(ErrorCodes.InvalidParams, granted.reason);
      return { roots: services.workspace().roots() };
    },
    "burrow.revoke": async (raw) => {
      const a = parse(pathArgs, raw, "burrow.revoke");
      const revoked = services.workspace().revoke(a.path);
      if (!revoked.ok) throw new ResponseError(ErrorCodes.InvalidParams, revoked.reason);
      const cancelled = tasks().revokeRoot(revoked.root);
      return { roots: services.workspace().roots(), cancelled };
    },
    "burrow.models.list": async () => services.models().listModels(),
    "burrow.models.pull": async (raw, token) => {
      const a = parse(pullArgs, raw, "burrow.models.pull");
      return services.pull(a.name, token);
    },
    "burrow.doctor": async () => services.models().doctor(),
    "burrow.egress": async () => services.models().egressLedger(),
  };
}
