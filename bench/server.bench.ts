/**
 * What Burrow costs the editor and the user, measured against a baseline in the same run:
 * (a) `textDocument/codeAction` latency on a 20,000-line document while a task streams tokens,
 *     against a minimal vscode-languageserver server answering the same requests;
 * (b) the server's own time from `burrow.task` to the first request the model receives, on a
 *     10,000-file workspace, with a fake model that answers at once (cold and warm);
 * (c) streaming pass-through: tokens per second delivered as `burrow/chatDelta` against tokens per
 *     second the fake served;
 * (d) resident memory idle and after tasks on the 10,000-file workspace;
 * (e) start-up to the `initialize` response against a bare `node -e` start.
 *
 * Every server is the built one started over pipes and driven with vscode-jsonrpc; the fake model is
 * a real HTTP server on 127.0.0.1. Loops are bounded and every wait has a timeout.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import { startFakeOllama, type FakeOllama, type FakeReply, type RecordedRequest } from "../test/fakes/fake-ollama.js";
import { withTimeout, type LspProcess } from "./support/lsp-process.js";
import { burrowCommand, minimalServerCommand, startServer, syncKind, type InitializeOptions } from "./support/servers.js";
import { median, percentile, ratio } from "./support/stats.js";
import { generateWorkspace, longDocument, type GeneratedWorkspace } from "./support/workspace.js";
import type { BenchRow } from "./types.js";

const BENCH = "server";
const MODEL = "qwen2.5-coder:1.5b";
const LONG_DOCUMENT_LINES = 20_000;
const LARGE_WORKSPACE_FILES = 10_000;
const CODE_ACTION_WARMUP = 50;
const CODE_ACTION_SAMPLES = 1_000;
const WARM_TASKS = 30;
const STREAM_TOKENS = 3_000;
const STARTUP_RUNS = 7;
const MB = 2 ** 20;

export async function run(): Promise<BenchRow[]> {
  const burrow = await burrowCommand();
  const minimal = await minimalServerCommand();
  const small = await generateWorkspace(50, "burrow-bench-small-");
  const state = await mkdtemp(path.join(os.tmpdir(), "burrow-bench-state-"));
  const rows: BenchRow[] = [];
  try {
    rows.push(...(await codeActionLatency(burrow, minimal, small, state)));
    rows.push(...(await streamingPassThrough(burrow, small, state)));
    rows.push(...(await startup(burrow, minimal, small)));
    const large = await generateWorkspace(LARGE_WORKSPACE_FILES, "burrow-bench-10k-");
    try {
      rows.push(...(await taskOverheadAndMemory(burrow, minimal, large, state)));
    } finally {
      await large.remove();
    }
  } finally {
    await small.remove();
    await rm(state, { recursive: true, force: true });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

function burrowEnv(fake: FakeOllama, state: string): Record<string, string> {
  return { OLLAMA_HOST: fake.url, XDG_STATE_HOME: state };
}

function isModelRequest(r: RecordedRequest): boolean {
  return r.path === "/api/chat" && Array.isArray(r.body?.messages) && r.body.messages.length > 0;
}

/**
 * Resolve with the first matching request and the moment (performance.now()) this process saw it.
 * Call before the action that causes the request, so the moment is taken when the request arrives.
 */
async function requestSeen(
  fake: FakeOllama,
  predicate: (r: RecordedRequest) => boolean,
  timeoutMs: number,
): Promise<{ request: RecordedRequest; at: number }> {
  let at = 0;
  const request = await fake.waitFor((r) => {
    if (!predicate(r)) return false;
    if (at === 0) at = performance.now();
    return true;
  }, timeoutMs);
  return { request, at };
}

const quickPlan = (file: string) => ({
  summary: "Add a short comment at the top of one module.",
  steps: [{ description: `Add a comment at the top of ${file}.` }],
  files: [{ path: file, action: "modify", reason: "It is the module the comment belongs to." }],
});

