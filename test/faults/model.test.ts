/**
 * Model faults against the real server process and the fake Ollama: a runtime that is not running,
 * one that dies or goes silent mid-stream, a stream that ends without its final record, a first
 * token that never comes, a plan that is not JSON or not a plan, an empty answer, edits in no
 * format Burrow reads, an HTTP error, a model that is not installed.
 *
 * Each fault is persistent (every retry meets it too), so the only acceptable outcome is a task
 * that ends `failed` with a message the user can act on, after a bounded number of attempts: never
 * a hang, never a request left open at the runtime, never a byte changed on disk. The server must
 * then complete an ordinary task, proving the fault left nothing broken behind.
 *
 * Short timeouts come from the documented settings (`timeouts.firstByteSeconds`,
 * `timeouts.stallSeconds`), so no test waits minutes for a cold-load timeout.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama, type FakeReply, type RecordedRequest } from "../fakes/fake-ollama.js";
import { startModelProxy, type ModelProxy, type ProxyMode } from "./support/model-proxy.js";
import { startInitialized, type RawLspClient, type TaskUpdate } from "./support/raw-lsp.js";
import {
  burrowEnv,
  completeTask,
  makeWorkspace,
  MODEL,
  planFor,
  smallProject,
  wholeFileAnswer,
  type TempWorkspace,
} from "./support/workspace.js";

const FILE = "src/greet.ts";
const fastTimeouts = { timeouts: { firstByteSeconds: 1, stallSeconds: 1 } };
/** Attempts a task may make at one stage before it must give up: the first and at most three retries. */
const MAX_ATTEMPTS = 4;
/** Generous for a loaded machine, yet far below any real model timeout: a hang fails the test. */
const FAIL_WITHIN_MS = 30_000;

const goodPlan = planFor(FILE, "Make the greeting friendlier.");
const goodEdits = wholeFileAnswer(FILE, `export function greet(name: string): string {\n  return "Hello there, " + name + "!";\n}\n`);
const planChunks = (): string[] => JSON.stringify(goodPlan).match(/.{1,6}/gs) ?? [];
const editChunks = (): string[] => goodEdits.match(/.{1,6}/gs) ?? [];

function isModelRequest(r: RecordedRequest): boolean {
  return r.path === "/api/chat" && Array.isArray(r.body?.messages) && r.body.messages.length > 0;
}

function isPlanRequest(r: RecordedRequest): boolean {
  return isModelRequest(r) && r.body.format !== undefined;
}

/** What a user needs from a failure: a sentence, not a stack trace or a bare code. */
function expectActionable(update: TaskUpdate, pattern: RegExp): void {
  expect(update.state).toBe("failed");
  expect(update.error, "a failed task carries an error").toBeDefined();
  expect(typeof update.error!.code).toBe("string");
  expect(update.error!.message.length).toBeGreaterThan(20);
  expect(update.error!.message).not.toMatch(/\n\s+at |\[object Object\]|(?<!received )\bundefined\b/);
  expect(update.error!.message).toMatch(pattern);
}

/** One server with its workspace and model runtime, shared by the cases of a describe block. */
interface ModelWorld {
  ws: TempWorkspace;
  fake: FakeOllama;
  /** The proxy between the server and the fake, when the block asked for one. */
  proxy: ModelProxy | undefined;
  client: RawLspClient;
  close(): Promise<void>;
}

/**
 * Start a workspace, the fake Ollama and a server on them. `route` says how the server reaches the
 * fake: straight (only a cancel can end a stuck request, so the default timeouts stay), or through
 * the proxy with the short timeouts, its port refusing connections at first for "refusing proxy".
 */
async function startModelWorld(route: "direct" | "proxy" | "refusing proxy"): Promise<ModelWorld> {
  const ws = await makeWorkspace(smallProject);
  const fake = await startFakeOllama({ models: [MODEL] });
  const proxy = route === "direct" ? undefined : await startModelProxy(fake.url);
  if (route === "refusing proxy") await proxy!.refuse();
  const { client } = proxy
    ? await startInitialized({ root: ws.root, settings: fastTimeouts }, burrowEnv(proxy, ws))
    : await startInitialized({ root: ws.root }, burrowEnv(fake, ws));
  return {
    ws,
    fake,
    proxy,
    client,
    async close() {
      await client.close();
      await proxy?.close();
      await fake.close();
      await ws.remove();
    },
  };
}

