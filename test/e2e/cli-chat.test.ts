// `burrow chat` over real pipes: the built binary reads questions from stdin, its spawned server
// streams answers from the fake Ollama as `burrow/chatDelta`, and the session carries the
// conversation from one question to the next. Chat must never change a file.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeOllama } from "../fakes/fake-ollama.js";
import { closedPort, requireBuild, runPiped, startPipedWorld, type PipedRun, type PipedWorld } from "../helpers/piped-cli.js";
import { REPO_ROOT } from "../helpers/servers.js";
import type { Fixture } from "../helpers/workspace-fixture.js";

const MODEL = "qwen2.5-coder:1.5b";
const FILES = {
  "src/greet.ts": "export function greet(name: string): string {\n  return 'Hello ' + name;\n}\n",
  "README.md": "# demo\n",
  ".env": "API_KEY=hunter2-secret\n",
};

/** Run the built `burrow chat` with `input` piped to stdin (then closed). */
function chat(args: string[], input: string, env: NodeJS.ProcessEnv, cwd: string): Promise<PipedRun> {
  return runPiped(["chat", ...args], input, env, cwd);
}

let world: PipedWorld;
let fake: FakeOllama;
let fixture: Fixture;
let env: NodeJS.ProcessEnv;

beforeAll(requireBuild);

beforeEach(async () => {
  world = await startPipedWorld(MODEL, FILES);
  ({ fake, fixture, env } = world);
});

afterEach(() => world.close());

describe("burrow chat through a pipe", () => {
  it("streams each answer as it is written", async () => {
    fake.enqueueChat({ chunks: ["The first part arrives early. ", "The rest comes later."], chunkDelayMs: 1500 });
    const ran = await chat(["--root", fixture.root], "Tell me about this project.\n", env, fixture.root);

    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toBe("The first part arrives early. The rest comes later.\n\n");
    const first = ran.chunks.find((c) => c.text.includes("arrives early"))!;
    const last = ran.chunks.find((c) => c.text.includes("comes later"))!;
    // The first piece was on screen well before the answer was complete.
    expect(first.text).not.toContain("comes later");
    expect(last.at - first.at).toBeGreaterThan(1000);
  });

  it("keeps the conversation across questions, and never writes a file", async () => {
    fake.enqueueChat(
      { chunks: ["It builds ", "a greeting."] },
      { text: "src/greet.ts\n```ts\nexport const replaced = true;\n```\n" },
    );
    const before = fixture.snapshot();
    const ran = await chat(["--root", fixture.root], "What does `src/greet.ts` do?\nRewrite it for me.\n", env, fixture.root);

    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain("It builds a greeting.\n");
    const [first, second] = fake.chatRequests();
    expect(first.messages.at(-1).content).toContain("return 'Hello ' + name;");
    const history = second.messages.map((m: { role: string; content: string }) => [m.role, m.content]);
    expect(history).toContainEqual(["user", "What does `src/greet.ts` do?"]);
    expect(history).toContainEqual(["assistant", "It builds a greeting."]);
    expect(history.at(-1)).toEqual(["user", "Rewrite it for me."]);
    // The second answer was an edit; chat printed it and changed nothing.
    expect(ran.stdout).toContain("export const replaced = true;");
    expect(fixture.snapshot()).toEqual(before);

    // The conversation is also a document under the state directory, not in the workspace.
    const stateFiles = fixture.snapshot(fixture.stateHome);
    const chatDocs = Object.keys(stateFiles).filter((path) => /chats\/[^/]+\.md$/.test(path));
    expect(chatDocs).toHaveLength(1);
    expect(stateFiles[chatDocs[0]!]).toContain("It builds a greeting.");
  });

  it("keeps secret files from the model even when named", async () => {
    fake.enqueueChat({ text: "I was not shown that file." });
    const ran = await chat(["--root", fixture.root], "What is in .env?\n", env, fixture.root);
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.stringify(fake.requests.map((r) => r.body))).not.toContain("hunter2");
  });

  it("asks the chat model named with --model", async () => {
    fake.addModel("qwen2.5-coder:7b");
    fake.enqueueChat({ text: "Hi." });
    const ran = await chat(["--root", fixture.root, "--model", "qwen2.5-coder:7b"], "Hello?\n", env, fixture.root);
    expect(ran.code, ran.stderr).toBe(0);
    expect(fake.chatRequests().map((body) => body.model)).toEqual(["qwen2.5-coder:7b"]);
  });

  it("stops at /exit and starts over at /new", async () => {
    fake.enqueueChat({ text: "One." }, { text: "Two." });
    const ran = await chat(["--root", fixture.root], "First?\n/new\nSecond?\n/exit\nNever asked?\n", env, fixture.root);
    expect(ran.code, ran.stderr).toBe(0);
    const requests = fake.chatRequests();
    expect(requests).toHaveLength(2);
    // After /new the second question carries no history.
    expect(requests[1].messages.map((m: { content: string }) => m.content)).not.toContain("First?");
  });

  it("exits 3 with one sentence on what to do when Ollama is not running", async () => {
    const ran = await chat(["--root", fixture.root], "Hello?\nAnyone?\n", { ...env, OLLAMA_HOST: `http://127.0.0.1:${await closedPort()}` }, fixture.root);
    expect(ran.code).toBe(3);
    expect(ran.stderr.trim().split("\n").at(-1)).toMatch(/^burrow: Ollama is not running .*(ollama serve|OLLAMA_HOST)/);
  });

  // util-linux `script` gives the command a pseudo-terminal, as a person at a terminal would.
  it.skipIf(spawnSync("script", ["--version"]).status !== 0)("works on a terminal, with a prompt and typed questions", async () => {
    fake.enqueueChat({ chunks: ["Typed ", "and answered."] });
    const command = `'${process.execPath}' '${join(REPO_ROOT, "bin", "burrow.js")}' chat --root '${fixture.root}'`;
    const child = spawn("script", ["-qfec", command, "/dev/null"], { env: { ...env, TERM: "xterm" }, cwd: fixture.root });
    let screen = "";
    child.stdout.on("data", (d: Buffer) => (screen += d.toString()));
    child.stdin.end("What is this?\r/exit\r");
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(code, screen).toBe(0);
    expect(screen).toContain("Burrow chat about");
    expect(screen).toContain("> ");
    expect(screen).toContain("Typed and answered.");
    expect(fake.chatRequests()[0].messages.at(-1).content).toBe("What is this?");
  });

  it.each([
    ["a question as an argument", ["what is this"]],
    ["an unknown flag", ["--yes-plan"]],
  ])("exits 2 on a usage error: %s", async (_name, args) => {
    const ran = await chat(args, "", env, fixture.root);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("Usage: burrow chat");
    expect(fake.requests).toHaveLength(0);
  });
});
