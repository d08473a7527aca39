/**
 * Temporary workspaces for tests: a folder with the given files, a state directory beside it (never
 * inside it), and a snapshot function to prove which files changed and which did not.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";

export interface Fixture {
  /** The workspace root (resolved). */
  root: string;
  /** XDG_STATE_HOME for the server under test. */
  stateHome: string;
  /** A folder outside the workspace, for escape attempts. */
  outside: string;
  path(rel: string): string;
  read(rel: string): string;
  write(rel: string, text: string): void;
  /** Every file under `dir` (default: the root) with its text. */
  snapshot(dir?: string): Record<string, string>;
  /** Every file's text under the state directory, joined, to prove what was (not) kept there. */
  stateText(): string;
  cleanup(): void;
}

export function makeFixture(files: Record<string, string>): Fixture {
  const base = realpathSync(mkdtempSync(join(tmpdir(), "burrow-test-")));
  const root = join(base, "project");
  const stateHome = join(base, "state");
  const outside = join(base, "outside");
  for (const d of [root, stateHome, outside]) mkdirSync(d, { recursive: true });
  const write = (rel: string, text: string) => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  };
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  const snapshot = (dir = root): Record<string, string> => {
    const out: Record<string, string> = {};
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else out[relative(dir, p)] = readFileSync(p, "utf8");
      }
    };
    walk(dir);
    return out;
  };
  return {
    root,
    stateHome,
    outside,
    path: (rel) => join(root, rel),
    read: (rel) => readFileSync(join(root, rel), "utf8"),
    write,
    snapshot,
    stateText: () => Object.values(snapshot(stateHome)).join("\n"),
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

/** The environment for a server under test: the fake runtime, a private state dir, no real keys. */
export function serverEnv(fixture: Fixture, ollamaUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: fixture.stateHome,
    XDG_STATE_HOME: fixture.stateHome,
    XDG_CONFIG_HOME: join(fixture.stateHome, "config"),
    OLLAMA_HOST: ollamaUrl,
    ...extra,
  };
  return env;
}