/** A fake whose plan answers are instant and whose edit answers rewrite the planned file whole. */
function answerTasksInstantly(fake: FakeOllama, root: string, file: string): void {
  fake.onChat(async (body): Promise<FakeReply> => {
    if (body.format !== undefined) return { json: quickPlan(file) };
    const current = await readFile(path.join(root, file), "utf8");
    return { text: `${file}\n\`\`\`ts\n// Reviewed by the benchmark.\n${current}\`\`\`\n` };
  });
}

async function startTask(server: LspProcess, argument: Record<string, unknown>): Promise<string> {
  const answer = await withTimeout(server.executeCommand<{ taskId: string }>("burrow.task", argument), 20_000, "burrow.task");
  if (typeof answer?.taskId !== "string") throw new Error(`burrow.task answered ${JSON.stringify(answer)} instead of {taskId}.`);
  return answer.taskId;
}

async function failIfFailed(server: LspProcess, taskId: string, states: string[]): Promise<void> {
  const update = await server.waitForTaskState(taskId, [...states, "failed"], 60_000);
  if (update.state === "failed") {
    throw new Error(`Task ${taskId} failed: ${update.error?.message ?? "no message"}. Server stderr:\n${server.stderr}`);
  }
}

/**
 * Ask each server for code actions on `uri`, one request at a time, alternating, for as long as
 * `going()` holds (at least once, at most two minutes): the latencies an editor would see meanwhile.
 */
async function codeActionsWhile(
  going: () => boolean,
  servers: { burrow: LspProcess; minimal: LspProcess },
  uri: string,
): Promise<{ burrow: number[]; minimal: number[] }> {
  const samples = { burrow: [] as number[], minimal: [] as number[] };
  const params = {
    textDocument: { uri },
    range: { start: { line: 2, character: 0 }, end: { line: 6, character: 0 } },
    context: { diagnostics: [], triggerKind: 1 },
  };
  const deadline = performance.now() + 120_000;
  // At least one round, so a task that reaches the model at once still yields a figure.
  do {
    for (const name of ["burrow", "minimal"] as const) {
      const started = performance.now();
      await withTimeout(servers[name].request("textDocument/codeAction", params), 30_000, `codeAction from ${name}`);
      samples[name].push(performance.now() - started);
    }
  } while (going() && performance.now() < deadline);
  return samples;
}

/** "GET /api/tags +3 ms, POST /api/chat +170 ms": what the server asked the runtime for, and when. */
function describeRequests(requests: RecordedRequest[], since: number): string {
  const shown = requests.slice(0, 8).map((r) => `${r.method} ${r.path} +${r.at - since} ms`);
  return shown.join(", ") || "none";
}

// ---------------------------------------------------------------------------------------------
// (a) codeAction latency while a task streams

/** One open document as a client tracks it, so full-sync servers can be sent the whole text. */
class TrackedDocument {
  private document: TextDocument;
  constructor(
    readonly uri: string,
    text: string,
    private readonly kind: number,
  ) {
    this.document = TextDocument.create(uri, "typescript", 1, text);
  }
  open(server: LspProcess): Promise<void> {
    return server.notify("textDocument/didOpen", {
      textDocument: { uri: this.uri, languageId: "typescript", version: this.document.version, text: this.document.getText() },
    });
  }
  /** Type one character at the start of a line, as a user would. */
  type(server: LspProcess, line: number): Promise<void> {
    const range = { start: { line, character: 0 }, end: { line, character: 0 } };
    const version = this.document.version + 1;
    this.document = TextDocument.update(this.document, [{ range, text: " " }], version);
    const contentChanges = this.kind === 2 ? [{ range, text: " " }] : [{ text: this.document.getText() }];
    return server.notify("textDocument/didChange", { textDocument: { uri: this.uri, version }, contentChanges });
  }
}

