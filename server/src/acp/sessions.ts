/**
 * The ACP sessions of one connection. Each session has its own agent core, built by the same
 * `buildServices` the LSP server uses, over its own granted folders: the client's `cwd` and any
 * `additionalDirectories`. One session's tasks can therefore never reach another session's
 * folders, and closing a session stops its tasks and its watchers.
 *
 * A session also has a mode (tasks or chat), the task waiting for the user's words after "revise",
 * the prompt turn in progress, and its record under the state directory for list and load.
 */
import { randomUUID } from "node:crypto";
import { RequestError, type AgentContext, type ClientCapabilities, type SessionModeState } from "@agentclientprotocol/sdk";
import type { StateStore } from "../agent/sandbox/types.js";
import type { Settings } from "../agent/settings.js";
import { promptTitle, TITLE_WIDTH } from "../protocol/index.js";
import type { Services } from "../services/build.js";
import { listRecords, readRecord, saveRecord, type SessionRecord } from "./history.js";
import { AcpEditorHost } from "./host.js";

export const MODES = {
  task: { id: "task", name: "Task", description: "Plan, wait for your approval, propose a diff, wait again, then write." },
  chat: { id: "chat", name: "Chat", description: "Questions about the code. Nothing is written." },
} as const;

export type ModeId = keyof typeof MODES;

export function isModeId(id: string): id is ModeId {
  return Object.hasOwn(MODES, id);
}

export function modeState(current: ModeId): SessionModeState {
  return { currentModeId: current, availableModes: Object.values(MODES).map((m) => ({ ...m })) };
}

export interface AcpSession {
  id: string;
  services: Services;
  host: AcpEditorHost;
  record: SessionRecord;
  mode: ModeId;
  /** The task waiting at gate 1 for the user's next message, which revises its plan. */
  awaitingRevision?: string;
  /** How many plans that task has shown, so its revised plan gets a tool call of its own. */
  revisionRound?: number;
  /** The prompt turn in progress; aborting it cancels whatever the turn is doing. */
  turn?: AbortController;
}

export interface SessionStoreOptions {
  env: NodeJS.ProcessEnv;
  settings: Settings;
  state: StateStore;
  log: (message: string) => void;
  client: () => AgentContext;
  capabilities: () => ClientCapabilities;
}

export class SessionStore {
  private readonly sessions = new Map<string, AcpSession>();

  constructor(private readonly options: SessionStoreOptions) {}

  get(sessionId: string): AcpSession {
    const session = this.sessions.get(sessionId);
    if (!session) throw RequestError.sessionNotFound(sessionId);
    return session;
  }

  /** The session, or undefined (a notification about an unknown session is ignored). */
  find(sessionId: string): AcpSession | undefined {
    return this.sessions.get(sessionId);
  }

  async create(cwd: string, additionalDirectories: string[]): Promise<AcpSession> {
    const record: SessionRecord = { sessionId: randomUUID(), cwd, additionalDirectories, mode: "task", updatedAt: new Date().toISOString(), history: [] };
    const session = await this.open(record);
    await this.save(session);
    return session;
  }

  /** A stored session, opened again over the folders the client names now (its `cwd` must match). */
  async load(sessionId: string, cwd: string, additionalDirectories: string[]): Promise<AcpSession> {
    const open = this.sessions.get(sessionId);
    if (open) {
      if (open.record.cwd !== cwd) throw RequestError.invalidParams({ cwd }, `Session ${sessionId} belongs to ${open.record.cwd}, not ${cwd}.`);
      return open;
    }
    const record = await readRecord(this.options.state, sessionId);
    if (!record) throw RequestError.sessionNotFound(sessionId);
    if (record.cwd !== cwd) throw RequestError.invalidParams({ cwd }, `Session ${sessionId} belongs to ${record.cwd}, not ${cwd}.`);
    return this.open({ ...record, additionalDirectories });
  }

  async list(cwd: string | undefined, cursor: string | undefined, page: number): Promise<{ records: SessionRecord[]; next?: string }> {
    const all = (await listRecords(this.options.state)).filter((r) => cwd === undefined || r.cwd === cwd);
    const start = cursor === undefined ? 0 : Number.parseInt(cursor, 10);
    if (!Number.isInteger(start) || start < 0) throw RequestError.invalidParams({ cursor }, "The cursor is not one Burrow gave.");
    const records = all.slice(start, start + page);
    return { records, ...(start + page < all.length ? { next: String(start + page) } : {}) };
  }

  async close(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    this.sessions.delete(sessionId);
    session.turn?.abort();
    await session.services.dispose();
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.sessions.keys()].map((id) => this.close(id)));
  }

  /** Record what the user said and how the turn ended, and show the session's title. */
  async remember(session: AcpSession, user: string, agent: string | undefined): Promise<void> {
    session.record.history.push({ role: "user", text: user });
    if (agent) session.record.history.push({ role: "agent", text: agent });
    session.record.title ??= promptTitle(user, TITLE_WIDTH.message);
    await this.save(session);
  }

  async save(session: AcpSession): Promise<void> {
    session.record.mode = session.mode;
    session.record.updatedAt = new Date().toISOString();
    await saveRecord(this.options.state, session.record).catch((err: unknown) => {
      this.options.log(`session ${session.id}: could not save its record (${err instanceof Error ? err.message : String(err)})`);
    });
  }

  private async open(record: SessionRecord): Promise<AcpSession> {
    const { buildServices } = await import("../services/build.js");
    let host: AcpEditorHost | undefined;
    const services = await buildServices({
      roots: [],
      settings: this.options.settings,
      env: this.options.env,
      log: this.options.log,
      documents: { get: (abs) => host?.openDocument(abs), onChange: () => () => undefined },
      editorHost: (workspace) => {
        host = new AcpEditorHost({
          capabilities: this.options.capabilities(),
          client: this.options.client(),
          sessionId: record.sessionId,
          workspace: () => workspace,
          settings: () => services.settings.current,
          log: this.options.log,
        });
        return host;
      },
    });
    // Granting one folder at a time gives the sandbox's own reason for a folder it refuses.
    for (const folder of [record.cwd, ...record.additionalDirectories]) {
      const granted = await services.workspace.grant(folder);
      if (!granted.ok) {
        await services.dispose();
        throw RequestError.invalidParams({ folder }, granted.reason);
      }
    }
    const session: AcpSession = { id: record.sessionId, services, host: host!, record, mode: record.mode === "chat" ? "chat" : "task" };
    this.sessions.set(session.id, session);
    this.options.log(`session ${session.id}: serving ${services.workspace.roots().length} granted folder(s).`);
    return session;
  }
}
