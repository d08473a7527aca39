/**
 * `:checkhealth burrow` in real headless Neovim: it must finish without a Lua error and report the
 * server command, the runtime (through the fake Ollama) and the log paths, both before a client
 * runs (it then runs `burrow doctor --json`) and with a running client (it asks `burrow.doctor`).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";
import { explain, makeSandbox, runNvim, type Sandbox } from "./harness.js";

let fake: FakeOllama;
let sandbox: Sandbox;

beforeEach(async () => {
  fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  sandbox = makeSandbox({ "notes.txt": "some notes\n" });
});

afterEach(async () => {
  await fake.close();
  sandbox.remove();
});

// A port nothing listens on: the runtime is down.
const CLOSED = "http://127.0.0.1:9";

describe(":checkhealth burrow", () => {
  it.each([
    {
      name: "without a running client (burrow doctor --json)",
      with_client: false,
      down: false,
      expected: [/OK: Ollama answers at http:\/\/127\.0\.0\.1/, /OK: The coder model qwen2\.5-coder:1\.5b is installed\./],
    },
    {
      name: "with a running client (burrow.doctor)",
      with_client: true,
      down: false,
      expected: [/OK: Ollama answers at http:\/\/127\.0\.0\.1/, /OK: The coder model qwen2\.5-coder:1\.5b is installed\./],
    },
    {
      name: "when Ollama does not answer",
      with_client: false,
      down: true,
      expected: [/ERROR: Ollama does not answer at http:\/\/127\.0\.0\.1:9/, /ADVICE:|- Install Ollama|ollama serve/],
    },
  ])("runs without Lua errors $name", async ({ with_client, down, expected }) => {
    const run = await runNvim({
      sandbox,
      script: "checkhealth.lua",
      params: { with_client },
      env: { OLLAMA_HOST: down ? CLOSED : fake.url },
    });
    expect(run.code, explain(run)).toBe(0);
    const report = (run.result!.lines as string[]).join("\n");
    expect(report).not.toMatch(/Failed to run healthcheck|Exception|stack traceback|E5108/);
    expect(report).toContain("Server command:");
    expect(report).toContain("Diagnosis from");
    expect(report).toContain("LSP log");
    for (const pattern of expected) expect(report).toMatch(pattern);
  });
});
