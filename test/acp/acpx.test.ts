/**
 * Burrow under acpx, a headless ACP client nobody here wrote: `acpx --agent "burrow acp"
 * --approve-all --cwd DIR exec "<task>"` ends with exactly the proposed change, and `--deny-all`
 * changes nothing. acpx answers permission requests by policy (the first allow or reject option),
 * declares `fs` read and write, and refuses its own file reads and writes under --deny-all, so
 * this also shows Burrow falling back to the disk when the client's file system says no.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";
import { greetEdits, greetPlan, ORIGINAL, PROMPT, PROPOSED } from "./greet-task.js";
import { REPO_ROOT } from "../helpers/servers.js";
import { makeFixture, serverEnv, type Fixture } from "../helpers/workspace-fixture.js";


let fake: FakeOllama;
let fixture: Fixture;

beforeEach(async () => {
  fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  fixture = makeFixture({ "src/greet.ts": ORIGINAL, "README.md": "# demo\n" });
  fake.enqueueChat(greetPlan(), greetEdits);
});

afterEach(async () => {
  await fake.close();
  fixture.cleanup();
});

/** acpx's own command line; the agent is the built `bin/burrow.js acp`, started by acpx. */
async function acpx(policy: "--approve-all" | "--deny-all"): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const agent = `${process.execPath} ${join(REPO_ROOT, "bin", "burrow.js")} acp`;
  const args = [join(REPO_ROOT, "node_modules", "acpx", "dist", "cli.js"), "--agent", agent, policy, "--cwd", fixture.root, "--format", "json", "exec", PROMPT];
  const child = spawn(process.execPath, args, { env: serverEnv(fixture, fake.url), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, stdout, stderr };
}

/** The ACP messages acpx printed (--format json prints each one as a line). */
function messages(stdout: string): any[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
}

describe("acpx drives burrow acp", () => {
  it("--approve-all ends with exactly the proposed change, written through acpx's fs/write_text_file", async () => {
    const run = await acpx("--approve-all");
    expect(run.code, run.stderr).toBe(0);
    expect(fixture.read("src/greet.ts")).toBe(PROPOSED);
    expect(fixture.read("README.md")).toBe("# demo\n");
    const sent = messages(run.stdout);
    const permissions = sent.filter((m) => m.method === "session/request_permission");
    expect(permissions).toHaveLength(2);
    const writes = sent.filter((m) => m.method === "fs/write_text_file");
    expect(writes.map((m) => m.params.content)).toEqual([PROPOSED]);
    // The write comes after the answer to the last permission request.
    const lastAnswer = sent.findIndex((m) => m.id === permissions[1].id && m.result);
    expect(sent.indexOf(writes[0])).toBeGreaterThan(lastAnswer);
    expect(sent.find((m) => m.result?.stopReason)?.result.stopReason).toBe("end_turn");
  });

  it("--deny-all changes nothing", async () => {
    const before = fixture.snapshot();
    const run = await acpx("--deny-all");
    // acpx's own exit code for "every permission asked was denied".
    expect(run.code, run.stderr).toBe(5);
    expect(fixture.snapshot()).toEqual(before);
    const sent = messages(run.stdout);
    expect(sent.filter((m) => m.method === "session/request_permission")).toHaveLength(1);
    expect(sent.some((m) => m.method === "fs/write_text_file")).toBe(false);
    expect(fake.chatRequests()).toHaveLength(1);
  });
});
