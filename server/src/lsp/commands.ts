/**
 * The `burrow.*` command names: the public contract of `workspace/executeCommand` (DESIGN.md).
 * This one list feeds `executeCommandProvider.commands` (Neovim ≥ 0.10 and Zed refuse unlisted
 * commands) and the handler table, so the two can never disagree.
 */
export const COMMANDS = [
  "burrow.task",
  "burrow.task.status",
  "burrow.task.cancel",
  "burrow.task.retry",
  "burrow.plan.approve",
  "burrow.plan.revise",
  "burrow.plan.reject",
  "burrow.changes.apply",
  "burrow.changes.reject",
  "burrow.undo",
  "burrow.chat",
  "burrow.grant",
  "burrow.revoke",
  "burrow.models.list",
  "burrow.models.pull",
  "burrow.doctor",
  "burrow.egress",
] as const;

export type BurrowCommand = (typeof COMMANDS)[number];

export function isBurrowCommand(name: string): name is BurrowCommand {
  return (COMMANDS as readonly string[]).includes(name);
}

/** Custom notifications the server sends; clients that do not handle them lose nothing essential. */
export const TASK_UPDATE = "burrow/taskUpdate";
export const CHAT_DELTA = "burrow/chatDelta";
