/**
 * A task manager built from the real agent parts (sandbox workspace, state store, model router,
 * context engine) on a temporary folder, with a host that writes approved changes to disk through
 * the sandbox, as Burrow does for clients without `workspace/applyEdit`. No LSP is involved: these
 * tests exercise the agent core directly.
 */
import { createContextEngine } from "../../../server/src/agent/context/index.js";
import { createModelRouter, type ModelRouterOptions } from "../../../server/src/agent/model/index.js";
import { createStateStore, createWorkspace, hashText } from "../../../server/src/agent/sandbox/index.js";
import type { EditorHost } from "../../../server/src/agent/task/editor.js";
import { TaskManager } from "../../../server/src/agent/task/manager.js";
import type { TaskSnapshot } from "../../../server/src/agent/task/task.js";
import { cpuOnly } from "../model/helpers.js";
import type { Fixture } from "../../helpers/workspace-fixture.js";

export interface AgentHarness {
  tasks: TaskManager;
  updates: TaskSnapshot[];
  /** Resolves with the first snapshot of the task matching `check` (already published or to come). */
  waitFor(taskId: string, check: (s: TaskSnapshot) => boolean, what: string): Promise<TaskSnapshot>;
  dispose(): Promise<void>;
}

export async function agentHarness(fixture: Fixture, router: Omit<ModelRouterOptions, "state" | "hardware">): Promise<AgentHarness> {
  const state = createStateStore(`${fixture.stateHome}/burrow`);
  const workspace = await createWorkspace({ roots: [fixture.root] });
  const models = createModelRouter({ ...router, state, hardware: cpuOnly() });
  const context = createContextEngine({ workspace, state });
  const host: EditorHost = {
    openDocument: () => undefined,
    async apply(files) {
      const written = await workspace.commit(files.map((f) => ({ abs: f.abs, expectedHash: f.before === null ? null : hashText(f.before), text: f.after })));
      return written.ok ? { ok: true, unverified: [], via: "disk" } : written;
    },
  };
  const tasks = new TaskManager({ workspace, state, models, context, host, settings: () => router.settings, log: () => undefined });
  const updates: TaskSnapshot[] = [];
  const waiters: (() => void)[] = [];
  tasks.onUpdate((s) => {
    updates.push(s);
    for (const w of waiters.splice(0)) w();
  });
  return {
    tasks,
    updates,
    waitFor(taskId, check, what) {
      const find = () => updates.find((s) => s.taskId === taskId && check(s));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 15_000);
        const attempt = () => {
          const found = find();
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else waiters.push(attempt);
        };
        attempt();
      });
    },
    async dispose() {
      await tasks.dispose();
      context.dispose();
      await models.dispose();
    },
  };
}
