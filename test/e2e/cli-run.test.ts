// `burrow run` as a user scripts it: the built binary, answers piped into stdin, the server it
// spawns talking to the fake Ollama, and a temp copy of a small project. Each row checks the exit
// code, what was printed, what the model was asked, and exactly which files changed.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeOllama, FakeReply } from "../fakes/fake-ollama.js";
import { closedPort, requireBuild, runPiped, startPipedWorld, type PipedWorld } from "../helpers/piped-cli.js";
import { planAnswer, wholeFileAnswer } from "../helpers/scripted-model.js";
import { REPO_ROOT } from "../helpers/servers.js";
import type { Fixture } from "../helpers/workspace-fixture.js";

const MODEL = "qwen2.5-coder:1.5b";
const ORIGINAL = "export function greet(name: string): string {\n  return 'Hello ' + name;\n}\n";
const PROPOSED = "export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n";
const SECOND = "export function greet(name: string): string {\n  return \"Hello, \" + name + \"!\";\n}\n";
const FILES = { "src/greet.ts": ORIGINAL, "README.md": "# demo\n" };
const ANSI = /\u001b\[/;

const plan = () => planAnswer("Use a template string in greet.", [{ path: "src/greet.ts", action: "modify", reason: "greet builds the text" }]);
const edits = (text = PROPOSED): FakeReply => wholeFileAnswer({ "src/greet.ts": text });

let world: PipedWorld;
let fake: FakeOllama;
let fixture: Fixture;
let env: NodeJS.ProcessEnv;

/** `burrow run` on the fixture with `input` piped to stdin (then closed), as a script would run it. */
const run = (input: string, extra: string[] = [], envExtra: NodeJS.ProcessEnv = {}) =>
  runPiped(["run", "Greet with a template string", "--root", fixture.root, ...extra], input, { ...env, ...envExtra }, fixture.root);

beforeAll(requireBuild);

beforeEach(async () => {
  world = await startPipedWorld(MODEL, FILES);
  ({ fake, fixture, env } = world);
});

afterEach(() => world.close());

describe("burrow run through a pipe", () => {
  it("approves the plan and the diff, and leaves exactly the proposed file on disk", async () => {
    fake.enqueueChat(plan(), edits());
    const ran = await run("y\ny\n");

    expect(ran.code, ran.stderr).toBe(0);
    expect(fixture.snapshot()).toEqual({ ...FILES, "src/greet.ts": PROPOSED });
    expect(ran.stdout).toContain("Plan: Use a template string in greet.");
    expect(ran.stdout).toMatch(/modify\s+src\/greet\.ts — greet builds the text/);
    expect(ran.stdout).toContain("--- a/src/greet.ts");
    expect(ran.stdout).toContain("-  return 'Hello ' + name;");
    expect(ran.stdout).toContain("+  return `Hello, ${name}!`;");
    expect(ran.stdout).toContain("Applied 1 change to 1 file: src/greet.ts.");
    // A pipe gets no colour and no spinner, and the transcript shows each answer after its question.
    expect(ran.stdout).not.toMatch(ANSI);
    expect(ran.stderr).not.toMatch(ANSI);
    expect(ran.stderr).toContain("Approve this plan? [y]es, [r]evise, [n]o: y");
    expect(ran.stderr).toContain("Apply these changes? [y]es, [r]evise, [n]o: y");
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it("--yes-plan approves the plan and still asks before writing", async () => {
    fake.enqueueChat(plan(), edits());
    const ran = await run("y\n", ["--yes-plan"]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).not.toContain("Approve this plan?");
    expect(ran.stderr).toContain("Apply these changes?");
    expect(fixture.read("src/greet.ts")).toBe(PROPOSED);
  });

  it("asks for the model named with --model", async () => {
    fake.addModel("qwen2.5-coder:7b");
    fake.enqueueChat(plan(), edits());
    const ran = await run("y\ny\n", ["--model", "qwen2.5-coder:7b"]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(fake.chatRequests().map((body) => body.model)).toEqual(["qwen2.5-coder:7b", "qwen2.5-coder:7b"]);
  });

  it("revises the plan with one line of feedback, then applies", async () => {
    fake.enqueueChat(plan(), planAnswer("Use a salutation template.", [{ path: "src/greet.ts", action: "modify" }]), edits());
    const ran = await run("r\nCall it a salutation\ny\nyes\n");

    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain("Plan: Use a template string in greet.");
    expect(ran.stdout).toContain("Plan: Use a salutation template.");
    const [, replan] = fake.chatRequests();
    expect(JSON.stringify(replan.messages)).toContain("Call it a salutation");
    expect(fixture.read("src/greet.ts")).toBe(PROPOSED);
  });

  it("revises the diff: the edits are asked for again with the feedback", async () => {
    fake.enqueueChat(plan(), edits(), edits(SECOND));
    const ran = await run("y\nr\nUse double quotes instead\napply\n");

    expect(ran.code, ran.stderr).toBe(0);
    const requests = fake.chatRequests();
    expect(requests).toHaveLength(3);
    expect(JSON.stringify(requests[2].messages)).toContain("Use double quotes instead");
    expect(fixture.read("src/greet.ts")).toBe(SECOND);
  });

  describe("choosing some of the changes", () => {
    const LIST = Array.from({ length: 20 }, (_, i) => `export const item${i + 1} = ${i + 1};`).join("\n") + "\n";
    const BOTH = LIST.replace("item2 = 2;", "item2 = 200;").replace("item18 = 18;", "item18 = 1800;");
    const FIRST_ONLY = LIST.replace("item2 = 2;", "item2 = 200;");

    it.each([
      ["takes only the changes answered yes", "y\ns\ny\nn\n", 0, FIRST_ONLY],
      ["applies nothing when no change is chosen", "y\nsome\nn\nn\n", 1, LIST],
      ["applies nothing when the input ends while choosing", "y\ns\ny\n", 1, LIST],
    ])("%s", async (_name, input, code, expected) => {
      fixture.write("src/list.ts", LIST);
      fake.enqueueChat(
        planAnswer("Scale two items.", [{ path: "src/list.ts", action: "modify" }]),
        wholeFileAnswer({ "src/list.ts": BOTH }),
      );
      const ran = await run(input);
      expect(ran.code, ran.stderr).toBe(code);
      expect(fixture.read("src/list.ts")).toBe(expected);
      expect(ran.stderr).toContain("Apply these changes? [y]es, [s]ome, [r]evise, [n]o: ");
      expect(ran.stdout).toContain("Change 1 of 2, in src/list.ts:");
      expect(ran.stdout).toContain("+export const item2 = 200;");
      if (code === 0) {
        expect(ran.stdout).toContain("Change 2 of 2, in src/list.ts:");
        expect(ran.stdout).toContain("Applied 1 change to 1 file: src/list.ts (1 change declined).");
      }
    });

    it("names only the files that received a change", async () => {
      fake.enqueueChat(
        planAnswer("Greet and document.", [
          { path: "src/greet.ts", action: "modify" },
          { path: "README.md", action: "modify" },
        ]),
        wholeFileAnswer({ "src/greet.ts": PROPOSED, "README.md": "# demo, greeting people\n" }),
      );
      const ran = await run("y\ns\ny\nn\n");
      expect(ran.code, ran.stderr).toBe(0);
      // The first change in the diff was taken, the second declined, whichever file comes first.
      const changed = Object.entries(fixture.snapshot())
        .filter(([path, text]) => text !== FILES[path as keyof typeof FILES])
        .map(([path]) => path);
      expect(changed).toHaveLength(1);
      expect(ran.stdout).toContain(`Change 1 of 2, in ${changed[0]}:`);
      expect(ran.stdout).toContain(`Applied 1 change to 1 file: ${changed[0]} (1 change declined).`);
    });
  });

  it.each([
    ["rejects at the plan", "n\n", 1, "Rejected: nothing was changed."],
    ["rejects at the diff", "y\nno\n", 2, "Rejected: nothing was changed."],
    ["takes the end of input at the plan as a rejection", "", 1, "Rejected: nothing was changed."],
    ["takes the end of input at the diff as a rejection", "y\n", 2, "Rejected: nothing was changed."],
    ["takes the end of input while waiting for feedback as a rejection", "r\n", 1, "Rejected: nothing was changed."],
  ])("%s, and changes nothing", async (_name, input, modelRequests, said) => {
    fake.enqueueChat(plan(), edits());
    const ran = await run(input);
    expect(ran.code, ran.stderr).toBe(1);
    expect(fixture.snapshot()).toEqual(FILES);
    expect(ran.stdout).toContain(said);
    expect(fake.chatRequests()).toHaveLength(modelRequests);
    if (!input.endsWith("n\n") && !input.endsWith("no\n")) expect(ran.stderr).toContain("end of input");
  });

  it("shows which planned files Burrow refuses to touch", async () => {
    fixture.write(".env", "API_KEY=hunter2\n");
    fake.enqueueChat(
      planAnswer("Read the key from the environment.", [
        { path: "src/greet.ts", action: "modify" },
        { path: ".env", action: "modify" },
      ]),
    );
    const ran = await run("n\n");
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/modify\s+\.env — needed for the change\n\s+refused: .+/);
    expect(ran.stdout).not.toMatch(/src\/greet\.ts — needed for the change\n\s+refused/);
  });

  it("asks again when the answer is not one it knows", async () => {
    fake.enqueueChat(plan(), edits());
    const ran = await run("maybe\nn\n");
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('"maybe" is none of them');
  });

  it("exits 3 within seconds, with one sentence on what to do, when Ollama is not running", async () => {
    const ran = await run("y\ny\n", [], { OLLAMA_HOST: `http://127.0.0.1:${await closedPort()}` });
    expect(ran.code).toBe(3);
    expect(ran.ms).toBeLessThan(8000);
    // Progress lines come first; the last line is the one that says what to do.
    const lines = ran.stderr.trim().split("\n");
    expect(lines.filter((line) => /not running|cannot|could not|error/i.test(line))).toHaveLength(1);
    // Either the task's own sentence or, when the task is slow to reach the model, the runtime probe's.
    expect(lines.at(-1)).toMatch(/^burrow: .*Ollama is not running at http:\/\/127\.0\.0\.1:\d+.*(ollama serve|OLLAMA_HOST)/);
    expect(fixture.snapshot()).toEqual(FILES);
  });

  it("exits 3 with the pull command when the model is not installed", async () => {
    fake.removeModel(MODEL);
    const ran = await run("y\ny\n");
    expect(ran.code).toBe(3);
    expect(ran.stderr).toContain(`ollama pull ${MODEL}`);
  });

  it("cancels the task on Ctrl-C at a prompt, changes nothing, and exits 1", async () => {
    fake.enqueueChat(plan(), edits());
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "burrow.js"), "run", "Greet", "--root", fixture.root], {
      env,
      cwd: fixture.root,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    const asked = new Promise<void>((resolve) =>
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes("Approve this plan?")) resolve();
      }),
    );
    const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
    await asked;
    child.kill("SIGINT");
    expect(await closed).toBe(1);
    expect(stderr).toContain("cancelling the task; nothing was changed");
    expect(fixture.snapshot()).toEqual(FILES);
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it.each([
    ["no task", () => ["run"]],
    ["an empty task", () => ["run", "  "]],
    ["an unknown flag", () => ["run", "do it", "--frobnicate"]],
    ["a flag without its value", () => ["run", "do it", "--root"]],
    ["a --root that does not exist", () => ["run", "do it", "--root", fixture.path("missing")]],
    ["a --root that is a file", () => ["run", "do it", "--root", fixture.path("README.md")]],
  ])("exits 2 on a usage error: %s", async (_name, args) => {
    const ran = await runPiped(args(), "", env, fixture.root);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/^burrow run: .+\.\n/);
    expect(ran.stderr).toContain("Usage: burrow run");
    expect(fake.requests).toHaveLength(0);
  });

  // util-linux `script` gives the command a pseudo-terminal, as a person at a terminal would.
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it.skipIf(!hasScript).each([
    ["with colour", {}, true],
    ["without colour under NO_COLOR", { NO_COLOR: "1" }, false],
  ])("on a terminal, shows a spinner and reads typed answers, %s", async (_name, colourEnv, coloured) => {
    fake.enqueueChat(plan(), edits());
    const command = `'${process.execPath}' '${join(REPO_ROOT, "bin", "burrow.js")}' run 'Greet with a template string' --root '${fixture.root}'`;
    const child = spawn("script", ["-qfec", command, "/dev/null"], { env: { ...env, TERM: "xterm", ...colourEnv }, cwd: fixture.root });
    let screen = "";
    child.stdout.on("data", (d: Buffer) => (screen += d.toString()));
    // Typed ahead: a terminal keeps the keystrokes until the prompt reads them.
    child.stdin.end("y\ry\r");
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));

    expect(code, screen).toBe(0);
    expect(fixture.read("src/greet.ts")).toBe(PROPOSED);
    expect(screen).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] (starting the Burrow server|planning|writing)/);
    expect(screen.includes("\u001b[32m+  return `Hello, ${name}!`;")).toBe(coloured);
    expect(screen).toMatch(/Applied(\u001b\[39m)? 1 change to 1 file: src\/greet\.ts\./);
  });

  it.each([
    ["FORCE_COLOR=1", { FORCE_COLOR: "1" }, true],
    ["NO_COLOR wins over FORCE_COLOR", { FORCE_COLOR: "1", NO_COLOR: "1" }, false],
  ])("colours the diff on request: %s", async (_name, colourEnv, coloured) => {
    fake.enqueueChat(plan(), edits());
    const ran = await run("y\nn\n", [], colourEnv);
    expect(ran.code).toBe(1);
    const added = ran.stdout.split("\n").find((line) => line.includes("return `Hello, ${name}!`;"))!;
    expect(added).toBeDefined();
    expect(ANSI.test(added)).toBe(coloured);
    if (coloured) expect(added).toContain("\u001b[32m+");
  });
});
