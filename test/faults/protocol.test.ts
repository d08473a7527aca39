/**
 * Protocol faults against the real server process over raw pipes: whatever a broken or hostile
 * client writes, Burrow must answer with the JSON-RPC error the specification names, or, where the
 * bytes cannot be answered at all (broken framing), survive them and keep serving. An editor's
 * session must never lose its language server because of one bad message.
 *
 * After the table-driven cases, a fuzz test writes a few thousand generated malformed messages
 * (fast-check with a fixed seed, so a failure reproduces) and then runs a whole task through both
 * gates against the fake Ollama, proving nothing inside the server was left broken.
 */
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama } from "../fakes/fake-ollama.js";
import { initializeParams, RawLspClient, startInitialized, type JsonRpcMessage } from "./support/raw-lsp.js";
import { burrowEnv, completeTask, makeWorkspace, MODEL, smallProject, type TempWorkspace } from "./support/workspace.js";

// JSON-RPC 2.0 and LSP error codes.
const ParseError = -32700;
const InvalidRequest = -32600;
const MethodNotFound = -32601;
const InvalidParams = -32602;
const InternalError = -32603;
const ServerNotInitialized = -32002;

/**
 * Bytes that clear whatever a broken message left in the server's reader: a header block always
 * ends at the next blank line, so a stray fragment is read as one bad header and discarded.
 */
const RESYNC = "\r\n\r\n";

let ws: TempWorkspace;
let fake: FakeOllama;

beforeAll(async () => {
  ws = await makeWorkspace(smallProject);
  fake = await startFakeOllama({ models: [MODEL] });
});

afterAll(async () => {
  await fake?.close();
  await ws?.remove();
});

/** Proof of life: a request the server must answer with a result, even right after broken bytes. */
async function expectServing(client: RawLspClient): Promise<void> {
  const status = await client.requestAfterFault("workspace/executeCommand", { command: "burrow.task.status", arguments: [{}] });
  expect(status).toHaveProperty("tasks");
  expect(client.alive).toBe(true);
}

/** The response to a request written by hand, found by its id. */
function responseTo(client: RawLspClient, id: number | string): Promise<JsonRpcMessage> {
  return client.waitFor((m) => m.id === id && m.method === undefined, 10_000, `the response to request ${String(id)}`);
}

