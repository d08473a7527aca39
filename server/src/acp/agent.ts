/**
 * The ACP front end's composition root: the agent side of the connection and its method table.
 * `burrow acp` serves it on stdin and stdout as newline-delimited JSON-RPC, framed by the SDK
 * (`@agentclientprotocol/sdk`); nothing else may write to stdout in this mode.
 *
 * Each method hands its work to one module: sessions.ts (new, load, list, close), task-turn.ts and
 * chat-turn.ts (prompt turns, by the session's mode), gates.ts (permission requests), host.ts (the
 * client's file system behind the sandbox). The agent core is the same as the LSP server's, built
 * per session by services/build.ts.
 */
import { Readable, Writable } from "node:stream";
import {
  agent,
  ndJsonStream,
  PROTOCOL_VERSION,
  RequestError,
  type AgentApp,
  type AgentContext,
  type ClientCapabilities,
  type ContentBlock,
  type SessionUpdate,
  type StopReason,
} from "@agentclientprotocol/sdk";
import { createStateStore, stateDirectory } from "../agent/sandbox/index.js";
import type { Settings } from "../agent/settings.js";
import { runChatTurn } from "./chat-turn.js";
import { LIST_PAGE } from "./history.js";
import { readPrompt } from "./prompt.js";
import { isModeId, modeState, MODES, SessionStore, type AcpSession } from "./sessions.js";
import { runTaskTurn, type TurnContext } from "./task-turn.js";

export const VERSION = "0.1.0";

export interface AcpOptions {
  env: NodeJS.ProcessEnv;
  /** From the command line (`--settings`, `--provider`, `--model`). */
  settings: Settings;
}

export function burrowAgent(options: AcpOptions): { app: AgentApp; sessions: SessionStore } {
  const state = createStateStore(stateDirectory(options.env));
  // Logs carry counts, paths and timings only, never file text, prompts or model output
  // (docs/security.md). The editor shows an agent's stderr in its logs.
  const log = (message: string) => {
    process.stderr.write(`burrow: ${message}\n`);
    void state.append("logs/burrow.log", `${new Date().toISOString()} acp ${message}`).catch(() => undefined);
  };
  let capabilities: ClientCapabilities = {};
  let client: AgentContext | undefined;
  const sessions = new SessionStore({
    env: options.env,
    settings: options.settings,
    state,
    log,
    client: () => client!,
    capabilities: () => capabilities,
  });

  const app = agent({ name: "burrow" })
    .onConnect((connection) => {
      client = connection.client;
      void connection.closed.then(() => sessions.closeAll());
    })
    .onRequest("initialize", ({ params }) => {
      capabilities = params.clientCapabilities ?? {};
      const name = params.clientInfo?.name ?? "an ACP client";
      log(`serving ${name} (fs read: ${capabilities.fs?.readTextFile === true}, fs write: ${capabilities.fs?.writeTextFile === true}).`);
      return {
        protocolVersion: PROTOCOL_VERSION,
        agentCapabilities: {
          loadSession: true,
          promptCapabilities: { embeddedContext: true },
          sessionCapabilities: { list: {}, close: {}, additionalDirectories: {} },
        },
        agentInfo: { name: "burrow", title: "Burrow", version: VERSION },
        authMethods: [],
      };
    })
    .onRequest("authenticate", () => ({}))
    .onRequest("session/new", async ({ params }) => {
      checkFolders(params.cwd, params.additionalDirectories);
      ignoreMcpServers(params.mcpServers.length, log);
      const session = await sessions.create(params.cwd, params.additionalDirectories ?? []);
      return { sessionId: session.id, modes: modeState(session.mode) };
    })
    .onRequest("session/load", async ({ params, client: context }) => {
      checkFolders(params.cwd, params.additionalDirectories);
      ignoreMcpServers(params.mcpServers.length, log);
      const session = await sessions.load(params.sessionId, params.cwd, params.additionalDirectories ?? []);
      // The conversation is replayed before the answer, as the protocol asks.
      for (const entry of session.record.history) {
        const content: ContentBlock = { type: "text", text: entry.text };
        const update: SessionUpdate = entry.role === "user" ? { sessionUpdate: "user_message_chunk", content } : { sessionUpdate: "agent_message_chunk", content };
        await context.notify("session/update", { sessionId: session.id, update });
      }
      return { modes: modeState(session.mode) };
    })
    .onRequest("session/list", async ({ params }) => {
      const page = await sessions.list(params.cwd ?? undefined, params.cursor ?? undefined, LIST_PAGE);
      return {
        sessions: page.records.map((r) => ({
          sessionId: r.sessionId,
          cwd: r.cwd,
          additionalDirectories: r.additionalDirectories,
          updatedAt: r.updatedAt,
          ...(r.title ? { title: r.title } : {}),
        })),
        ...(page.next ? { nextCursor: page.next } : {}),
      };
    })
    .onRequest("session/close", async ({ params }) => {
      await sessions.close(params.sessionId);
      return {};
    })
    .onRequest("session/set_mode", async ({ params }) => {
      const session = sessions.get(params.sessionId);
      if (!isModeId(params.modeId)) {
        throw RequestError.invalidParams({ modeId: params.modeId }, `Burrow has no mode "${params.modeId}"; the modes are ${Object.keys(MODES).join(" and ")}.`);
      }
      session.mode = params.modeId;
      await sessions.save(session);
      return {};
    })
    .onRequest("session/prompt", async ({ params, signal, client: context }) => {
      const session = sessions.get(params.sessionId);
      if (session.turn) throw RequestError.invalidRequest({ sessionId: session.id }, "A prompt is already running in this session; cancel it or wait for it to end.");
      const turn = new AbortController();
      const stopTurn = () => turn.abort();
      signal.addEventListener("abort", stopTurn, { once: true });
      session.turn = turn;
      try {
        const stopReason = await runTurn(session, params.prompt, turn.signal, context, sessions, log);
        return { stopReason };
      } finally {
        signal.removeEventListener("abort", stopTurn);
        session.turn = undefined;
      }
    })
    .onNotification("session/cancel", ({ params }) => {
      sessions.find(params.sessionId)?.turn?.abort();
    });
  return { app, sessions };
}