/**
 * Script the model so that only `stage` is broken: the plan is good when the fault is in the edits,
 * and every request at the faulty stage gets `reply` (a good plan when the fault is the proxy's).
 */
function breakStage(fake: FakeOllama, stage: "plan" | "edits", reply: FakeReply | undefined): void {
  fake.onChat((body) => (stage === "edits" && body.format !== undefined ? { json: goodPlan } : reply ?? { json: goodPlan }));
}

/** Start the task and, when the stage under test is the edits, approve its plan so they are asked for. */
async function startTaskAt(client: RawLspClient, stage: "plan" | "edits", extra: Record<string, unknown> = {}): Promise<string> {
  const { taskId } = await client.executeCommand<{ taskId: string }>("burrow.task", { prompt: "Make the greeting friendlier.", ...extra });
  if (stage === "edits") {
    await client.waitForTaskState(taskId, ["awaitingPlanApproval"]);
    await client.executeCommand("burrow.plan.approve", { taskId });
  }
  return taskId;
}

interface FaultCase {
  name: string;
  /** The request that meets the fault: the plan, or the edits after an approved plan. */
  stage: "plan" | "edits";
  reply?: FakeReply;
  proxyMode?: ProxyMode;
  message: RegExp;
  /** An error code the fault must not be reported as (a cut connection is not a timeout). */
  notCode?: string;
}

const faults: FaultCase[] = [
  { name: "the runtime dies mid-stream (plan)", stage: "plan", reply: { chunks: planChunks(), cutAfterChunks: 3 }, message: /stopped|cut|closed|interrupted|ended|connection/i, notCode: "timeout" },
  { name: "the runtime dies mid-stream (edits)", stage: "edits", reply: { chunks: editChunks(), cutAfterChunks: 5 }, message: /stopped|cut|closed|interrupted|ended|connection/i, notCode: "timeout" },
  { name: "the stream goes silent without done", stage: "plan", reply: { chunks: planChunks(), stallAfterChunks: 2 }, message: /stopped|silent|within|timed? ?out|stallSeconds/i },
  { name: "the stream goes silent without done (edits)", stage: "edits", reply: { chunks: editChunks(), stallAfterChunks: 2 }, message: /stopped|silent|within|timed? ?out|stallSeconds/i },
  { name: "the stream ends cleanly without its final record", stage: "plan", reply: { json: goodPlan }, proxyMode: "drop-done", message: /ended|final|incomplete|cut|stopped|done|closed/i, notCode: "timeout" },
  { name: "the first token takes minutes", stage: "plan", reply: { json: goodPlan, delayMs: 10 * 60_000 }, message: /within|timed? ?out|firstByteSeconds|start answering|loading/i },
  { name: "the first edit token takes minutes", stage: "edits", reply: { text: goodEdits, delayMs: 10 * 60_000 }, message: /within|timed? ?out|firstByteSeconds|start answering|loading/i },
  { name: "the plan is not valid JSON", stage: "plan", reply: { text: '{"summary": "Make it friendlier", "steps": [' }, message: /plan/i },
  { name: "the plan is JSON but not a plan", stage: "plan", reply: { json: { answer: "Sure, I can help with that." } }, message: /plan/i },
  { name: "the plan is an empty answer", stage: "plan", reply: { text: "" }, message: /plan|empty|nothing/i },
  { name: "the edits are an empty answer", stage: "edits", reply: { text: "" }, message: /empty|no (edits|changes)|nothing|edit/i },
  { name: "the edits are prose in no edit format", stage: "edits", reply: { text: "I would make the greeting friendlier by adding an exclamation mark." }, message: /edit|format|file|block/i },
  { name: "the runtime answers HTTP 500", stage: "plan", reply: { error: "llama runner process has terminated: signal: killed", status: 500 }, message: /ollama|runtime|model|500|terminated/i },
];

