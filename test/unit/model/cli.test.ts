/**
 * `burrow doctor`, `burrow models` and `burrow egress`, called through their `main` with captured
 * output (and `doctor` once through the real entry point): reports on this machine with no runtime,
 * against the fake Ollama, exit codes 0/1/2/3, pull progress summed by layer, and the ledger view.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { main as doctor } from "../../../server/src/cli/doctor.js";
import { main as egress } from "../../../server/src/cli/egress.js";
import { main as models } from "../../../server/src/cli/models.js";
import { createModelRouter } from "../../../server/src/agent/model/index.js";
import { startFakeOllama, type FakeOllama } from "../../fakes/fake-ollama.js";
import { cpuOnly, deadUrl, nvidia, tempState, type TempState } from "./helpers.js";

let temp: TempState;
let fake: FakeOllama | undefined;
beforeEach(() => {
  temp = tempState();
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  temp.cleanup();
});

function capture(env: Record<string, string>, tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (c: string) => out.push(c), isTTY: tty },
      stderr: { write: (c: string) => err.push(c), isTTY: tty },
      env: { XDG_STATE_HOME: temp.dir, ...env },
    },
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}

describe("burrow doctor", () => {
  it("reports usefully and exits 0 with no runtime, naming keys but never their values", async () => {
    const c = capture({ OLLAMA_HOST: await deadUrl(), ANTHROPIC_API_KEY: "sk-ant-very-secret" });
    expect(await doctor([], c.io)).toBe(0);
    const text = c.stdout();
    expect(text).toMatch(/Recommended coder model\n  qwen2\.5-coder:/);
    expect(text).toMatch(/Ollama at http:\/\/127\.0\.0\.1:\d+: not running/);
    expect(text).toContain("key present in ANTHROPIC_API_KEY");
    expect(text).not.toContain("sk-ant-very-secret");
    expect(text).toMatch(/ollama serve/);
  });

  it("prints JSON with --json", async () => {
    const c = capture({ OLLAMA_HOST: await deadUrl() });
    expect(await doctor(["--json"], c.io)).toBe(0);
    const report = JSON.parse(c.stdout());
    expect(report.runtimes.map((r: { name: string; reachable: boolean }) => [r.name, r.reachable])).toEqual([
      ["ollama", false],
      ["lmstudio", false],
    ]);
    expect(report.coder.model).toMatch(/^qwen2\.5-coder:/);
    expect(JSON.stringify(report)).not.toMatch(/sk-/);
  });

  it("lists the runtime's version and models, and what is missing", async () => {
    fake = await startFakeOllama({ models: ["llama3.2:3b"], version: "0.12.6" });
    const c = capture({ OLLAMA_HOST: fake.url });
    expect(await doctor(["--model", "qwen2.5-coder:7b"], c.io)).toBe(0);
    expect(c.stdout()).toContain(`Ollama at ${fake.url}: running, version 0.12.6`);
    expect(c.stdout()).toContain("llama3.2:3b");
    expect(c.stdout()).toContain("burrow models pull qwen2.5-coder:7b");
  });

  it("notices a loaded model that spilled out of GPU memory", async () => {
    fake = await startFakeOllama({ models: ["qwen2.5-coder:14b"], loaded: ["qwen2.5-coder:14b"], vramBytes: 6 * 1024 ** 3 });
    const router = createModelRouter({ settings: { ollama: { host: fake.url }, models: { coder: "qwen2.5-coder:14b" } }, env: {}, hardware: nvidia(8) });
    const { text } = await router.doctor();
    expect(text).toMatch(/qwen2\.5-coder:14b \(9\.0 GB, 14\.8B, Q4_K_M, loaded, 72% on the GPU, context 4096\)/);
    expect(text).toMatch(/only 72% of it in GPU memory, so it runs partly on the CPU/);
  });

  it("advises updating an Ollama too old for structured plans", async () => {
    fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"], version: "0.4.7" });
    const c = capture({ OLLAMA_HOST: fake.url });
    expect(await doctor(["--model", "qwen2.5-coder:1.5b"], c.io)).toBe(0);
    expect(c.stdout()).toMatch(/Ollama 0\.4\.7 is older than 0\.5\.0/);
  });

  it("refuses unknown flags with exit 2", async () => {
    const c = capture({});
    expect(await doctor(["--bogus"], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/--bogus is not an option/);
  });

  it("runs through the real entry point and exits 0 on this machine", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "server/src/cli.ts", "doctor"], {
      env: { ...process.env, XDG_STATE_HOME: temp.dir, OLLAMA_HOST: "127.0.0.1:9" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Hardware\n/);
    expect(run.stdout).toContain("Next steps");
  }, 60_000);
});

describe("burrow models", () => {
  it("lists installed models, and exits 3 when no runtime runs", async () => {
    fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b", "llama3.2:3b"], loaded: ["llama3.2:3b"] });
    const c = capture({ OLLAMA_HOST: fake.url });
    expect(await models(["list"], c.io)).toBe(0);
    expect(c.stdout()).toMatch(/qwen2\.5-coder:1\.5b\s+986 MB\s+1\.5B\s+Q4_K_M/);
    expect(c.stdout()).toMatch(/llama3\.2:3b.*yes/);

    const none = capture({ OLLAMA_HOST: await deadUrl() });
    expect(await models(["list"], none.io)).toBe(3);
    expect(none.stderr()).toMatch(/No model runtime is running/);
  });

  it("recommends a model for this machine and says whether it is installed", async () => {
    fake = await startFakeOllama({ models: [] });
    const c = capture({ OLLAMA_HOST: fake.url });
    expect(await models(["recommend"], c.io)).toBe(0);
    expect(c.stdout()).toMatch(/^qwen2\.5-coder:\S+, context of \d+ tokens/);
    expect(c.stdout()).toMatch(/Why: /);
    expect(c.stdout()).toMatch(/not installed yet: burrow models pull qwen2\.5-coder:/);
  });

  it("pulls with progress summed over layers", async () => {
    fake = await startFakeOllama();
    fake.onPull(() => ({
      layers: [
        { digest: "sha256:" + "a".repeat(64), total: 900 },
        { digest: "sha256:" + "b".repeat(64), total: 100 },
      ],
      ticks: 2,
    }));
    const c = capture({ OLLAMA_HOST: fake.url });
    expect(await models(["pull", "qwen2.5-coder:7b"], c.io)).toBe(0);
    expect(c.stdout()).toBe("Pulled qwen2.5-coder:7b.\n");
    const lines = c.stderr().trim().split("\n");
    expect(lines[0]).toBe("qwen2.5-coder:7b: pulling manifest");
    // The first layer alone reaches 90% of the whole; both together reach 100%.
    expect(lines).toContain("qwen2.5-coder:7b: 90% (900 B of 1 KB)");
    expect(lines.some((l) => l.startsWith("qwen2.5-coder:7b: 100%"))).toBe(true);
    expect(lines.at(-1)).toBe("qwen2.5-coder:7b: success");
    expect(fake.installed()).toContain("qwen2.5-coder:7b");
  });

  it("draws a bar on a terminal", async () => {
    fake = await startFakeOllama();
    const c = capture({ OLLAMA_HOST: fake.url }, true);
    expect(await models(["pull", "qwen2.5-coder:1.5b"], c.io)).toBe(0);
    expect(c.stderr()).toMatch(/\r\u001b\[Kqwen2\.5-coder:1\.5b \[#+\] 100%/);
  });

  it("exits 1 when the pull fails and 3 when Ollama is not running", async () => {
    fake = await startFakeOllama();
    fake.onPull(() => ({ error: "pull model manifest: file does not exist" }));
    const c = capture({ OLLAMA_HOST: fake.url });
    expect(await models(["pull", "qwen2.5-coder:99b"], c.io)).toBe(1);
    expect(c.stderr()).toMatch(/could not pull "qwen2\.5-coder:99b": pull model manifest: file does not exist/);

    const none = capture({ OLLAMA_HOST: await deadUrl() });
    expect(await models(["pull", "qwen2.5-coder:7b"], none.io)).toBe(3);
    expect(none.stderr()).toMatch(/Ollama is not running at .*ollama serve/);
  });

  it("stops a pull when cancelled, closing the request to Ollama", async () => {
    fake = await startFakeOllama();
    fake.onPull(() => ({ stallAfterEvents: 3 }));
    const router = createModelRouter({ settings: { ollama: { host: fake.url } }, env: {}, hardware: cpuOnly() });
    const controller = new AbortController();
    const seen: number[] = [];
    const result = await router.pull(
      "qwen2.5-coder:7b",
      (p) => {
        seen.push(p.completedBytes);
        if (seen.length === 3) controller.abort();
      },
      controller.signal,
    );
    expect(result).toMatchObject({ ok: false, code: "aborted" });
    expect(!result.ok && result.reason).toMatch(/cancelled; running the pull again resumes it/);
    await fake.waitFor((r) => r.path === "/api/pull" && r.aborted);
    expect(fake.installed()).not.toContain("qwen2.5-coder:7b");
  });

  const usage: [string[], RegExp][] = [
    [[], /Usage:/],
    [["frobnicate"], /unknown action "frobnicate"/],
    [["pull"], /name one model/],
    [["list", "extra"], /unexpected argument "extra"/],
  ];
  for (const [argv, message] of usage) {
    it(`exits 2 for: models ${argv.join(" ")}`, async () => {
      const c = capture({});
      expect(await models(argv, c.io)).toBe(2);
      expect(c.stderr()).toMatch(message);
    });
  }
});

describe("burrow egress", () => {
  it("says plainly when nothing has left the machine", async () => {
    const c = capture({});
    expect(await egress([], c.io)).toBe(0);
    expect(c.stdout()).toMatch(/^Nothing has left this machine/);
    const j = capture({});
    expect(await egress(["--json"], j.io)).toBe(0);
    expect(JSON.parse(j.stdout())).toEqual([]);
  });

  it("shows every recorded request with its files and totals", async () => {
    const entry = (owner: string, bytesSent: number, files: string[]) =>
      JSON.stringify({ time: "2026-11-27T10:00:00.000Z", owner, provider: "openai", host: "api.openai.com", method: "POST", path: "/v1/chat/completions", status: 200, bytesSent, bytesReceived: 2048, files, durationMs: 900, outcome: "complete" });
    await temp.state.append("egress/ledger.jsonl", entry("task-1", 5000, ["src/a.ts"]));
    await temp.state.append("egress/ledger.jsonl", entry("task-2", 1500, []));
    const c = capture({ XDG_STATE_HOME: temp.dir });
    expect(await egress([], c.io)).toBe(0);
    expect(c.stdout()).toContain("task-1  openai → api.openai.com/v1/chat/completions  sent 5.0 KB, received 2.0 KB");
    expect(c.stdout()).toContain("files: src/a.ts");
    expect(c.stdout()).toContain("files: none");
    expect(c.stdout()).toContain("2 requests to 1 host: 6.5 KB sent, 4.1 KB received.");
    const j = capture({ XDG_STATE_HOME: temp.dir });
    await egress(["--json"], j.io);
    expect(JSON.parse(j.stdout())).toHaveLength(2);
  });
});
