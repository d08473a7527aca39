/**
 * Temporary workspaces for the sandbox tests: a granted folder, a sibling folder "outside" that
 * holds a unique marker string (so a test can prove it never came back), and a state directory,
 * all under one temp dir removed afterwards. Entries are described as data so each test case is a
 * row in a table.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync, type Dirent } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { createStateStore, createWorkspace } from "../../../server/src/agent/sandbox/index.js";
import type { WorkspaceOptions } from "../../../server/src/agent/sandbox/index.js";
import type { Workspace, StateStore } from "../../../server/src/agent/sandbox/types.js";

/** One entry of a fixture tree, keyed by its path relative to the temp dir's `ws/` (or `outside/` with `@outside/`). */
export type Entry =
  | string
  | { symlink: string }
  | { hardlinkTo: string }
  | { fifo: true }
  | { dir: true }
  | { bytes: Uint8Array }
  | { text: string; mode: number };

export interface Fixture {
  base: string;
  root: string;
  outside: string;
  stateDir: string;
  /** A string that exists only in files outside the root. */
  marker: string;
  state: StateStore;
  path(rel: string): string;
  workspace(options?: Partial<WorkspaceOptions>): Promise<Workspace>;
  cleanup(): void;
}

export function makeFixture(entries: Record<string, Entry> = {}): Fixture {
  const base = realpathSync(mkdtempSync(join(tmpdir(), "burrow-sandbox-")));
  const root = join(base, "ws");
  const outside = join(base, "outside");
  const stateDir = join(base, "state");
  const home = join(base, "home");
  const marker = `OUTSIDE-${randomBytes(6).toString("hex")}`;
  for (const dir of [root, outside, stateDir, home]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(outside, "secret.txt"), `${marker} secret\n`);
  writeFileSync(join(outside, "notes.md"), `${marker} notes\n`);
  mkdirSync(join(outside, "dir"), { recursive: true });
  writeFileSync(join(outside, "dir", "inner.txt"), `${marker} inner\n`);
  const resolvePath = (rel: string) => (rel.startsWith("@outside/") ? join(outside, rel.slice("@outside/".length)) : join(root, rel));
  for (const [rel, entry] of Object.entries(entries)) {
    const target = resolvePath(rel);
    mkdirSync(dirname(target), { recursive: true });
    if (typeof entry === "string") writeFileSync(target, entry);
    else if ("symlink" in entry) symlinkSync(entry.symlink, target);
    else if ("hardlinkTo" in entry) linkSync(resolvePath(entry.hardlinkTo), target);
    else if ("fifo" in entry) execFileSync("mkfifo", [target]);
    else if ("dir" in entry) mkdirSync(target, { recursive: true });
    else if ("bytes" in entry) writeFileSync(target, entry.bytes);
    else {
      writeFileSync(target, entry.text);
      chmodSync(target, entry.mode);
    }
  }
  const state = createStateStore(stateDir);
  const opened: Workspace[] = [];
  // Global git excludes come from this fake home, never from the machine running the tests.
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, ".config") };
  return {
    base,
    root,
    outside,
    stateDir,
    marker,
    state,
    path: resolvePath,
    workspace: async (options = {}) => {
      const ws = await createWorkspace({ roots: [root], state, env, ...options });
      opened.push(ws);
      return ws;
    },
    cleanup: () => {
      for (const ws of opened) ws.close?.();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Every file under a folder with its content, for "nothing changed" assertions. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (current: string, prefix: string) => {
    for (const entry of readdirSafe(current)) {
      const abs = join(current, entry.name);
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(abs, rel);
      else if (entry.isFile()) out[rel] = readFileSafe(abs);
      else if (entry.isSymbolicLink()) out[rel] = `-> ${readlinkSafe(abs)}`;
      else out[rel] = "<special>";
    }
  };
  walk(dir, "");
  return out;
}

function readdirSafe(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function readFileSafe(path: string): string {
  return readFileSync(path, "utf8");
}

function readlinkSafe(path: string): string {
  return readlinkSync(path);
}