async function codeActionLatency(
  burrowCmd: string[],
  minimalCmd: string[],
  ws: GeneratedWorkspace,
  state: string,
): Promise<BenchRow[]> {
  const fake = await startFakeOllama({ models: [MODEL] });
  const docPath = path.join(ws.root, "src", "long-document.ts");
  const text = longDocument(LONG_DOCUMENT_LINES);
  await writeFile(docPath, text);
  const uri = pathToFileURL(docPath).href;
  const init: InitializeOptions = { root: ws.root };
  const burrow = await startServer(burrowCmd, init, burrowEnv(fake, state));
  const minimal = await startServer(minimalCmd, init);
  try {
    const subjects = [
      { name: "burrow", server: burrow.server, doc: new TrackedDocument(uri, text, syncKind(burrow.capabilities)), samples: [] as number[] },
      { name: "minimal", server: minimal.server, doc: new TrackedDocument(uri, text, syncKind(minimal.capabilities)), samples: [] as number[] },
    ];
    for (const s of subjects) await s.doc.open(s.server);

    // A plan long enough to keep streaming for the whole measurement; the task is cancelled after.
    const words = Array.from({ length: 60_000 }, (_, i) => ` word${i % 997}`);
    fake.enqueueChat({ chunks: ['{"summary":"', ...words, '","steps":[],"files":[]}'], chunkDelayMs: 1 });
    const streamStarted = requestSeen(fake, isModelRequest, 30_000);
    const taskId = await startTask(burrow.server, { prompt: "Explain what the handlers in this file do.", uri });
    const { request: stream } = await streamStarted;

    for (let i = 0; i < CODE_ACTION_WARMUP + CODE_ACTION_SAMPLES; i++) {
      const line = (i * 7919) % (LONG_DOCUMENT_LINES - 4);
      // Alternate which server goes first so neither always benefits from a just-woken event loop.
      const order = i % 2 === 0 ? subjects : [subjects[1]!, subjects[0]!];
      for (const s of order) {
        await s.doc.type(s.server, line);
        const params = {
          textDocument: { uri },
          range: { start: { line, character: 0 }, end: { line: line + 3, character: 0 } },
          context: { diagnostics: [], triggerKind: 1 },
        };
        const started = performance.now();
        await withTimeout(s.server.request("textDocument/codeAction", params), 10_000, `codeAction from ${s.name}`);
        const elapsed = performance.now() - started;
        if (i >= CODE_ACTION_WARMUP) s.samples.push(elapsed);
      }
    }
    const streamedThroughout = !stream.finished;
    await burrow.server.executeCommand("burrow.task.cancel", { taskId });
    await burrow.server.waitForTaskState(taskId, ["cancelled", "failed", "rejected"], 10_000);

    const [b, m] = subjects as [(typeof subjects)[0], (typeof subjects)[0]];
    const note = `${CODE_ACTION_SAMPLES} requests each after a one-character didChange (Burrow sync kind ${syncKind(burrow.capabilities)}, minimal ${syncKind(minimal.capabilities)}); ${
      streamedThroughout ? "the task's model stream was running throughout" : "WARNING: the model stream ended before the measurement did"
    }.`;
    const p50 = { burrow: median(b.samples), minimal: median(m.samples) };
    const p99 = { burrow: percentile(b.samples, 0.99), minimal: percentile(m.samples, 0.99) };
    return [
      {
        bench: BENCH,
        metric: "codeAction median, 20k-line doc, task streaming",
        value: p50.burrow,
        unit: "ms",
        baseline: "minimal server",
        baselineValue: p50.minimal,
        ratio: ratio(p50.burrow, p50.minimal),
        note,
      },
      {
        bench: BENCH,
        metric: "codeAction p99, 20k-line doc, task streaming",
        value: p99.burrow,
        unit: "ms",
        baseline: "minimal server",
        baselineValue: p99.minimal,
        ratio: ratio(p99.burrow, p99.minimal),
        target: "≤ 1.5×",
      },
    ];
  } finally {
    await burrow.server.stop();
    await minimal.server.stop();
    await fake.close();
  }
}

