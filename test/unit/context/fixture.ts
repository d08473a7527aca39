// Test support for the context engine: copies a fixture repository under test/fixtures/repos to a
// fresh temporary folder (so tests may change files and ignore rules apply from the copy's own
// root), and builds a real sandbox Workspace, a StateStore and an engine over it.
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createContextEngine, type ContextEngineInternals } from "../../../server/src/agent/context/index.js";
import { createStateStore, createWorkspace } from "../../../server/src/agent/sandbox/index.js";
import type { StateStore, Workspace } from "../../../server/src/agent/sandbox/types.js";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/repos/", import.meta.url));

export interface Harness {
  root: string;
  workspace: Workspace;
  state: StateStore;
  engine: ContextEngineInternals;
  logs: string[];
  /** A second engine over the same folder and state, as after a restart. */
  restart(): ContextEngineInternals;
  cleanup(): void;
}

export async function openFixture(name: string): Promise<Harness> {
  const temp = mkdtempSync(join(tmpdir(), "burrow-context-"));
  const root = join(temp, name);
  // The fixtures' TypeScript is inside the project's tsconfig, so a stray `tsc` without --noEmit
  // leaves compiled .js next to it; those are not part of the fixture.
  cpSync(join(FIXTURES, name), root, { recursive: true, filter: (src) => !/\.js(\.map)?$/.test(src) || !existsSync(src.replace(/\.js(\.map)?$/, ".ts")) });
  const state = createStateStore(join(temp, "state"));
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);
  // Global git excludes must not leak in from the machine running the tests.
  const env = { HOME: temp, XDG_CONFIG_HOME: join(temp, "config") };
  const workspace = await createWorkspace({ roots: [root], state, log, env });
  const engines: ContextEngineInternals[] = [];
  const make = () => {
    const engine = createContextEngine({ workspace, state, log, refreshDelayMs: 20 });
    engines.push(engine);
    return engine;
  };
  return {
    root: workspace.roots()[0]!,
    workspace,
    state,
    engine: make(),
    logs,
    restart: make,
    cleanup() {
      for (const engine of engines) engine.dispose();
      rmSync(temp, { recursive: true, force: true });
    },
  };
}
