/**
 * Runs a Lua test script inside real headless Neovim with the plugin from clients/nvim on the
 * runtimepath, the real Burrow server (`node bin/burrow.js --stdio`) as its LSP server, and every
 * XDG directory in a temporary folder. The script reports through a result JSON file and its exit
 * code (see lua/harness.lua), so the test waits on Neovim exiting, never on a sleep. Tests that
 * need a model start the fake Ollama and their sandbox together with `startOllamaSandbox`.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const PLUGIN_DIR = join(REPO_ROOT, "clients", "nvim");
export const LUA_DIR = join(REPO_ROOT, "test", "nvim", "lua");

/** A temporary directory holding a workspace (with a .git marker) and Neovim's own XDG folders. */
export interface Sandbox {
  dir: string;
  workspace: string;
  write(relative: string, text: string): string;
  read(relative: string): string;
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
    read(relative) {
      return readFileSync(join(workspace, relative), "utf8");
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const [path, text] of Object.entries(files)) sandbox.write(path, text);
  return sandbox;
}

export interface NvimRun {
  code: number | null;
  /** What the script passed to `finish`, or `{ok: false, error}` from `fail`. */
  result: Record<string, any> | null;
  stderr: string;
  stdout: string;
  ms: number;
}

export interface NvimOptions {
  sandbox: Sandbox;
  /** The Lua script under test/nvim/lua/ to run after startup. */
  script: string;
  /** The file Neovim opens first (relative to the workspace), if any. */
  open?: string;
  /** Values the script reads from `vim.g.burrow_test`. */
  params?: Record<string, unknown>;
  /** Extra environment (OLLAMA_HOST, …). */
  env?: Record<string, string>;
  /** Options for require('burrow').setup(), merged over the harness's server command and settings. */
  setup?: Record<string, unknown>;
  timeoutMs?: number;
}

/** Lua source for a JSON value (via vim.json.decode, so no quoting rules of our own). */
function luaJson(value: unknown): string {
  return `vim.json.decode(${JSON.stringify(JSON.stringify(value))})`;
}

export function serverCommand(): string[] {
  return [process.execPath, join(REPO_ROOT, "bin", "burrow.js"), "--stdio"];
}

export async function runNvim(options: NvimOptions): Promise<NvimRun> {
  const { sandbox } = options;
  const resultPath = join(sandbox.dir, "result.json");
  const initPath = join(sandbox.dir, "init.lua");
  const setup = {
    cmd: serverCommand(),
    settings: { models: { coder: "qwen2.5-coder:1.5b" } },
    ...(options.setup ?? {}),
  };
  const params = { ...(options.params ?? {}), result_path: resultPath, workspace: sandbox.workspace };
  writeFileSync(
    initPath,
    [
      `vim.opt.runtimepath:prepend(${JSON.stringify(PLUGIN_DIR)})`,
      `package.path = ${JSON.stringify(join(LUA_DIR, "?.lua") + ";")} .. package.path`,
      `vim.g.burrow_test = ${luaJson(params)}`,
      `vim.o.columns = 140`,
      `vim.o.lines = 40`,
      `require('burrow').setup(${luaJson(setup)})`,
      `vim.api.nvim_create_autocmd('VimEnter', { once = true, callback = function()`,
      `  vim.schedule(function() require('harness').run(${JSON.stringify(join(LUA_DIR, options.script))}) end)`,
      `end })`,
      "",
    ].join("\n"),
  );
  const args = ["--headless", "--clean", "-n", "-i", "NONE", "-u", initPath];
  if (options.open) args.push(join(sandbox.workspace, options.open));
  const xdg = (name: string) => {
    const path = join(sandbox.dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const env = {
    ...process.env,
    XDG_STATE_HOME: xdg("state"),
    XDG_CONFIG_HOME: xdg("config"),
    XDG_DATA_HOME: xdg("data"),
    XDG_CACHE_HOME: xdg("cache"),
    ...(options.env ?? {}),
  };
  const started = Date.now();
  const child = spawn("nvim", args, { cwd: sandbox.workspace, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timeoutMs = options.timeoutMs ?? 24_000;
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      stderr += `\n[harness] Neovim did not finish within ${timeoutMs} ms; killed.`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  const result = existsSync(resultPath) ? (JSON.parse(readFileSync(resultPath, "utf8")) as Record<string, any>) : null;
  return { code, result, stderr, stdout, ms: Date.now() - started };
}

/** One test's world for the plugin against the real server: the fake Ollama and a sandbox. */
export interface OllamaSandbox {
  fake: FakeOllama;
  sandbox: Sandbox;
  /** `runNvim` in this sandbox, with the server pointed at this fake Ollama. */
  run(options: Omit<NvimOptions, "sandbox">): Promise<NvimRun>;
  close(): Promise<void>;
}

/** Start the fake Ollama with the harness's default model installed, and a sandbox holding `files`. */
export async function startOllamaSandbox(files: Record<string, string>): Promise<OllamaSandbox> {
  const fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  const sandbox = makeSandbox(files);
  return {
    fake,
    sandbox,
    run: (options) => runNvim({ ...options, sandbox, env: { OLLAMA_HOST: fake.url, ...(options.env ?? {}) } }),
    async close() {
      await fake.close();
      sandbox.remove();
    },
  };
}

/** A readable failure message: the script's error and Neovim's stderr. */
export function explain(run: NvimRun): string {
  return `exit ${run.code} after ${run.ms} ms\nresult: ${JSON.stringify(run.result, null, 2)}\nstderr:\n${run.stderr}`;
}
