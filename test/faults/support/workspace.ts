/**
 * Temporary workspaces for the fault tests, and the one complete task every fault test runs
 * afterwards to prove the server is still whole: plan, approve, edit, apply, checked on disk.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "vitest";
import type { FakeOllama } from "../../fakes/fake-ollama.js";
import type { RawLspClient } from "./raw-lsp.js";

export const MODEL = "qwen2.5-coder:1.5b";

export interface TempWorkspace {
  root: string;
  /** The XDG_STATE_HOME the server gets, outside the workspace. */
  state: string;
  uri(file: string): string;
  read(file: string): Promise<string>;
  write(file: string, text: string): Promise<void>;
  /** Every file under the root (the state directory is elsewhere) with its text. */
  snapshot(): Promise<Record<string, string>>;
  remove(): Promise<void>;
}

export async function makeWorkspace(files: Record<string, string>): Promise<TempWorkspace> {
  const base = await mkdtemp(path.join(os.tmpdir(), "burrow-faults-"));
  const root = path.join(base, "project");
  const state = path.join(base, "state");
  await mkdir(state, { recursive: true });
  const ws: TempWorkspace = {
    root,
    state,
    uri: (file) => pathToFileURL(path.join(root, file)).href,
    read: (file) => readFile(path.join(root, file), "utf8"),
    async write(file, text) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), text);
    },
    async snapshot() {
      const out: Record<string, string> = {};
      async function walk(dir: string): Promise<void> {
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory()) await walk(full);
          else out[path.relative(root, full).split(path.sep).join("/")] = await readFile(full, "utf8");
        }
      }
      await walk(root);
      return out;
    },
    remove: () => rm(base, { recursive: true, force: true }),
  };
  await mkdir(root, { recursive: true });
  for (const [file, text] of Object.entries(files)) await ws.write(file, text);
  return ws;
}

/** A small project: enough for a plan that names one file and a whole-file edit of it. */
export const smallProject: Record<string, string> = {
  "package.json": `${JSON.stringify({ name: "fault-project", version: "1.0.0", type: "module" }, null, 2)}\n`,
  "src/greet.ts": `export function greet(name: string): string {\n  return "Hello, " + name;\n}\n`,
  "src/math.ts": `export function add(a: number, b: number): number {\n  return a + b;\n}\n`,
};

export function planFor(file: string, summary = `Change ${file}.`): Record<string, unknown> {
  return {
    summary,
    steps: [{ description: `Rewrite ${file}.` }],
    files: [{ path: file, action: "modify", reason: "It holds the code to change." }],
  };
}

/** A whole-file edit answer, the format small models are asked for. */
export function wholeFileAnswer(file: string, text: string): string {
  return `${file}\n\`\`\`ts\n${text}\`\`\`\n`;
}

export function burrowEnv(fake: FakeOllama | { url: string }, ws: TempWorkspace): Record<string, string> {
  return {
    OLLAMA_HOST: fake.url,
    XDG_STATE_HOME: ws.state,
    XDG_CONFIG_HOME: path.join(ws.state, "config"),
    XDG_CACHE_HOME: path.join(ws.state, "cache"),
  };
}

/**
 * Run one task through both gates against the fake and check the file on disk changed exactly as
 * proposed. The client must not declare `workspace.applyEdit` (the server writes the file itself).
 */
export async function completeTask(
  client: RawLspClient,
  fake: FakeOllama,
  ws: TempWorkspace,
  file = "src/math.ts",
  timeoutMs = 30_000,
): Promise<void> {
  const before = await ws.read(file);
  const after = `${before}\nexport const completedAt = ${JSON.stringify(new Date(0).toISOString())};\n`;
  fake.enqueueChat({ json: planFor(file) }, { text: wholeFileAnswer(file, after) });
  const { taskId } = await client.executeCommand<{ taskId: string }>("burrow.task", { prompt: `Add a constant to ${file}.` });
  expect(typeof taskId).toBe("string");
  await client.waitForTaskState(taskId, ["awaitingPlanApproval"], timeoutMs);
  await client.executeCommand("burrow.plan.approve", { taskId });
  await client.waitForTaskState(taskId, ["awaitingChangesApproval"], timeoutMs);
  await client.executeCommand("burrow.changes.apply", { taskId });
  await client.waitForTaskState(taskId, ["applied"], timeoutMs);
  expect(await ws.read(file)).toBe(after);
}