async function runTurn(
  session: AcpSession,
  blocks: ContentBlock[],
  signal: AbortSignal,
  client: AgentContext,
  sessions: SessionStore,
  log: (message: string) => void,
): Promise<StopReason> {
  const prompt = readPrompt(blocks, session.record.cwd);
  if (prompt.text === "") throw RequestError.invalidParams({}, "The prompt is empty: say what to do, or what to ask.");
  const send = (update: SessionUpdate) => client.notify("session/update", { sessionId: session.id, update });
  const turn: TurnContext = {
    session,
    client,
    signal,
    send,
    say: (text) => send({ sessionUpdate: "agent_message_chunk", content: { type: "text", text } }),
    log,
  };
  const result = session.mode === "chat" ? await runChatTurn(turn, prompt) : await runTaskTurn(turn, prompt);
  await sessions.remember(session, prompt.text, result.summary);
  return result.stopReason;
}

function checkFolders(cwd: string, additional: string[] | undefined): void {
  for (const folder of [cwd, ...(additional ?? [])]) {
    if (!folder.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(folder)) {
      throw RequestError.invalidParams({ folder }, `"${folder}" is not an absolute path; ACP clients send absolute folders.`);
    }
  }
}

/** Burrow gives its model no tools, so MCP servers a client offers have nothing to serve. */
function ignoreMcpServers(count: number, log: (message: string) => void): void {
  if (count > 0) log(`${count} MCP server(s) offered by the client are not used: Burrow gives its model no tools.`);
}

/** `burrow acp`: the agent on this process's stdin and stdout. */
export function startAcpServer(options: AcpOptions): void {
  // Only the SDK's writer may use stdout; anything else printed there would corrupt the stream.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const { app, sessions } = burrowAgent(options);
  const stream = ndJsonStream(Writable.toWeb(process.stdout) as WritableStream<Uint8Array>, Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>);
  const connection = app.connect(stream);
  void connection.closed.then(async () => {
    await sessions.closeAll();
    process.exit(0);
  });
}
