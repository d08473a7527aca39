/**
 * Code actions: the one gate channel that works in every editor. On any document, every decision a
 * task is waiting for is offered as a command-only action (the command is listed in
 * `executeCommandProvider`, so Neovim ≥ 0.10 and Zed run it); on a selection with nothing pending,
 * "Burrow: ask about selection" starts a task about it.
 *
 * This handler runs on every cursor move in some editors (Helix master polls it), so it only reads
 * the task list in memory.
 */
import { CodeActionKind, ErrorCodes, ResponseError, type CodeAction, type CodeActionParams } from "vscode-languageserver";
import type { TaskSnapshot } from "../agent/task/task.js";
import type { ClientProfile } from "../lsp/client-profile.js";
import { promptTitle, TITLE_WIDTH } from "../protocol/index.js";
import type { Running } from "./lifecycle.js";

export const ASK_ABOUT_SELECTION_PROMPT = "Look at the selected code and make the change it needs: fix bugs you find, or improve it if it has none.";

/** `textDocument/codeAction`: nothing before the server runs, an error for a request missing its document or range. */
export function answerCodeAction(params: CodeActionParams, running: Running | undefined): CodeAction[] {
  if (!running) return [];
  const p = params as Partial<CodeActionParams> | undefined;
  if (typeof p?.textDocument?.uri !== "string" || !p.range?.start || !p.range.end) {
    throw new ResponseError(ErrorCodes.InvalidParams, "textDocument/codeAction needs a textDocument.uri and a range.");
  }
  return codeActionsFor(params, running.services.tasks.list(), running.profile);
}

export function codeActionsFor(params: CodeActionParams, tasks: TaskSnapshot[], profile: ClientProfile): CodeAction[] {
  const actions: CodeAction[] = [];
  const pending = tasks.filter((s) => s.awaiting !== undefined);
  for (const s of pending) {
    // Name the task only when several wait at once; the plain titles are what users learn.
    const short = pending.length > 1 ? ` (${promptTitle(s.prompt, TITLE_WIDTH.codeAction)})` : "";
    const args = [{ taskId: s.taskId }];
    if (s.awaiting === "plan") {
      actions.push(action(`Burrow: approve plan${short}`, "burrow.plan.approve", args, true));
      if (profile.handlesTaskUpdates) actions.push(action(`Burrow: revise plan${short}`, "burrow.plan.revise", args));
      actions.push(action(`Burrow: reject plan${short}`, "burrow.plan.reject", args));
    } else if (s.awaiting === "changes") {
      const n = s.changes?.length ?? 0;
      actions.push(action(`Burrow: apply ${n} change${n === 1 ? "" : "s"}${short}`, "burrow.changes.apply", args, true));
      actions.push(action(`Burrow: reject changes${short}`, "burrow.changes.reject", args));
    } else if (s.awaiting === "consent" && s.consent) {
      actions.push(action(`Burrow: allow sending to ${s.consent.host}${short}`, "burrow.plan.approve", args, true));
      actions.push(action(`Burrow: do not send to ${s.consent.host}${short}`, "burrow.plan.reject", args));
    }
  }
  // A proposal refused because the file changed under it can be made again against the current text.
  const conflicted = tasks.find((s) => s.state === "failed" && s.error?.code === "conflict");
  if (conflicted) {
    actions.push(action("Burrow: propose again against the current text", "burrow.task.retry", [{ taskId: conflicted.taskId }]));
  }
  const r = params.range;
  const hasSelection = r.start.line !== r.end.line || r.start.character !== r.end.character;
  if (pending.length === 0 && hasSelection && params.context.triggerKind !== 2) {
    actions.push({
      title: "Burrow: ask about selection",
      kind: CodeActionKind.RefactorRewrite,
      command: {
        title: "Burrow: ask about selection",
        command: "burrow.task",
        arguments: [{ prompt: ASK_ABOUT_SELECTION_PROMPT, uri: params.textDocument.uri, range: params.range }],
      },
    });
  }
  return actions;
}

function action(title: string, command: string, args: unknown[], preferred = false): CodeAction {
  const a: CodeAction = { title, kind: CodeActionKind.QuickFix, command: { title, command, arguments: args } };
  if (preferred) a.isPreferred = true;
  return a;
}