describe("requests that must be answered with an error", () => {
  let client: RawLspClient;

  beforeAll(async () => {
    ({ client } = await startInitialized({ root: ws.root }, burrowEnv(fake, ws)));
  });

  afterAll(async () => {
    await client?.close();
  });

  afterEach(() => {
    expect(client.stdoutViolations).toEqual([]);
  });

  const commandArgs = (command: string, args: unknown) => ({ command, arguments: args });

  const cases: { name: string; method: string; params: unknown; codes: number[] }[] = [
    { name: "an unknown request method", method: "burrow/noSuchMethod", params: {}, codes: [MethodNotFound] },
    { name: "an unknown LSP request", method: "textDocument/noSuchFeature", params: { textDocument: { uri: "file:///x" } }, codes: [MethodNotFound] },
    { name: "an unknown command", method: "workspace/executeCommand", params: commandArgs("burrow.noSuchCommand", [{}]), codes: [InvalidParams, MethodNotFound] },
    { name: "burrow.task with a numeric prompt", method: "workspace/executeCommand", params: commandArgs("burrow.task", [{ prompt: 42 }]), codes: [InvalidParams] },
    { name: "burrow.task without its argument", method: "workspace/executeCommand", params: commandArgs("burrow.task", []), codes: [InvalidParams] },
    { name: "burrow.task with a string argument", method: "workspace/executeCommand", params: commandArgs("burrow.task", ["add tests"]), codes: [InvalidParams] },
    { name: "burrow.task with an empty prompt", method: "workspace/executeCommand", params: commandArgs("burrow.task", [{ prompt: "" }]), codes: [InvalidParams] },
    { name: "burrow.task with arguments that are not a list", method: "workspace/executeCommand", params: commandArgs("burrow.task", { prompt: "x" }), codes: [InvalidParams] },
    { name: "burrow.task with a range of strings", method: "workspace/executeCommand", params: commandArgs("burrow.task", [{ prompt: "x", range: "1-3" }]), codes: [InvalidParams] },
    { name: "burrow.plan.approve with a numeric taskId", method: "workspace/executeCommand", params: commandArgs("burrow.plan.approve", [{ taskId: 7 }]), codes: [InvalidParams] },
    { name: "burrow.plan.revise without feedback", method: "workspace/executeCommand", params: commandArgs("burrow.plan.revise", [{ taskId: "t" }]), codes: [InvalidParams] },
    { name: "burrow.changes.apply with hunks that are not strings", method: "workspace/executeCommand", params: commandArgs("burrow.changes.apply", [{ taskId: "t", hunks: [1, 2] }]), codes: [InvalidParams] },
    { name: "burrow.chat with a prompt object", method: "workspace/executeCommand", params: commandArgs("burrow.chat", [{ prompt: { text: "hi" } }]), codes: [InvalidParams] },
    { name: "executeCommand without a command", method: "workspace/executeCommand", params: { arguments: [] }, codes: [InvalidParams] },
    { name: "codeAction with a string for params", method: "textDocument/codeAction", params: "file:///x.ts", codes: [InvalidParams, InternalError] },
    { name: "codeAction without a range", method: "textDocument/codeAction", params: { textDocument: { uri: "file:///x.ts" }, context: { diagnostics: [] } }, codes: [InvalidParams, InternalError] },
  ];

  it.each(cases)("$name → JSON-RPC error", async ({ method, params, codes }) => {
    const response = await client.requestRaw(method, params, 10_000);
    expect(response.result).toBeUndefined();
    expect(response.error, `expected an error for ${method}`).toBeDefined();
    expect(codes).toContain(response.error!.code);
    // The message is for a person reading a log: a sentence, not a stack trace.
    expect(response.error!.message.length).toBeGreaterThan(10);
    expect(response.error!.message).not.toMatch(/\n\s+at /);
    await expectServing(client);
  });

  it("a decision on a task that does not exist is an error naming the task", async () => {
    const response = await client.requestRaw("workspace/executeCommand", commandArgs("burrow.plan.approve", [{ taskId: "no-such-task" }]));
    expect(response.error).toBeDefined();
    expect(response.error!.code).not.toBe(InternalError);
    expect(response.error!.message).toContain("no-such-task");
    await expectServing(client);
  });

  it("a codeAction on a document that was never opened answers normally", async () => {
    const result = await client.request("textDocument/codeAction", {
      textDocument: { uri: ws.uri("src/never-opened.ts") },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    });
    expect(result === null || Array.isArray(result)).toBe(true);
  });

  it("unknown notifications and $/ notifications are ignored without an answer", async () => {
    const before = client.received.length;
    await client.notify("burrow/noSuchNotification", { x: 1 });
    await client.notify("$/noSuchThing", {});
    await client.notify("textDocument/didOpen", { textDocument: { uri: 42, text: null } });
    await client.notify("textDocument/didChange", { textDocument: { uri: ws.uri("src/not-open.ts"), version: 2 }, contentChanges: [{ text: "x" }] });
    await expectServing(client);
    const answers = client.received.slice(before).filter((m) => m.method === undefined && m.id === null);
    expect(answers).toEqual([]);
  });

  it("changes that do not fit the open document are survived, and the document is still served", async () => {
    const uri = ws.uri("src/math.ts");
    const text = await ws.read("src/math.ts");
    await client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version: 5, text } });
    const outside = { start: { line: 9_999, character: 0 }, end: { line: 10_000, character: 4 } };
    const backwards = { start: { line: 2, character: 5 }, end: { line: 0, character: 0 } };
    for (const [version, contentChanges] of [
      [6, [{ range: outside, text: "x" }]],
      [7, [{ range: backwards, text: "y" }]],
      [3, [{ text: "an older version arriving late" }]],
      [8, [{ range: { start: { line: -1, character: -1 }, end: { line: 0, character: 0 } }, text: "z" }]],
      [9, "not a list"],
    ] as const) {
      await client.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges });
    }
    const actions = await client.request("textDocument/codeAction", {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } },
      context: { diagnostics: [] },
    });
    expect(actions === null || Array.isArray(actions)).toBe(true);
    await client.notify("textDocument/didClose", { textDocument: { uri } });
    await expectServing(client);
  });

  it("$/cancelRequest for an unknown id is harmless", async () => {
    await client.notify("$/cancelRequest", { id: 123_456 });
    await expectServing(client);
  });

  it("a 12 MB request to an unknown method is answered MethodNotFound", async () => {
    const response = await client.requestRaw("burrow/noSuchMethod", { blob: "x".repeat(12 * 2 ** 20) }, 30_000);
    expect(response.error?.code).toBe(MethodNotFound);
    await expectServing(client);
  });

  it("a 30 MB document is opened, served and closed", async () => {
    const uri = ws.uri("src/huge.ts");
    const line = "export const value = 'a fairly ordinary line of generated source code';\n";
    const text = line.repeat(Math.ceil((30 * 2 ** 20) / line.length));
    await client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version: 1, text } });
    const actions = await client.request("textDocument/codeAction", {
      textDocument: { uri },
      range: { start: { line: 10, character: 0 }, end: { line: 12, character: 0 } },
      context: { diagnostics: [] },
    }, 30_000);
    expect(actions === null || Array.isArray(actions)).toBe(true);
    await client.notify("textDocument/didClose", { textDocument: { uri } });
    await expectServing(client);
  });

  it("a 4 MB prompt is refused or accepted, never fatal", async () => {
    const response = await client.requestRaw("workspace/executeCommand", commandArgs("burrow.task", [{ prompt: "y".repeat(4 * 2 ** 20) }]), 30_000);
    if (response.error) {
      expect(response.error.code).toBe(InvalidParams);
    } else {
      const taskId = response.result.taskId as string;
      await client.executeCommand("burrow.task.cancel", { taskId });
      await client.waitForTaskState(taskId, ["cancelled", "failed"], 20_000).catch(() => undefined);
    }
    await expectServing(client);
  });
});

