/**
 * The names in Burrow's public contract: the `burrow.*` commands a client may run and the
 * notifications the server sends. docs/protocol.md describes each one; a test fails when that page
 * and this list drift apart.
 *
 * This one list feeds `executeCommandProvider.commands` (Neovim 0.10 and later, and Zed, refuse to
 * send a command the server did not list) and the handler table, so the two can never disagree.
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

/** Sent with a task's snapshot on every state change; clients that ignore it lose nothing essential. */
export const TASK_UPDATE = "burrow/taskUpdate";
/** Sent with each piece of a chat answer while it streams. */
export const CHAT_DELTA = "burrow/chatDelta";
