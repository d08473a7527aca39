/**
 * `:checkhealth burrow` in real headless Neovim: it must finish without a Lua error and report the
 * server command, the runtime (through the fake Ollama) and the log paths, both before a client
 * runs (it then runs `burrow doctor --json`) and with a running client (it asks `burrow.doctor`).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama } from "../fakes/fake-ollama.js";
import { explain, makeSandbox, runNvim } from "./harness.js";
let fake;
let sandbox;
beforeEach(async () => {
    fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
    sandbox = makeSandbox({ "notes.txt": "some notes\n" });
});
afterEach(async () => {
    await fake.close();
    sandbox.remove();
});
describe(":checkhealth burrow", () => {
    it.each([
        { name: "without a running client", with_client: false },
        { name: "with a running client", with_client: true },
    ])("runs without Lua errors $name", async ({ with_client }) => {
        const run = await runNvim({
            sandbox,
            script: "checkhealth.lua",
            params: { with_client },
            env: { OLLAMA_HOST: fake.url },
        });
        expect(run.code, explain(run)).toBe(0);
        const report = run.result.lines.join("\n");
        expect(report).not.toMatch(/Failed to run healthcheck|Exception|stack traceback|E5108/);
        expect(report).toContain("Server command:");
        expect(report).toContain("Diagnosis from");
        expect(report).toContain("Neovim LSP log");
    });
});
//# sourceMappingURL=checkhealth.test.js.map