describe("broken framing and unreadable bodies: the server survives and keeps serving", () => {
  let client: RawLspClient | undefined;
  /** False while a case runs and after one fails: the next case then gets a fresh server. */
  let healthy = false;

  beforeEach(async () => {
    if (!client || !healthy) {
      await client?.kill();
      ({ client } = await startInitialized({ root: ws.root }, burrowEnv(fake, ws)));
    }
    // Each case sets this back to true as its last step; a case that fails leaves it false.
    healthy = false;
  });

  afterAll(async () => {
    await client?.close();
  });

  const current = (): RawLspClient => {
    if (!client) throw new Error("The server did not start.");
    return client;
  };

  const frame = (body: string | Buffer) => {
    const bytes = typeof body === "string" ? Buffer.from(body) : body;
    return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`), bytes]);
  };

  /**
   * Each case's bytes, and the error the server may send for them. vscode-jsonrpc answers nothing
   * for unreadable messages, which is allowed for framing; if anything is sent, it must be right.
   */
  const cases: { name: string; bytes: Buffer; allowedError?: { code: number; id: null | number | string } }[] = [
    { name: "a header without Content-Length", bytes: Buffer.from("Content-Type: application/vscode-jsonrpc\r\n\r\n") },
    { name: "a Content-Length that is not a number", bytes: Buffer.from("Content-Length: twelve\r\n\r\n") },
    { name: "a header line without a colon", bytes: Buffer.from("this is not a header\r\n\r\n") },
    { name: "a negative Content-Length", bytes: Buffer.from("Content-Length: -5\r\n\r\n") },
    { name: "a header block of random text", bytes: Buffer.from("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n") },
    { name: "an unsupported charset", bytes: Buffer.concat([Buffer.from("Content-Type: application/vscode-jsonrpc; charset=latin1\r\n"), frame('{"jsonrpc":"2.0","method":"$/x"}')]) },
    { name: "a body shorter than its Content-Length, padded", bytes: Buffer.concat([Buffer.from("Content-Length: 40\r\n\r\n{}"), Buffer.alloc(38, 0x20)]) },
    { name: "a body longer than its Content-Length", bytes: Buffer.from('Content-Length: 5\r\n\r\n{"jsonrpc":"2.0","id":"long","method":"burrow/x"}') },
    { name: "truncated JSON", bytes: frame('{"jsonrpc":"2.0","id":"trunc","method":'), allowedError: { code: ParseError, id: null } },
    { name: "not JSON at all", bytes: frame("hello, server"), allowedError: { code: ParseError, id: null } },
    { name: "invalid UTF-8", bytes: frame(Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d])), allowedError: { code: ParseError, id: null } },
    { name: "a JSON array (batches are not LSP)", bytes: frame('[{"jsonrpc":"2.0","id":"batch","method":"burrow/x"}]'), allowedError: { code: InvalidRequest, id: null } },
    { name: "a JSON string", bytes: frame('"just a string"'), allowedError: { code: InvalidRequest, id: null } },
    { name: "JSON null", bytes: frame("null"), allowedError: { code: InvalidRequest, id: null } },
    { name: "an object without method or result", bytes: frame('{"jsonrpc":"2.0","id":"nomethod"}'), allowedError: { code: InvalidRequest, id: "nomethod" } },
    { name: "a method that is a number", bytes: frame('{"jsonrpc":"2.0","id":"num","method":42}'), allowedError: { code: InvalidRequest, id: "num" } },
    { name: "an id that is an object", bytes: frame('{"jsonrpc":"2.0","id":{"a":1},"method":"burrow.task.status"}'), allowedError: { code: InvalidRequest, id: null } },
    { name: "a response to a request the server never sent", bytes: frame('{"jsonrpc":"2.0","id":987654,"result":{"applied":true}}') },
    { name: "deeply nested JSON", bytes: frame(`{"jsonrpc":"2.0","method":"$/x","params":${"[".repeat(20_000)}${"]".repeat(20_000)}}`) },
  ];

  it.each(cases)("$name", async ({ bytes, allowedError }) => {
    const client = current();
    const before = client.received.length;
    await client.writeRaw(bytes);
    await client.writeRaw(RESYNC);
    await expectServing(client);
    // Anything the server said about the bad bytes must be the right error, and nothing else.
    const said = client.received
      .slice(before)
      .filter((m) => m.method === undefined && (m.id === null || typeof m.id === "string"));
    for (const message of said) {
      expect(allowedError, `unexpected message ${JSON.stringify(message)}`).toBeDefined();
      expect(message.error?.code).toBe(allowedError!.code);
      expect(message.id).toEqual(allowedError!.id);
    }
    expect(client.stdoutViolations).toEqual([]);
    healthy = true;
  });

  it("a message split into single bytes is read whole", async () => {
    const client = current();
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: "bytewise", method: "workspace/executeCommand", params: { command: "burrow.task.status", arguments: [{}] } }));
    const bytes = frame(body);
    for (const byte of bytes) await client.writeRaw(Buffer.from([byte]));
    const response = await responseTo(client, "bytewise");
    expect(response.result).toHaveProperty("tasks");
    healthy = true;
  });

  it("many messages in one write are all answered, in any order", async () => {
    const client = current();
    const ids = Array.from({ length: 200 }, (_, i) => `batch-${i}`);
    await client.writeRaw(
      Buffer.concat(ids.map((id) => frame(JSON.stringify({ jsonrpc: "2.0", id, method: "workspace/executeCommand", params: { command: "burrow.task.status", arguments: [{}] } })))),
    );
    for (const id of ids) expect((await responseTo(client, id)).result).toHaveProperty("tasks");
    healthy = true;
  });
});

describe("lifecycle", () => {
  it("a request before initialize is answered ServerNotInitialized, and initialize still works after", async () => {
    const client = RawLspClient.spawn({ env: burrowEnv(fake, ws), cwd: ws.root });
    try {
      const early = await client.requestRaw("workspace/executeCommand", { command: "burrow.task.status", arguments: [{}] });
      expect(early.error?.code).toBe(ServerNotInitialized);
      const init = await client.request("initialize", initializeParams({ root: ws.root }));
      expect(init.capabilities.executeCommandProvider.commands).toContain("burrow.task");
    } finally {
      await client.close();
    }
  });

  it("requests after shutdown are InvalidRequest; notifications are dropped; exit ends the process with 0", async () => {
    const { client } = await startInitialized({ root: ws.root }, burrowEnv(fake, ws));
    try {
      const shutdown = await client.requestRaw("shutdown");
      expect(shutdown.error).toBeUndefined();
      expect(shutdown.result).toBeNull();
      for (const [method, params] of [
        ["workspace/executeCommand", { command: "burrow.task.status", arguments: [{}] }],
        ["workspace/executeCommand", { command: "burrow.task", arguments: [{ prompt: "too late" }] }],
        ["textDocument/codeAction", { textDocument: { uri: ws.uri("src/math.ts") }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } }],
      ] as const) {
        const response = await client.requestRaw(method, params);
        expect(response.error?.code, `${method} after shutdown`).toBe(InvalidRequest);
      }
      await client.notify("textDocument/didOpen", { textDocument: { uri: ws.uri("src/math.ts"), languageId: "typescript", version: 1, text: "" } });
      await client.notify("exit");
      const exit = await client.kill(5_000);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(fake.chatRequests().some((body) => JSON.stringify(body).includes("too late"))).toBe(false);
      expect(client.stdoutViolations).toEqual([]);
    } finally {
      await client.kill();
    }
  });

  it("exit without shutdown ends the process with 1", async () => {
    const { client } = await startInitialized({ root: ws.root }, burrowEnv(fake, ws));
    await client.notify("exit");
    expect(await client.kill(5_000)).toEqual({ code: 1, signal: null });
  });

  it("closing stdin ends the process (no orphan server)", async () => {
    const { client } = await startInitialized({ root: ws.root }, burrowEnv(fake, ws));
    client.child.stdin.end();
    const exit = await client.kill(5_000);
    expect(exit.signal).toBeNull();
  });
});

// ------------------------------------------------------------------------------------------------
// Fuzz

/** Methods a fuzzed message may name: everything a client sends except the ones that end the session. */
const fuzzMethods = [
  "textDocument/codeAction",
  "textDocument/didOpen",
  "textDocument/didChange",
  "textDocument/didClose",
  "textDocument/didSave",
  "workspace/executeCommand",
  "workspace/didChangeWatchedFiles",
  "$/cancelRequest",
  "$/setTrace",
  "burrow/whatever",
  "initialized",
];
const fuzzCommands = [
  "burrow.task.status",
  "burrow.task.cancel",
  "burrow.task.retry",
  "burrow.plan.approve",
  "burrow.plan.revise",
  "burrow.plan.reject",
  "burrow.changes.apply",
  "burrow.changes.reject",
  "burrow.egress",
  "burrow.nonsense",
];

// Fuzz ids never collide with the test client's own numeric ids (1, 2, 3, …).
const fuzzId = fc.oneof(
  fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }),
  fc.string({ maxLength: 8 }).map((s) => `fuzz-${s}`),
  fc.constant(null),
  fc.boolean(),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);

const jsonRpcShaped = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant("2.0"), fc.constant("1.0"), fc.integer()),
    id: fuzzId,
    method: fc.oneof(fc.constantFrom(...fuzzMethods), fc.string({ maxLength: 20 }), fc.integer()),
    params: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ command: fc.constantFrom(...fuzzCommands), arguments: fc.oneof(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 2 }), fc.jsonValue({ maxDepth: 1 })) }),
      fc.record({ textDocument: fc.record({ uri: fc.oneof(fc.webUrl(), fc.string()), version: fc.integer() }, { requiredKeys: [] }), range: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }),
    ),
    result: fc.jsonValue({ maxDepth: 2 }),
    error: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);

// Bytes without carriage returns: garbage can never complete a header block by accident, so a
// resync (a blank line) always clears it and the test's own requests are never swallowed.
const noCr = (bytes: Uint8Array) => Buffer.from(bytes.filter((b) => b !== 0x0d));

const malformedMessage: fc.Arbitrary<Buffer> = fc.oneof(
  // Well-framed bodies that are not valid requests.
  jsonRpcShaped.map((m) => frameBody(Buffer.from(JSON.stringify(m)))),
  fc.jsonValue({ maxDepth: 3 }).map((v) => frameBody(Buffer.from(JSON.stringify(v) ?? "null"))),
  jsonRpcShaped.chain((m) => {
    const text = JSON.stringify(m);
    return fc.integer({ min: 0, max: Math.max(0, text.length - 1) }).map((cut) => frameBody(Buffer.from(text.slice(0, cut))));
  }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => frameBody(Buffer.from(bytes))),
  // Wrong lengths: too short leaves garbage behind; too long is padded so the reader completes.
  jsonRpcShaped.chain((m) => {
    const body = Buffer.from(JSON.stringify(m));
    return fc.integer({ min: 0, max: body.length }).map((n) => Buffer.concat([Buffer.from(`Content-Length: ${n}\r\n\r\n`), body]));
  }),
  fc.tuple(jsonRpcShaped, fc.integer({ min: 1, max: 64 })).map(([m, extra]) => {
    const body = Buffer.from(JSON.stringify(m));
    return Buffer.concat([Buffer.from(`Content-Length: ${body.length + extra}\r\n\r\n`), body, Buffer.alloc(extra, 0x20)]);
  }),
  // Broken headers, and garbage outside any frame.
  fc.constantFrom(
    "Content-Length: abc\r\n\r\n",
    "Content-Length: -1\r\n\r\n",
    "Content-Length: 1e3\r\n\r\n",
    "Content-Length: 0x10\r\n\r\n",
    "Content-Length:\r\n\r\n",
    "content-type: text/plain\r\n\r\n",
    "no colon here\r\n\r\n",
    "\r\n\r\n",
    "Content-Length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}",
  ).map((s) => Buffer.from(s)),
  fc.uint8Array({ minLength: 1, maxLength: 120 }).map(noCr),
  fc.string({ maxLength: 60 }).map((s) => Buffer.from(`${s.replace(/\r/g, "")}: ${s.length}\r\n\r\n`)),
);

function frameBody(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
}

describe("fuzz", () => {
  const FUZZ_MESSAGES = 3_000;
  const BATCH = 250;

  it(
    `${FUZZ_MESSAGES} malformed messages, then a whole task still completes`,
    async () => {
      const messages = fc.sample(malformedMessage, { seed: 20261127, numRuns: FUZZ_MESSAGES });
      const { client } = await startInitialized({ root: ws.root }, burrowEnv(fake, ws));
      try {
        const started = Date.now();
        for (let i = 0; i < messages.length; i += BATCH) {
          await client.writeRaw(Buffer.concat(messages.slice(i, i + BATCH)));
          await client.writeRaw(RESYNC);
          // After every batch the server must still answer, so a failure points at a small window.
          try {
            await expectServing(client);
          } catch (err) {
            throw new Error(`The server stopped serving after fuzz messages ${i}–${i + BATCH - 1} (seed 20261127): ${String(err)}`);
          }
          // Bounded time: the whole fuzz run must fit comfortably in the test's timeout.
          expect(Date.now() - started).toBeLessThan(90_000);
        }
        expect(client.stdoutViolations).toEqual([]);
        await completeTask(client, fake, ws);
        expect(client.alive).toBe(true);
      } finally {
        await client.close();
      }
    },
    180_000,
  );
});
