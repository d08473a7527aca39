/**
 * The server as a process: an honest capability list naming every command, a clean shutdown and
 * exit, nothing on stdout but JSON-RPC frames, and logs that carry no file text, prompt or model
 * output. (Exit without shutdown and a closed pipe are in test/faults/protocol.test.ts.)
 */
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { COMMANDS } from "../../server/src/protocol/commands.js";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";
import { REPO_ROOT, stdioServer } from "../helpers/servers.js";
import { makeFixture, serverEnv, type Fixture } from "../helpers/workspace-fixture.js";
import { planAnswer, wholeFileAnswer } from "../helpers/scripted-model.js";

let fake: FakeOllama;
let fixture: Fixture;

beforeEach(async () => {
  fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  fixture = makeFixture({ "src/secret-sauce.ts": "export const RECIPE = 'SAUCE-TEXT-1234';\n" });
});
afterEach(async () => {
  await fake.close();
  fixture.cleanup();
});

/** Frame-by-frame reading of everything the server wrote to stdout. */
function frames(stdout: Buffer): string[] {
  const out: string[] = [];
  let rest = stdout;
  while (rest.length > 0) {
    const headerEnd = rest.indexOf("\r\n\r\n");
    if (headerEnd < 0) throw new Error(`stdout has bytes that are not a JSON-RPC frame: ${rest.toString().slice(0, 80)}`);
    const header = rest.subarray(0, headerEnd).toString();
    const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
    if (!Number.isFinite(length)) throw new Error(`bad header on stdout: ${header}`);
    const body = rest.subarray(headerEnd + 4, headerEnd + 4 + length).toString();
    JSON.parse(body);
    out.push(body);
    rest = rest.subarray(headerEnd + 4 + length);
  }
  return out;
}

describe("the server process", () => {
  it("lists every burrow command and exits 0 after shutdown and exit", async () => {
    const h = await stdioServer({ root: fixture.root, kind: "neovim", env: serverEnv(fixture, fake.url) });
    const caps = h.client.initializeResult!.capabilities;
    expect([...(caps.executeCommandProvider?.commands ?? [])].sort()).toEqual([...COMMANDS].sort());
    expect(caps.codeActionProvider).toBeTruthy();
    expect(caps.completionProvider).toBeUndefined();
    expect(caps.hoverProvider).toBeUndefined();
    const exit = new Promise<number | null>((resolve) => h.child.once("exit", (code) => resolve(code)));
    await h.client.shutdown();
    expect(await exit).toBe(0);
  });

  it("writes only JSON-RPC frames to stdout, and logs no file text, prompt or model output", async () => {
    fake.enqueueChat(planAnswer("Rename the RECIPE constant.", [{ path: "src/secret-sauce.ts", action: "modify" }]), wholeFileAnswer({ "src/secret-sauce.ts": "export const RECIPE = 'MODEL-OUTPUT-5678';\n" }));
    const h = await stdioServer({ root: fixture.root, kind: "helix", env: serverEnv(fixture, fake.url) });
    const rawStdout: Buffer[] = [];
    h.child.stdout!.on("data", (d: Buffer) => rawStdout.push(d));
    const taskId = await h.client.startTask("PROMPT-WORDS-9012 rename it");
    await h.client.waitForState(taskId, "awaitingPlanApproval");
    await h.client.command("burrow.plan.approve", { taskId });
    await h.client.waitForState(taskId, "awaitingChangesApproval");
    await h.client.command("burrow.changes.apply", { taskId });
    await h.client.waitForState(taskId, "applied");
    await h.close();
    expect(() => frames(Buffer.concat(rawStdout))).not.toThrow();
    const logs = h.client.notifications.filter((n) => n.method === "window/logMessage").map((n) => JSON.stringify(n.params));
    const logFile = join(fixture.stateHome, "burrow", "logs", "burrow.log");
    const all = [...logs, existsSync(logFile) ? readFileSync(logFile, "utf8") : "", h.stderr()].join("\n");
    expect(logs.length).toBeGreaterThan(0);
    for (const forbidden of ["SAUCE-TEXT-1234", "MODEL-OUTPUT-5678", "PROMPT-WORDS-9012"]) expect(all).not.toContain(forbidden);
  });
});