// ---------------------------------------------------------------------------------------------
// (c) streaming pass-through

async function streamingPassThrough(burrowCmd: string[], ws: GeneratedWorkspace, state: string): Promise<BenchRow[]> {
  const fake = await startFakeOllama({ models: [MODEL] });
  const { server } = await startServer(burrowCmd, { root: ws.root }, burrowEnv(fake, state));
  try {
    // Fixed-width tokens, so characters delivered convert exactly to tokens delivered.
    const tokens = Array.from({ length: STREAM_TOKENS }, (_, i) => ` t${String(i % 1000).padStart(3, "0")}`);
    const served = tokens.join("");
    const tokenWidth = tokens[0]!.length;
    fake.enqueueChat({ chunks: tokens, chunkDelayMs: 1 });

    let deliveredChars = 0;
    let lastDeltaAt = 0;
    let firstDeltaAt = 0;
    const stopCounting = server.onNotification((n) => {
      if (n.method !== "burrow/chatDelta") return;
      const delta = (n.params as { delta?: unknown }).delta;
      if (typeof delta !== "string") return;
      deliveredChars += delta.length;
      lastDeltaAt = n.at;
      if (firstDeltaAt === 0) firstDeltaAt = n.at;
    });
    const arrival = requestSeen(fake, isModelRequest, 30_000);
    const answer = withTimeout(
      server.executeCommand<{ sessionId: string; text: string }>("burrow.chat", { prompt: "Count slowly." }),
      120_000,
      "burrow.chat",
    );
    const { request, at: arrivedAt } = await arrival;
    const finished = await requestSeen(fake, (r) => r === request && r.finished, 120_000);
    const result = await answer;
    stopCounting();

    if (deliveredChars === 0) throw new Error("burrow.chat streamed no burrow/chatDelta notifications.");
    const servedSeconds = (finished.at - arrivedAt) / 1000;
    const deliveredSeconds = (lastDeltaAt - arrivedAt) / 1000;
    const servedRate = STREAM_TOKENS / servedSeconds;
    const deliveredRate = deliveredChars / tokenWidth / deliveredSeconds;
    const exact = result.text === served && deliveredChars === served.length;
    return [
      {
        bench: BENCH,
        metric: `chat pass-through, ${STREAM_TOKENS} tokens`,
        value: deliveredRate,
        unit: "tok/s",
        baseline: "served by the fake",
        baselineValue: servedRate,
        ratio: ratio(deliveredRate, servedRate),
        target: "> 0.95×",
        note: `Both rates are counted from the model request's arrival; ${
          exact ? "the delivered text equals the served text" : `WARNING: delivered ${deliveredChars} characters and an answer of ${result.text.length} for ${served.length} served`
        }.`,
      },
      {
        bench: BENCH,
        metric: "chat first delta after the model request",
        value: firstDeltaAt - arrivedAt,
        unit: "ms",
      },
    ];
  } finally {
    await server.stop();
    await fake.close();
  }
}

// ---------------------------------------------------------------------------------------------
// (e) start-up

function bareNodeStartMs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", () => resolve(performance.now() - started));
  });
}

