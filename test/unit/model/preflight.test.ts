/**
 * The router's preflight: before a task spends time reading the repository, it learns whether the
 * local runtime is up and has the model. Cloud providers are never probed (no request before consent).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createModelRouter } from "../../../server/src/agent/model/index.js";
import { startFakeOllama, type FakeOllama } from "../../fakes/fake-ollama.js";
import { startRecordingServer } from "../../fakes/recording-server.js";
import { cpuOnly, tempState, type TempState } from "./helpers.js";

let fake: FakeOllama | undefined;
let temp: TempState | undefined;
afterEach(async () => {
  await fake?.close();
  temp?.cleanup();
  fake = undefined;
});

async function closedPortUrl(): Promise<string> {
  const server = await startRecordingServer(() => undefined);
  const url = server.url;
  await server.close();
  return url;
}

describe("preflight", () => {
  const cases: { name: string; installed: string[] | "down"; settings: Record<string, unknown>; expect: { ok: boolean; code?: string; reason?: RegExp } }[] = [
    { name: "the configured model is installed", installed: ["qwen2.5-coder:1.5b"], settings: {}, expect: { ok: true } },
    { name: "a bare name matches its :latest tag", installed: ["mycoder:latest"], settings: { models: { coder: "mycoder" } }, expect: { ok: true } },
    { name: "the model is not installed", installed: ["llama3.2:3b"], settings: {}, expect: { ok: false, code: "model-missing", reason: /ollama pull qwen2\.5-coder:1\.5b.*llama3\.2:3b/ } },
    { name: "Ollama is not running", installed: "down", settings: {}, expect: { ok: false, code: "runtime-unreachable", reason: /Ollama is not running/ } },
    { name: "a cloud provider is not probed", installed: "down", settings: { provider: "openai" }, expect: { ok: true } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      temp = tempState();
      let host: string;
      if (c.installed === "down") host = await closedPortUrl();
      else {
        fake = await startFakeOllama({ models: c.installed });
        host = fake.url;
      }
      const router = createModelRouter({ settings: { ollama: { host }, ...c.settings }, env: {}, state: temp.state, hardware: cpuOnly() });
      const result = await router.preflight("coder");
      expect(result.ok).toBe(c.expect.ok);
      if (!result.ok) {
        expect(result.code).toBe(c.expect.code);
        expect(result.reason).toMatch(c.expect.reason!);
      }
      if (fake) expect(fake.chatRequests()).toHaveLength(0);
      await router.dispose();
    });
  }
});
