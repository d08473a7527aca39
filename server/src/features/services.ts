/**
 * The services the LSP features share, created at `initialize` (when the roots and settings are
 * known) and recreated where settings change. Features reach them through these getters so they
 * always see the current instance.
 */
import type { CancellationToken } from "vscode-languageserver";
import type { ModelAdmin } from "../agent/model/index.js";
import type { ModelRouter } from "../agent/model/types.js";
import type { Workspace } from "../agent/sandbox/types.js";
import type { TaskManager } from "../agent/task/manager.js";

export interface ChatArgs {
  prompt: string;
  uri?: string;
  range?: { start: { line: number; character: number }; end: { line: number; character: number } };
  sessionId?: string;
}

export interface Services {
  tasks(): TaskManager;
  workspace(): Workspace;
  models(): ModelRouter & ModelAdmin;
  /** Resolves once the hardware tier is known, so the first model choice is the right one. */
  ready(): Promise<void>;
  chat(args: ChatArgs, token: CancellationToken): Promise<{ sessionId: string; text: string }>;
  pull(name: string, token: CancellationToken): Promise<unknown>;
}