async function startup(burrowCmd: string[], minimalCmd: string[], ws: GeneratedWorkspace): Promise<BenchRow[]> {
  const fake = await startFakeOllama({ models: [MODEL] });
  const state = await mkdtemp(path.join(os.tmpdir(), "burrow-bench-startup-"));
  const bare: number[] = [];
  const burrowTimes: number[] = [];
  const minimalTimes: number[] = [];
  try {
    for (let i = 0; i < STARTUP_RUNS; i++) {
      bare.push(await bareNodeStartMs());
      const b = await startServer(burrowCmd, { root: ws.root }, burrowEnv(fake, state));
      burrowTimes.push(b.startupMs);
      await b.server.stop();
      const m = await startServer(minimalCmd, { root: ws.root });
      minimalTimes.push(m.startupMs);
      await m.server.stop();
    }
  } finally {
    await fake.close();
    await rm(state, { recursive: true, force: true });
  }
  const bareMs = median(bare);
  return [
    {
      bench: BENCH,
      metric: "start-up to initialize response",
      value: median(burrowTimes),
      unit: "ms",
      baseline: "bare node -e start",
      baselineValue: bareMs,
      ratio: ratio(median(burrowTimes), bareMs),
      note: `Median of ${STARTUP_RUNS} starts each.`,
    },
    {
      bench: BENCH,
      metric: "start-up to initialize, minimal server",
      value: median(minimalTimes),
      unit: "ms",
      baseline: "bare node -e start",
      baselineValue: bareMs,
      ratio: ratio(median(minimalTimes), bareMs),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// (b) time to the first model request, and (d) memory, on the 10,000-file workspace

async function taskOverheadAndMemory(
  burrowCmd: string[],
  minimalCmd: string[],
  ws: GeneratedWorkspace,
  state: string,
): Promise<BenchRow[]> {
  const fake = await startFakeOllama({ models: [MODEL] });
  const target = ws.files[1]!;
  answerTasksInstantly(fake, ws.root, target);
  const minimal = await startServer(minimalCmd, { root: ws.root });
  const { server } = await startServer(burrowCmd, { root: ws.root }, burrowEnv(fake, state));
  try {
    // The floor any command pays: a round trip to a server that does nothing.
    const floor: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      await minimal.server.executeCommand("minimal.noop", {});
      floor.push(performance.now() - started);
    }
    const minimalIdle = await minimal.server.residentBytes();

    await server.executeCommand("burrow.task.status", {});
    const idle = await server.residentBytes();

    // Cold: the first task on a freshly started server, whatever indexing it needs included.
    // Both servers have one of the workspace's files open, so the editor keeps asking for code actions.
    const probeUri = pathToFileURL(path.join(ws.root, ws.files[0]!)).href;
    const probeText = await readFile(path.join(ws.root, ws.files[0]!), "utf8");
    for (const s of [server, minimal.server]) {
      await s.notify("textDocument/didOpen", { textDocument: { uri: probeUri, languageId: "typescript", version: 1, text: probeText } });
    }

    const prompt = `Add a comment at the top of ${target}.`;
    const firstSeen = requestSeen(fake, isModelRequest, 120_000);
    let coldPhase = true;
    firstSeen.then(
      () => (coldPhase = false),
      () => (coldPhase = false),
    );
    const coldRequestsFrom = fake.requests.length;
    const coldWallClock = Date.now();
    const coldStarted = performance.now();
    const coldTaskId = startTask(server, { prompt });
    // While the first task gathers its context (indexing the workspace), the editor keeps working.
    const probes = await codeActionsWhile(() => coldPhase, { burrow: server, minimal: minimal.server }, probeUri);
    const coldTask = await coldTaskId;
    const cold = (await firstSeen).at - coldStarted;
    const coldSequence = describeRequests(fake.requests.slice(coldRequestsFrom), coldWallClock);
    await failIfFailed(server, coldTask, ["awaitingPlanApproval"]);
    await server.executeCommand("burrow.plan.approve", { taskId: coldTask });
    await failIfFailed(server, coldTask, ["awaitingChangesApproval"]);
    await server.executeCommand("burrow.changes.apply", { taskId: coldTask });
    await failIfFailed(server, coldTask, ["applied"]);
    const afterTask = await server.residentBytes();

    // Warm: later tasks, each measured to its own first model request and then rejected at gate 1.
    const warm: number[] = [];
    const answerTimes: number[] = [];
    let warmSequence = "";
    for (let i = 0; i < WARM_TASKS; i++) {
      const seenBefore = fake.requests.length;
      const wallClock = Date.now();
      const seen = requestSeen(fake, (r) => isModelRequest(r) && fake.requests.indexOf(r) >= seenBefore, 30_000);
      const started = performance.now();
      const taskId = await startTask(server, { prompt });
      answerTimes.push(performance.now() - started);
      warm.push((await seen).at - started);
      if (i === WARM_TASKS - 1) warmSequence = describeRequests(fake.requests.slice(seenBefore), wallClock);
      await failIfFailed(server, taskId, ["awaitingPlanApproval"]);
      await server.executeCommand("burrow.plan.reject", { taskId });
      await server.waitForTaskState(taskId, ["rejected"], 10_000);
    }
    const afterTasks = await server.residentBytes();
    const floorMs = median(floor);
    return [
      {
        bench: BENCH,
        metric: "burrow.task → first model request, 10k files, warm",
        value: median(warm),
        unit: "ms",
        baseline: "no-op command round trip",
        baselineValue: floorMs,
        ratio: ratio(median(warm), floorMs),
        target: "< 50 ms",
        note: `Median of ${WARM_TASKS} tasks after one complete task; p90 ${percentile(warm, 0.9).toFixed(1)} ms, max ${Math.max(...warm).toFixed(1)} ms. The fake answers instantly. Requests the runtime saw in the last one: ${warmSequence}.`,
      },
      {
        bench: BENCH,
        metric: "burrow.task → first model request, 10k files, cold",
        value: cold,
        unit: "ms",
        baseline: "no-op command round trip",
        baselineValue: floorMs,
        ratio: ratio(cold, floorMs),
        note: `The first task after start-up, including whatever index the server builds on first use, with code actions being asked meanwhile. Requests the runtime saw: ${coldSequence}.`,
      },
      {
        bench: BENCH,
        metric: "codeAction p99 while the first task indexes 10k files",
        value: percentile(probes.burrow, 0.99),
        unit: "ms",
        baseline: "minimal server",
        baselineValue: percentile(probes.minimal, 0.99),
        ratio: ratio(percentile(probes.burrow, 0.99), percentile(probes.minimal, 0.99)),
        target: "≤ 1.5×",
        note: `${probes.burrow.length} requests each, back to back, from burrow.task until its first model request; medians ${median(probes.burrow).toFixed(2)} ms (Burrow) and ${median(probes.minimal).toFixed(2)} ms (minimal), max ${Math.max(...probes.burrow).toFixed(1)} ms (Burrow).`,
      },
      {
        bench: BENCH,
        metric: "burrow.task answer ({taskId})",
        value: median(answerTimes),
        unit: "ms",
        baseline: "no-op command round trip",
        baselineValue: floorMs,
        ratio: ratio(median(answerTimes), floorMs),
      },
      {
        bench: BENCH,
        metric: "resident memory idle, 10k-file workspace",
        value: idle / MB,
        unit: "MB",
        baseline: "minimal server idle",
        baselineValue: minimalIdle / MB,
        ratio: ratio(idle, minimalIdle),
        target: "< 80 MB",
      },
      {
        bench: BENCH,
        metric: "resident memory after a task, 10k files",
        value: afterTask / MB,
        unit: "MB",
        baseline: "minimal server idle",
        baselineValue: minimalIdle / MB,
        ratio: ratio(afterTask, minimalIdle),
        note: "One task planned, approved, edited and applied to disk.",
      },
      {
        bench: BENCH,
        metric: `resident memory after ${WARM_TASKS + 1} tasks, 10k files`,
        value: afterTasks / MB,
        unit: "MB",
        baseline: "minimal server idle",
        baselineValue: minimalIdle / MB,
        ratio: ratio(afterTasks, minimalIdle),
      },
    ];
  } finally {
    await server.stop();
    await minimal.server.stop();
    await fake.close();
  }
}
