/**
 * `burrow run "<task>"`: one coding task from the terminal, through both gates. It starts a Burrow
 * server as a child process and is an ordinary JSON-RPC client of it (no in-process shortcut), so
 * what it shows is exactly what an editor would get: the plan to approve, revise or reject, then a
 * coloured diff to apply or reject. Answers come from stdin, one line per question, so a script can
 * pipe them in; the end of input means "no". The server writes the approved files itself, since
 * this client has no editor buffers.
 *
 * Exit codes: 0 applied, 1 rejected or failed, 2 usage error, 3 no model runtime or model.
 */
import { resolve } from "node:path";
import type { MessageConnection } from "vscode-jsonrpc/node";
import { spawnServer, type SpawnedServer } from "./spawn-server.js";
import { parseFlags } from "./terminal/args.js";
import { paletteFor, type Palette } from "./terminal/colour.js";
import { splitHunks } from "./terminal/diff.js";
import { EventQueue } from "./terminal/events.js";
import { createLineReader, type LineReader } from "./terminal/lines.js";
import { EXIT, describeRequestError, describeServerEnd, exitCodeForError, isLocalProvider } from "./terminal/outcomes.js";
import { createProgress, type Progress } from "./terminal/progress.js";
import { askConsent, askGate, chooseHunks, type Ask, type GateDecision } from "./terminal/questions.js";
import { appliedSentence, printDiff, printPlan } from "./terminal/report.js";
import { checkRoot } from "./terminal/root.js";
import { waitUntilReady } from "./terminal/startup.js";
import { TASK_UPDATE, type TaskUpdate } from "../protocol/index.js";

const USAGE = `Usage: burrow run "<task>" [--root DIR] [--provider P] [--model M] [--yes-plan] [--verbose]

Plans the task, asks you to approve the plan, shows the proposed diff and asks before writing.
Answers are read from stdin, one line each: y/yes/approve/apply, r/revise (then one line of
feedback), n/no/reject; at the diff, s/some goes through the changes one by one. The end of input
means reject.

  --root DIR      the folder Burrow may read and write (default: the current folder)
  --provider P    the model provider for this task (ollama, lmstudio, or a configured cloud name)
  --model M       the model for this task
  --yes-plan      approve the plan without asking (the diff is still shown and asked about)
  --verbose       show the server's log on stderr
`;

type RunEvent =
  | { kind: "update"; update: TaskUpdate }
  | { kind: "progress"; message: string }
  | { kind: "closed" }
  | { kind: "interrupted" }
  | { kind: "noRuntime"; reason: string }
  | { kind: "noRuntimeDeadline"; reason: string };

/**
 * How long to let the task report a missing runtime itself (its sentence names just the runtime
 * in use) before the terminal reports what the runtime probe found.
 */
const NO_RUNTIME_GRACE_MS = 500;

const WORKING_LABELS: Record<string, string> = {
  queued: "waiting for another task to finish with these files",
  planning: "planning",
  editing: "writing the edits",
  applying: "writing the approved files",
};

export async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { values: ["root", "provider", "model"], switches: ["yes-plan", "verbose", "help"] });
  if (!flags.ok) return usageError(flags.reason);
  if (flags.switches.has("help")) {
    process.stdout.write(USAGE);
    return EXIT.done;
  }
  const prompt = flags.positionals.join(" ").trim();
  if (prompt === "") return usageError('Say what the task is, in quotes: burrow run "add a --json flag to the list command".');

  const root = resolve(flags.values.root ?? process.cwd());
  const rootCheck = await checkRoot(root);
  if (!rootCheck.ok) return usageError(rootCheck.reason);
  const server = spawnServer({ root, verbose: flags.switches.has("verbose"), clientName: "burrow-run" });
  const reader = createLineReader();
  const progress = createProgress(process.stderr);
  try {
    return await runTask({
      server,
      reader,
      progress,
      colours: paletteFor(process.stdout),
      prompt,
      provider: flags.values.provider,
      model: flags.values.model,
      approvePlan: flags.switches.has("yes-plan"),
    });
  } finally {
    progress.stop();
    reader.close();
    await server.dispose();
  }
}

function usageError(reason: string): number {
  process.stderr.write(`burrow run: ${reason}\n\n${USAGE}`);
  return EXIT.usage;
}

interface RunOptions {
  server: SpawnedServer;
  reader: LineReader;
  progress: Progress;
  colours: Palette;
  prompt: string;
  provider?: string;
  model?: string;
  approvePlan: boolean;
}