describe("model faults end in a clear task error, never a hang or a change", () => {
  let world: ModelWorld | undefined;
  let ws: TempWorkspace;
  let fake: FakeOllama;
  let proxy: ModelProxy;
  let client: RawLspClient;

  beforeAll(async () => {
    world = await startModelWorld("proxy");
    ({ ws, fake, client } = world);
    proxy = world.proxy!;
  });

  afterAll(() => world?.close());

  afterEach(() => {
    proxy.mode = "forward";
    fake.onChat(() => ({ text: "The fake has nothing scripted for this request." }));
  });

  it.each(faults)(
    "$name",
    async ({ stage, reply, proxyMode, message, notCode }) => {
      const before = await ws.snapshot();
      const firstRequest = fake.requests.length;
      // Persistent: a retry meets the same fault. Only the faulty stage is broken.
      breakStage(fake, stage, reply);
      if (proxyMode) proxy.mode = proxyMode;

      const taskId = await startTaskAt(client, stage, { uri: ws.uri(FILE) });
      const ended = await client.waitForTaskState(taskId, ["failed"], FAIL_WITHIN_MS);
      expectActionable(ended, message);
      if (notCode) expect(ended.error!.code).not.toBe(notCode);

      const caseRequests = fake.requests.slice(firstRequest).filter(isModelRequest);
      const atStage = caseRequests.filter((r) => (stage === "plan" ? isPlanRequest(r) : !isPlanRequest(r)));
      expect(atStage.length).toBeGreaterThanOrEqual(1);
      expect(atStage.length).toBeLessThanOrEqual(MAX_ATTEMPTS);
      // Nothing is left streaming at the runtime: every request was finished or aborted.
      for (const request of caseRequests) await fake.waitFor((r) => r === request && r.finished, 5_000);

      expect(await ws.snapshot()).toEqual(before);
      const status = await client.executeCommand<TaskUpdate>("burrow.task.status", { taskId });
      expect(status.state).toBe("failed");

      proxy.mode = "forward";
      fake.onChat(() => ({ text: "The fake has nothing scripted for this request." }));
      await completeTask(client, fake, ws);
      expect(client.stdoutViolations).toEqual([]);
    },
    90_000,
  );

  it("a stream cut once is retried or reported, and the task can go on", async () => {
    const firstRequest = fake.requests.length;
    fake.enqueueChat({ chunks: planChunks(), cutAfterChunks: 2 });
    fake.onChat((body) => (body.format !== undefined ? { json: goodPlan } : { text: goodEdits }));
    const { taskId } = await client.executeCommand<{ taskId: string }>("burrow.task", { prompt: "Make the greeting friendlier." });
    const update = await client.waitForTaskState(taskId, ["awaitingPlanApproval", "failed"], FAIL_WITHIN_MS);
    if (update.state === "failed") {
      expectActionable(update, /stopped|cut|closed|interrupted|ended|connection/i);
      // A failed task can be retried, and the retry meets a healthy runtime.
      const since = client.received.length;
      await client.executeCommand("burrow.task.retry", { taskId });
      await client.waitForTaskState(taskId, ["awaitingPlanApproval"], FAIL_WITHIN_MS, since);
    } else {
      expect(fake.requests.slice(firstRequest).filter(isPlanRequest).length).toBe(2);
    }
    const beforeReject = client.received.length;
    await client.executeCommand("burrow.plan.reject", { taskId });
    await client.waitForTaskState(taskId, ["rejected"], 20_000, beforeReject);
  });

  it("a slow first token inside the allowed time is waited for, not failed", async () => {
    fake.onChat((body) => (body.format !== undefined ? { json: goodPlan, delayMs: 300 } : { text: goodEdits, delayMs: 300 }));
    const { taskId } = await client.executeCommand<{ taskId: string }>("burrow.task", { prompt: "Make the greeting friendlier." });
    await client.waitForTaskState(taskId, ["awaitingPlanApproval"], FAIL_WITHIN_MS);
    const since = client.received.length;
    await client.executeCommand("burrow.plan.reject", { taskId });
    await client.waitForTaskState(taskId, ["rejected"], 20_000, since);
  });

  it("the model is not installed: the message names `ollama pull`, and installing it is enough", async () => {
    const before = await ws.snapshot();
    fake.removeModel(MODEL);
    try {
      const { taskId } = await client.executeCommand<{ taskId: string }>("burrow.task", { prompt: "Make the greeting friendlier." });
      const ended = await client.waitForTaskState(taskId, ["failed"], FAIL_WITHIN_MS);
      expectActionable(ended, /ollama pull qwen2\.5-coder:1\.5b/);
      expect(await ws.snapshot()).toEqual(before);
    } finally {
      fake.addModel(MODEL);
    }
    await completeTask(client, fake, ws);
  });
});

