/**
 * The built `burrow` command as a user's script drives it, for the end-to-end tests of `burrow run`
 * and `burrow chat`: the binary spawned with its answers piped into stdin, its server talking to
 * the fake Ollama, and a temporary copy of a small project as the workspace. The tests need the
 * build (bin/burrow.js loads dist/), so `requireBuild` fails them with that advice rather than with
 * a confusing spawn error.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";
import { REPO_ROOT } from "./servers.js";
import { makeFixture, serverEnv, type Fixture } from "./workspace-fixture.js";

export interface PipedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** How long the process ran, in ms. */
  ms: number;
  /** When each piece of stdout arrived, in ms since the start, for tests of streaming. */
  chunks: Array<{ at: number; text: string }>;
}

/** Run the built `burrow` with `args`, `input` piped to stdin (then closed), as a script would. */
export function runPiped(args: string[], input: string, env: NodeJS.ProcessEnv, cwd: string): Promise<PipedRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "burrow.js"), ...args], { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
  const chunks: PipedRun["chunks"] = [];
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => chunks.push({ at: Date.now() - started, text: d.toString() }));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) =>
    child.once("close", (code) =>
      resolve({ code, stdout: chunks.map((c) => c.text).join(""), stderr, ms: Date.now() - started, chunks }),
    ),
  );
}

/** Throws with the advice to build first when dist/ is missing. */
export function requireBuild(): void {
  if (!existsSync(join(REPO_ROOT, "dist", "cli.js"))) throw new Error("Build Burrow first (npm run build): these tests run bin/burrow.js.");
}

/** A loopback port with nothing listening on it: Ollama "not running". */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What one test runs against: the fake Ollama, the project copy, and the environment for the CLI. */
export interface PipedWorld {
  fake: FakeOllama;
  fixture: Fixture;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** Start the fake Ollama with `model` installed and copy `files` into a fresh workspace. */
export async function startPipedWorld(model: string, files: Record<string, string>): Promise<PipedWorld> {
  const fake = await startFakeOllama({ models: [model] });
  const fixture = makeFixture(files);
  return {
    fake,
    fixture,
    env: serverEnv(fixture, fake.url),
    async close() {
      await fake.close();
      fixture.cleanup();
    },
  };
}