async function runTask(options: RunOptions): Promise<number> {
  const { server, reader, progress, colours } = options;
  const connection = server.connection;
  const events = new EventQueue<RunEvent>();
  let interrupted = false;
  let interrupt: () => void = () => undefined;
  const interruption = new Promise<null>((resolveInterrupt) => {
    interrupt = () => resolveInterrupt(null);
  });

  connection.onNotification(TASK_UPDATE, (update: TaskUpdate) => events.push({ kind: "update", update }));
  connection.onNotification("$/progress", (params: { value?: { message?: string } }) => {
    // The message says what the server is doing ("Planning with qwen2.5-coder:1.5b…"); the title
    // only repeats the task, which the user has just typed.
    const message = params.value?.message;
    if (message) events.push({ kind: "progress", message });
  });
  connection.onNotification("window/showMessage", (params: { type?: number; message?: string }) => {
    // Errors and warnings only: the task's own updates already say what is going on.
    if (params.message && (params.type === 1 || params.type === 2)) {
      progress.clear();
      process.stderr.write(`burrow: ${params.message}\n`);
    }
  });
  connection.onClose(() => events.push({ kind: "closed" }));
  reader.onInterrupt(() => {
    if (interrupted) return;
    interrupted = true;
    interrupt();
    events.push({ kind: "interrupted" });
  });

  progress.update("starting the Burrow server");
  const started = await waitUntilReady(server);
  if (!started.ok) {
    progress.clear();
    process.stderr.write(`burrow: ${started.reason}\n`);
    return EXIT.rejectedOrFailed;
  }

  let taskId: string;
  try {
    const answer = (await send(connection, "burrow.task", {
      prompt: options.prompt,
      ...(options.provider ? { provider: options.provider } : {}),
      ...(options.model ? { model: options.model } : {}),
    })) as { taskId?: unknown };
    if (typeof answer?.taskId !== "string") throw new Error("The server did not return a task id.");
    taskId = answer.taskId;
  } catch (err) {
    progress.clear();
    const { code, message } = describeRequestError(err);
    process.stderr.write(`burrow: ${message}\n`);
    return exitCodeForError(code);
  }

  // The task reads the repository before its first model request, which takes a while in a large
  // project. Asking the runtimes at the same time means a stopped Ollama is reported in a second,
  // not after the indexing. Only when no local runtime answers at all is this conclusive.
  if (isLocalProvider(options.provider)) {
    send(connection, "burrow.models.list", {}).then(
      (listed) => {
        const result = listed as { ok?: boolean; reason?: string } | undefined;
        if (result?.ok === false && result.reason) events.push({ kind: "noRuntime", reason: result.reason });
      },
      () => undefined,
    );
  }

  // Every question clears the spinner first, and Ctrl-C answers whichever question is open with null.
  const ask: Ask = async (question) => {
    progress.clear();
    return Promise.race([reader.ask(question), interruption]);
  };

  const isInterrupted = () => interrupted;
  let lastState: string | undefined;
  let warningsShown = 0;
  // Each consent question is asked once, however many updates repeat it.
  let consentAsked: string | undefined;
  let diffShown: TaskUpdate | undefined;
  // Set while a gate-2 revision is on its way: the rejection it starts with is not the end of the
  // task, and once the server confirms it, the retry asks for new edits from the same plan.
  let revisingDiff = false;

  try {
    return await followTask();
  } catch (err) {
    progress.clear();
    const { code, message } = describeRequestError(err);
    process.stderr.write(`burrow: ${message}\n`);
    return exitCodeForError(code);
  }

  async function followTask(): Promise<number> {
    for (;;) {
      const event = await events.next();
      if (event.kind === "interrupted") {
        progress.clear();
        process.stderr.write("burrow: cancelling the task; nothing was changed.\n");
        await send(connection, "burrow.task.cancel", { taskId }).catch(() => undefined);
        return EXIT.rejectedOrFailed;
      }
      if (event.kind === "closed") {
        progress.clear();
        const status = await settled(server.exited, 1000);
        process.stderr.write(`burrow: ${describeServerEnd(status, server.stderrTail())}\n`);
        return EXIT.rejectedOrFailed;
      }
      if (event.kind === "noRuntime") {
        const reason = event.reason;
        setTimeout(() => events.push({ kind: "noRuntimeDeadline", reason }), NO_RUNTIME_GRACE_MS).unref();
        continue;
      }
      if (event.kind === "noRuntimeDeadline") {
        // Only while the task is still on its way to the model: once past it, its own outcome says more.
        if (lastState !== undefined && lastState !== "planning" && lastState !== "queued") continue;
        progress.clear();
        await send(connection, "burrow.task.cancel", { taskId }).catch(() => undefined);
        process.stderr.write(`burrow: ${event.reason}\n`);
        return EXIT.noModel;
      }
      if (event.kind === "progress") {
        if (lastState !== undefined && lastState in WORKING_LABELS) progress.update(event.message);
        continue;
      }

      const update = event.update;
      if (update.taskId !== taskId) continue;
      const arrived = update.state !== lastState;
      lastState = update.state;

      const warnings = update.warnings ?? [];
      if (warnings.length > warningsShown) {
        progress.clear();
        for (const warning of warnings.slice(warningsShown)) process.stderr.write(`burrow: ${warning}\n`);
        warningsShown = warnings.length;
      }

      if (update.awaiting === "consent" && update.consent) {
        const c = update.consent;
        const key = `${update.state}:${c.provider}:${c.host}:${c.files?.length}:${c.bytes}`;
        if (key === consentAsked) continue;
        consentAsked = key;
        const allowed = await askConsent(ask, c, isInterrupted);
        if (interrupted) continue;
        // Consent is answered through the plan decisions, like every other gate channel.
        await send(connection, allowed ? "burrow.plan.approve" : "burrow.plan.reject", { taskId });
        continue;
      }

      if (update.state in WORKING_LABELS) {
        if (update.state === "editing") revisingDiff = false;
        const behind = update.state === "queued" && update.queuedBehind?.length ? ` (${update.queuedBehind.join(", ")})` : "";
        progress.update(`${WORKING_LABELS[update.state]!}${behind}`);
        continue;
      }

      if (update.state === "awaitingPlanApproval") {
        if (!arrived) continue;
        progress.clear();
        printPlan(update, colours);
        const decision: GateDecision = options.approvePlan
          ? { answer: "approve" }
          : await askGate(ask, "Approve this plan? [y]es, [r]evise, [n]o: ", isInterrupted, false);
        if (interrupted) continue;
        if (decision.answer === "approve") {
          if (options.approvePlan) process.stderr.write("burrow: plan approved (--yes-plan).\n");
          await send(connection, "burrow.plan.approve", { taskId });
        } else if (decision.answer === "revise") {
          await send(connection, "burrow.plan.revise", { taskId, feedback: decision.feedback });
        } else {
          await send(connection, "burrow.plan.reject", { taskId, ...(decision.feedback ? { feedback: decision.feedback } : {}) });
        }
        continue;
      }

      if (update.state === "awaitingChangesApproval") {
        if (!arrived) continue;
        progress.clear();
        diffShown = update;
        if (!printDiff(update, colours)) {
          process.stderr.write("burrow: the model proposed no changes; there is nothing to apply.\n");
          await send(connection, "burrow.changes.reject", { taskId, feedback: "No changes were proposed." });
          continue;
        }
        // Choosing some of the changes needs at least two, each matched to its hunk in the diff.
        const hunks = splitHunks(update.diff ?? "");
        const canSelect = (update.changes?.length ?? 0) > 1 && hunks.length === update.changes!.length;
        const question = `Apply these changes? [y]es, ${canSelect ? "[s]ome, " : ""}[r]evise, [n]o: `;
        let decision = await askGate(ask, question, isInterrupted, canSelect);
        let chosen: string[] | undefined;
        if (decision.answer === "select" && !interrupted) {
          chosen = await chooseHunks(ask, update.changes!, hunks, colours, isInterrupted);
          if (chosen === undefined || chosen.length === 0) {
            if (chosen?.length === 0) process.stderr.write("burrow: no change was chosen, so nothing is applied.\n");
            decision = { answer: "reject" };
          } else if (chosen.length === update.changes!.length) {
            decision = { answer: "approve" };
            chosen = undefined;
          }
        }
        if (interrupted) continue;
        if (decision.answer === "approve") {
          await send(connection, "burrow.changes.apply", { taskId });
        } else if (decision.answer === "select" && chosen) {
          await send(connection, "burrow.changes.apply", { taskId, hunks: chosen });
        } else if (decision.answer === "revise") {
          // Revising the diff is rejecting it with feedback, then (once the rejection is confirmed
          // below) asking for new edits from the same plan; the server carries the feedback over.
          revisingDiff = true;
          await send(connection, "burrow.changes.reject", { taskId, feedback: decision.feedback });
        } else {
          await send(connection, "burrow.changes.reject", { taskId, ...(decision.feedback ? { feedback: decision.feedback } : {}) });
        }
        continue;
      }

      if (update.state === "applied") {
        progress.stop();
        process.stdout.write(`${appliedSentence(update, diffShown, colours)}\n`);
        return EXIT.done;
      }
      if (update.state === "rejected") {
        if (revisingDiff) {
          progress.update(WORKING_LABELS.editing!);
          await send(connection, "burrow.task.retry", { taskId });
          continue;
        }
        progress.stop();
        process.stdout.write("Rejected: nothing was changed.\n");
        return EXIT.rejectedOrFailed;
      }
      if (update.state === "cancelled") {
        progress.stop();
        process.stdout.write("Cancelled: nothing was changed.\n");
        return EXIT.rejectedOrFailed;
      }
      if (update.state === "failed") {
        progress.stop();
        const message = update.error?.message?.trim() || "The task failed without saying why; run again with --verbose.";
        process.stderr.write(`burrow: ${message}\n`);
        return exitCodeForError(update.error?.code);
      }
    }
  }
}

function send(connection: MessageConnection, command: string, argument: object): Promise<unknown> {
  return connection.sendRequest("workspace/executeCommand", { command, arguments: [argument] });
}

/** The promise's value if it settles within `ms`, else undefined. */
function settled<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolveSettled) => {
    const timer = setTimeout(() => resolveSettled(undefined), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolveSettled(value);
      },
      () => {
        clearTimeout(timer);
        resolveSettled(undefined);
      },
    );
  });
}