describe("a runtime that is not running", () => {
  let world: ModelWorld | undefined;
  let ws: TempWorkspace;
  let fake: FakeOllama;
  let proxy: ModelProxy;
  let client: RawLspClient;

  beforeAll(async () => {
    world = await startModelWorld("refusing proxy");
    ({ ws, fake, client } = world);
    proxy = world.proxy!;
  });

  afterAll(() => world?.close());

  it("connection refused fails the task at once with how to start Ollama; starting it is enough", async () => {
    const before = await ws.snapshot();
    const started = Date.now();
    const { taskId } = await client.executeCommand<{ taskId: string }>("burrow.task", { prompt: "Make the greeting friendlier." });
    const ended = await client.waitForTaskState(taskId, ["failed"], FAIL_WITHIN_MS);
    expectActionable(ended, /ollama/i);
    expect(ended.error!.message).toMatch(new RegExp(`127\\.0\\.0\\.1:${proxy.port}|not running|ollama serve|start`, "i"));
    // Refused is immediate: no timeout should be involved in saying so.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await ws.snapshot()).toEqual(before);
    expect(client.alive).toBe(true);

    await proxy.accept();
    await completeTask(client, fake, ws);
  });
});

describe("cancellation reaches the runtime", () => {
  let world: ModelWorld | undefined;
  let ws: TempWorkspace;
  let fake: FakeOllama;
  let client: RawLspClient;

  beforeAll(async () => {
    // Straight to the fake with the default timeouts: only the cancel can end these requests.
    world = await startModelWorld("direct");
    ({ ws, fake, client } = world);
  });

  afterAll(() => world?.close());

  it.each([
    { name: "a plan request that never answers", stage: "plan" as const, reply: { hang: true } },
    { name: "an edit stream that stalls", stage: "edits" as const, reply: { chunks: editChunks(), stallAfterChunks: 3 } },
  ])("cancelling $name aborts the HTTP request and ends the task cancelled", async ({ stage, reply }) => {
    const before = await ws.snapshot();
    breakStage(fake, stage, reply);
    const taskId = await startTaskAt(client, stage);
    const hanging = await fake.waitFor((r) => isModelRequest(r) && (stage === "plan") === isPlanRequest(r) && !r.finished, 20_000);
    // A stuck model holds up nothing else: the editor's requests are answered meanwhile.
    const actions = await client.request(
      "textDocument/codeAction",
      { textDocument: { uri: ws.uri(FILE) }, range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, context: { diagnostics: [] } },
      2_000,
    );
    expect(actions === null || Array.isArray(actions)).toBe(true);
    expect((await client.executeCommand<TaskUpdate>("burrow.task.status", { taskId }, 2_000)).state).toBe(stage === "plan" ? "planning" : "editing");
    await client.executeCommand("burrow.task.cancel", { taskId });
    await client.waitForTaskState(taskId, ["cancelled"], 10_000);
    const aborted = await fake.waitFor((r) => r === hanging && r.finished, 5_000);
    expect(aborted.aborted).toBe(true);
    expect(await ws.snapshot()).toEqual(before);
    await completeTask(client, fake, ws);
  });
});
