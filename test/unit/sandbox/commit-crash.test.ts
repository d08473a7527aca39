/**
 * Crash safety of `Workspace.commit` (issue 9, item 3): a child process applies version after
 * version of five files plus one that is created and deleted in turn, and is killed with SIGKILL,
 * 200 times: half at each named step of a commit in turn, half at random moments. After
 * `recoverJournals`, every file must hold one whole version, all files the same version, the
 * created-or-deleted file must match that version, modes are kept, and no temporary file or
 * journal is left behind. Then 52 more runs kill the recovery itself part-way and recover again.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStateStore, recoverJournals } from "../../../server/src/agent/sandbox/index.js";
import { contentOf, EXECUTABLE, FILES, parseVersion, TOGGLE } from "./crash-files.js";

const RUNS_AT_STEPS = 100;
const RUNS_AT_RANDOM = 100;
const RECOVERY_RUNS = 52;
let work: string;
let childScript: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "burrow-crash-"));
  childScript = join(work, "crash-child.mjs");
  // One plain JavaScript bundle, so each of the 200 child processes starts in milliseconds. On a
  // loaded machine esbuild's helper process can fail to start once; a second attempt is made.
  const bundle = () =>
    build({
      entryPoints: [join(dirname(fileURLToPath(import.meta.url)), "crash-child.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile: childScript,
      logLevel: "silent",
    });
  await bundle().catch((err: unknown) => {
    console.error(`bundling the crash child failed once (${err instanceof Error ? err.message : String(err)}); retrying`);
    return bundle();
  });
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function seed(dir: string): { root: string; stateDir: string } {
  const root = join(dir, "ws");
  const stateDir = join(dir, "state");
  for (const [i, rel] of FILES.entries()) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), contentOf(i, 0));
  }
  chmodSync(join(root, EXECUTABLE), 0o755);
  mkdirSync(dirname(join(root, TOGGLE)), { recursive: true });
  writeFileSync(join(root, TOGGLE), contentOf(99, 0));
  mkdirSync(stateDir, { recursive: true });
  return { root, stateDir };
}

/** Run the child until it dies; resolve with how it ended. */
function runChild(root: string, stateDir: string, killAtStep: number | null, randomDelayMs: number | null, recoverKillAt = 0): Promise<{ signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, root, stateDir], {
      env: { ...process.env, BURROW_KILL_AT_STEP: killAtStep === null ? "" : String(killAtStep), BURROW_RECOVER_KILL_AT_STEP: String(recoverKillAt) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      if (randomDelayMs !== null && d.toString().includes("ready")) {
        setTimeout(() => child.kill("SIGKILL"), randomDelayMs);
      }
    });
    child.on("error", reject);
    child.on("exit", (_code, signal) => resolve({ signal, stderr }));
  });
}

function assertConsistent(root: string, stateDir: string): number {
  const versions = FILES.map((rel) => parseVersion(readFileSync(join(root, rel), "utf8")));
  for (const v of versions) expect(Number.isNaN(v), `a file is torn: versions ${versions.join(",")}`).toBe(false);
  expect(new Set(versions).size, `files disagree: versions ${versions.join(",")}`).toBe(1);
  const version = versions[0]!;
  const togglePath = join(root, TOGGLE);
  expect(existsSync(togglePath), `toggle.txt for version ${version}`).toBe(version % 2 === 0);
  if (version % 2 === 0) expect(readFileSync(togglePath, "utf8")).toBe(contentOf(99, version));
  expect(statSync(join(root, EXECUTABLE)).mode & 0o777).toBe(0o755);
  const leftovers: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.includes("burrow-tmp")) leftovers.push(join(dir, entry.name));
    }
  };
  walk(root);
  expect(leftovers).toEqual([]);
  expect(existsSync(join(stateDir, "journals")) ? readdirSync(join(stateDir, "journals")) : []).toEqual([]);
  return version;
}

describe("commit survives being killed at any point", () => {
  it(
    `leaves every file wholly old or wholly new after ${RUNS_AT_STEPS + RUNS_AT_RANDOM} kills`,
    async () => {
      const seenVersions = new Set<number>();
      let recovered = 0;
      const runs: { step: number | null; delay: number | null }[] = [];
      // 17 named steps per commit of six files; cycling through 1..34 covers every step of two commits.
      for (let i = 0; i < RUNS_AT_STEPS; i++) runs.push({ step: (i % 34) + 1, delay: null });
      for (let i = 0; i < RUNS_AT_RANDOM; i++) runs.push({ step: null, delay: Math.floor(Math.random() * 60) });
      let completed = 0;
      let rolledBack = 0;
      const one = async (n: number) => {
        const run = runs[n]!;
        const dir = join(work, `run-${n}`);
        const { root, stateDir } = seed(dir);
        const ended = await runChild(root, stateDir, run.step, run.delay);
        expect(ended.signal, ended.stderr).toBe("SIGKILL");
        const result = await recoverJournals(createStateStore(stateDir));
        completed += result.completed;
        rolledBack += result.rolledBack;
        seenVersions.add(assertConsistent(root, stateDir));
        rmSync(dir, { recursive: true, force: true });
      };
      // A few children at a time: most of their time is spent waiting on fsync, not on the CPU.
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < runs.length) await one(next++);
        }),
      );
      recovered = completed + rolledBack;
      console.log(`crash runs: ${runs.length}; journals completed ${completed}, rolled back ${rolledBack}; versions seen ${[...seenVersions].sort((a, b) => a - b).join(",")}`);
      // The kills landed in different places: some before any commit finished, some after several.
      expect(seenVersions.size).toBeGreaterThan(2);
      expect(recovered).toBeGreaterThan(0);
    },
    240_000,
  );

  it(
    "survives being killed again while recovering",
    async () => {
      let interrupted = 0;
      // Kill the apply part-way (after the journal exists), then kill the recovery at each of its steps.
      const one = async (n: number) => {
        const dir = join(work, `recover-${n}`);
        const { root, stateDir } = seed(dir);
        const applyStep = 4 + (n % 13);
        const ended = await runChild(root, stateDir, applyStep, null);
        expect(ended.signal, ended.stderr).toBe("SIGKILL");
        const recovery = await runChild(root, stateDir, null, null, 1 + (Math.floor(n / 13) % 5));
        if (recovery.signal === "SIGKILL") interrupted++;
        await recoverJournals(createStateStore(stateDir));
        assertConsistent(root, stateDir);
        rmSync(dir, { recursive: true, force: true });
      };
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < RECOVERY_RUNS) await one(next++);
        }),
      );
      expect(interrupted).toBeGreaterThan(20);
    },
    240_000,
  );
});
