/**
 * Building the services a front end serves from: the sandboxed workspace over the granted roots,
 * the state store, the model router, the context engine, the task manager and chat. Nothing here
 * knows a protocol: the front end passes in how approved changes land and which documents the
 * editor has open, and wires the task manager's events to its own notifications.
 *
 * The LSP server imports this module lazily, after `initialize` has been answered, so the editor is
 * not kept waiting while the agent core loads.
 */
import { createChatService, type ChatService } from "../agent/chat/index.js";
import { createContextEngine } from "../agent/context/index.js";
import type { ContextEngine } from "../agent/context/types.js";
import { createModelRouter } from "../agent/model/index.js";
import { createStateStore, createWorkspace, recoverJournals, stateDirectory } from "../agent/sandbox/index.js";
import type { StateStore, Workspace } from "../agent/sandbox/types.js";
import type { Settings } from "../agent/settings.js";
import type { EditorHost, OpenDocument } from "../agent/task/editor.js";
import { TaskManager } from "../agent/task/manager.js";
import { ReconfigurableRouter, type FullRouter } from "./reconfigurable-router.js";

/** The documents the editor has open, as the services need them. */
export interface OpenDocumentsView {
  get(abs: string): OpenDocument | undefined;
  onChange(listener: (abs: string) => void): () => void;
}

export interface ServiceOptions {
  roots: string[];
  settings: Settings;
  env: NodeJS.ProcessEnv;
  /** Counts, paths and timings only: never file text, prompts or model output. */
  log: (message: string) => void;
  documents: OpenDocumentsView;
  /** How approved changes land, given the workspace once it exists. */
  editorHost: (workspace: Workspace) => EditorHost;
}

/** The settings in force: those from `initialize`, and the current merge with the client's configuration. */
export interface LiveSettings {
  readonly initial: Settings;
  current: Settings;
}

export interface Services {
  settings: LiveSettings;
  state: StateStore;
  workspace: Workspace;
  models: FullRouter;
  modelRouter: ReconfigurableRouter;
  context: ContextEngine;
  tasks: TaskManager;
  chat: ChatService;
  /** Resolves once the hardware tier is known, so the first model choice is the right one. */
  ready: Promise<void>;
  dispose(): Promise<void>;
}

export async function buildServices(options: ServiceOptions): Promise<Services> {
  const { env, log, documents } = options;
  const settings: LiveSettings = { initial: options.settings, current: options.settings };
  const state = createStateStore(stateDirectory(env));
  const recovered = await recoverJournals(state, log);
  const workspace = await createWorkspace({ roots: options.roots, settings: settings.current.sandbox ?? {}, log, state, env });
  const modelRouter = new ReconfigurableRouter(
    (current, hardware) => createModelRouter({ settings: current, env, state, log, onProgress: (e) => log(`models: ${e.message}`), ...(hardware ? { hardware } : {}) }),
    settings.current,
  );
  const models = modelRouter.router;
  // Hardware detection starts now and is awaited by the first task or chat, not by initialize:
  // the editor gets its answer at once, and the tier is known before a model is chosen.
  const ready = models.hardware().then(
    () => undefined,
    (err: unknown) => log(`Hardware detection failed; the CPU tier is assumed: ${err instanceof Error ? err.message : String(err)}`),
  );
  const context = createContextEngine({ workspace, state, log });
  const tasks = new TaskManager({
    workspace,
    state,
    models,
    context,
    host: options.editorHost(workspace),
    settings: () => settings.current,
    log,
    ready: () => ready,
    preflight: (overrides) => models.preflight("coder", overrides),
  });
  const chat = createChatService({ models, workspace, state, log });
  workspace.onRootsChanged(({ removed }) => {
    for (const root of removed) tasks.revokeRoot(root);
  });
  // Only the fact of a change is recorded. Handing over the buffer's text would re-parse a large
  // document at every pause in typing, which the code-action benchmark showed blocking the editor;
  // the pipeline reads open buffers directly for the files it plans to change.
  documents.onChange((abs) => context.noteChange(abs));
  workspace.watch((abs) => {
    if (!documents.get(abs)) context.noteChange(abs);
  });
  if (recovered.completed + recovered.rolledBack > 0) {
    log(`Recovered interrupted applies at start-up: ${recovered.completed} completed, ${recovered.rolledBack} rolled back.`);
  }
  return {
    settings,
    state,
    workspace,
    models,
    modelRouter,
    context,
    tasks,
    chat,
    ready,
    async dispose() {
      await tasks.dispose();
      context.dispose();
      workspace.close?.();
      await modelRouter.dispose();
    },
  };
}
