/**
 * What an ACP session leaves behind for `session/list` and `session/load`: its folders, mode, title
 * and conversation, under the state directory (never in the workspace).
 *
 * The conversation holds the user's words, chat answers (which chat already keeps in its own
 * transcript) and, for tasks, only the sentence that ends each one ("applied to src/a.ts",
 * "rejected: nothing was changed"). Plans and proposals are not kept: a rejected one must leave no
 * trace, and an applied one is in the files and the undo snapshot already. Tasks themselves live in
 * the process that ran them, so a loaded session continues the conversation, not a waiting gate.
 */
import { z } from "zod";
import type { StateStore } from "../agent/sandbox/types.js";

const FOLDER = "acp/sessions";

const recordSchema = z.object({
  sessionId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/),
  cwd: z.string(),
  additionalDirectories: z.array(z.string()).default([]),
  mode: z.string(),
  title: z.string().optional(),
  updatedAt: z.string(),
  history: z.array(z.object({ role: z.enum(["user", "agent"]), text: z.string() })).default([]),
});

export type SessionRecord = z.infer<typeof recordSchema>;

/** How many sessions `session/list` answers at once; the cursor pages through the rest. */
export const LIST_PAGE = 50;

export async function saveRecord(state: StateStore, record: SessionRecord): Promise<void> {
  await state.write(`${FOLDER}/${record.sessionId}.json`, JSON.stringify(record));
}

/** The stored record of a session, or undefined when there is none (or it cannot be read). */
export async function readRecord(state: StateStore, sessionId: string): Promise<SessionRecord | undefined> {
  if (!recordSchema.shape.sessionId.safeParse(sessionId).success) return undefined;
  const text = await state.read(`${FOLDER}/${sessionId}.json`).catch(() => null);
  if (text === null) return undefined;
  try {
    const parsed = recordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Every stored session, most recently active first. */
export async function listRecords(state: StateStore): Promise<SessionRecord[]> {
  const names = (await state.list(FOLDER)).filter((n) => n.endsWith(".json"));
  const records = await Promise.all(names.map((n) => readRecord(state, n.slice(0, -".json".length))));
  return records.filter((r): r is SessionRecord => r !== undefined).sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
}
