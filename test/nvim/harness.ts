/**
 * Runs the plugin's own specs (clients/nvim/tests/*_spec.lua, busted) in real headless Neovim, one
 * Neovim process per spec file, on every Neovim version the suite covers. This side only provides
 * the world the specs need: the fake Ollama on 127.0.0.1 with a small control endpoint the specs use
 * to script its answers, the server command (this checkout's `bin/burrow.js --stdio`), temporary XDG
 * folders, and the data some specs compare against (changesets and edits made by the server's own
 * code). The specs decide and assert everything; their results come back as JSON.
 */
import { execFileSync, spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeOllama, type FakeOllama, type FakeReply } from "../fakes/fake-ollama.js";
import { ensurePythonAsset } from "../assets/python-assets.js";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const PLUGIN_DIR = join(REPO_ROOT, "clients", "nvim");
export const SPEC_DIR = join(PLUGIN_DIR, "tests");

export function serverCommand(): string[] {
  return [process.execPath, join(REPO_ROOT, "bin", "burrow.js"), "--stdio"];
}

/** A Neovim the suite runs on: Debian's 0.7.2 (the oldest supported) and 0.11 from its PyPI wheel. */
export interface Neovim {
  label: string;
  bin: string;
  /** The first line of `nvim --version`, checked so a run never claims a version it did not test. */
  version: string;
}

export async function neovim(label: "0.7" | "0.11"): Promise<Neovim> {
  const bin = label === "0.7" ? "nvim" : await ensurePythonAsset("nvim-0.11");
  const version = execFileSync(bin, ["--version"], { encoding: "utf8" }).split("\n")[0]!.trim();
  if (!version.startsWith(`NVIM v${label}.`)) throw new Error(`${bin} is ${version}, not Neovim ${label}.`);
  return { label, bin, version };
}

/** The spec files, in a stable order. */
export function specFiles(): string[] {
  return readdirSync(SPEC_DIR)
    .filter((name) => name.endsWith("_spec.lua"))
    .sort();
}

/** A temporary folder with a workspace (holding a .git marker), for the screen captures. */
export interface Sandbox {
  dir: string;
  workspace: string;
  write(relative: string, text: string): string;
  remove(): void;
}

export function makeSandbox(files: Record<string, string>): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "burrow-nvim-"));
  const workspace = join(dir, "workspace");
  mkdirSync(join(workspace, ".git"), { recursive: true });
  const sandbox: Sandbox = {
    dir,
    workspace,
    write(relative, text) {
      const path = join(workspace, relative);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const [path, text] of Object.entries(files)) sandbox.write(path, text);
  return sandbox;
}

/**
 * The control endpoint the specs script the fake model through (clients/nvim/tests/helpers/model.lua):
 * POST /enqueue with a list of replies, POST /models with { name }, GET /requests.
 */
async function startModelControl(fake: FakeOllama): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const answer = (status: number, value: unknown) => {
        const text = JSON.stringify(value ?? null);
        res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(text);
      };
      try {
        if (req.method === "POST" && req.url === "/enqueue") {
          fake.enqueueChat(...(JSON.parse(body) as FakeReply[]));
          answer(200, { queued: true });
        } else if (req.method === "POST" && req.url === "/models") {
          fake.addModel((JSON.parse(body) as { name: string }).name);
          answer(200, { added: true });
        } else if (req.method === "GET" && req.url === "/requests") {
          answer(200, fake.chatRequests());
        } else {
          answer(404, { error: `no ${req.method} ${req.url}` });
        }
      } catch (err) {
        answer(400, { error: err instanceof Error ? err.message : String(err) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface SpecResult {
  name: string;
  status: "success" | "failure" | "error" | "pending";
  message?: string;
}

export interface SpecRun {
  code: number | null;
  tests: SpecResult[];
  stdout: string;
  stderr: string;
}

/** Run one spec file in `nvim` with a fresh fake model and XDG folders; `data` is written for the spec to read. */
export async function runSpec(nvim: Neovim, spec: string, data?: unknown, timeoutMs = 120_000): Promise<SpecRun> {
  const dir = mkdtempSync(join(tmpdir(), "burrow-nvim-spec-"));
  const fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  const control = await startModelControl(fake);
  try {
    const xdg = (name: string) => {
      const path = join(dir, name);
      mkdirSync(path, { recursive: true });
      return path;
    };
    const resultsPath = join(dir, "results.json");
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      XDG_STATE_HOME: xdg("state"),
      XDG_CONFIG_HOME: xdg("config"),
      XDG_DATA_HOME: xdg("data"),
      XDG_CACHE_HOME: xdg("cache"),
      TMPDIR: xdg("tmp"),
      OLLAMA_HOST: fake.url,
      BURROW_TEST_MODEL_CONTROL: control.url,
      BURROW_TEST_SERVER: JSON.stringify(serverCommand()),
      BURROW_TEST_SPEC: join(SPEC_DIR, spec),
      BURROW_TEST_RESULTS: resultsPath,
    };
    if (data !== undefined) {
      env.BURROW_TEST_DATA = join(dir, "data.json");
      writeFileSync(env.BURROW_TEST_DATA, JSON.stringify(data));
    }
    const args = ["--headless", "--clean", "-n", "-i", "NONE", "-u", join(SPEC_DIR, "minimal_init.lua"), "-c", `luafile ${join(SPEC_DIR, "run.lua")}`];
    const child = spawn(nvim.bin, args, { cwd: PLUGIN_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        stderr += `\n[harness] Neovim did not finish ${spec} within ${timeoutMs} ms; killed.`;
        child.kill("SIGKILL");
      }, timeoutMs);
      child.on("exit", (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    const tests = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, "utf8")) as { tests: SpecResult[] }).tests : [];
    return { code, tests, stdout, stderr };
  } finally {
    await control.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A readable account of a spec run that did not pass. */
export function explain(run: SpecRun): string {
  const failed = run.tests.filter((t) => t.status === "failure" || t.status === "error");
  return [
    `exit ${run.code}; ${run.tests.length} tests, ${failed.length} failed`,
    ...failed.map((t) => `✗ ${t.name}\n${t.message ?? ""}`),
    `stdout:\n${run.stdout.slice(-4000)}`,
    `stderr:\n${run.stderr.slice(-4000)}`,
  ].join("\n\n");
}
