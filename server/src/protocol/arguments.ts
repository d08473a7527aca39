/**
 * The one object argument of each `burrow.*` command, as a zod schema, and the check that turns a
 * bad argument into a sentence naming the field. Every front end validates with these, so a client
 * gets the same answer to the same mistake whichever way it talks to Burrow.
 *
 * Ranges are LSP ranges (0-based lines and characters) because that is what editors send;
 * lsp-range.ts turns them into the 1-based lines the agent works with.
 */
import { z } from "zod";
import type { Outcome } from "../agent/outcome.js";
import type { BurrowCommand } from "./commands.js";

const position = z.object({ line: z.number().int().min(0), character: z.number().int().min(0) });
export const lspRangeSchema = z.object({ start: position, end: position });

const prompt = z.string().trim().min(1, "prompt must not be empty");
const taskId = z.object({ taskId: z.string().min(1) });
const withFeedback = taskId.extend({ feedback: z.string().optional() });
const path = z.object({ path: z.string().min(1) });
/** Commands that take no argument ignore whatever is sent, as they always have. */
const ignored = z.unknown();

export const COMMAND_ARGUMENTS = {
  "burrow.task": z.object({
    prompt,
    uri: z.string().optional(),
    range: lspRangeSchema.optional(),
    provider: z.string().optional(),
    model: z.string().optional(),
  }),
  "burrow.task.status": z.object({ taskId: z.string().min(1).optional() }).default({}),
  "burrow.task.cancel": taskId,
  "burrow.task.retry": taskId.extend({ feedback: z.string().optional(), model: z.string().optional(), provider: z.string().optional() }),
  "burrow.plan.approve": taskId,
  "burrow.plan.revise": taskId.extend({ feedback: z.string().trim().min(1, "feedback must say what to change") }),
  "burrow.plan.reject": withFeedback,
  "burrow.changes.apply": taskId.extend({ hunks: z.array(z.string()).optional() }),
  "burrow.changes.reject": withFeedback,
  "burrow.undo": taskId,
  "burrow.chat": z.object({
    prompt,
    uri: z.string().optional(),
    range: lspRangeSchema.optional(),
    sessionId: z.string().optional(),
  }),
  "burrow.grant": path,
  "burrow.revoke": path,
  "burrow.models.list": ignored,
  "burrow.models.pull": z.object({ name: z.string().min(1) }),
  "burrow.doctor": ignored,
  "burrow.egress": ignored,
} satisfies Record<BurrowCommand, z.ZodType>;

export type CommandArguments<C extends BurrowCommand> = z.infer<(typeof COMMAND_ARGUMENTS)[C]>;
export type LspRange = z.infer<typeof lspRangeSchema>;
export type TaskArguments = CommandArguments<"burrow.task">;
export type ChatArguments = CommandArguments<"burrow.chat">;

/** The command's argument checked against its schema; a refusal names the field and what is wrong. */
export function parseArguments<C extends BurrowCommand>(command: C, raw: unknown): Outcome<{ args: CommandArguments<C> }> {
  const schema: z.ZodType<CommandArguments<C>> = COMMAND_ARGUMENTS[command] as never;
  // A missing argument is an empty object, so "taskId is required" names the field, not the array.
  const result = schema.safeParse(raw ?? {});
  if (result.success) return { ok: true, args: result.data };
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `"${issue.path.join(".")}"` : "its argument";
  return { ok: false, reason: `${command}: ${where} is not valid: ${issue?.message ?? "unknown problem"}.` };
}
