/**
 * Editor safety against the real server process: the user's own edits always win over Burrow's.
 *
 * A file the user changes between the proposal and the apply (typing in an open buffer, or another
 * program writing the file) is a conflict: nothing of it is overwritten, the task says which file
 * and what to do, and a retry proposes against the new text. A buffer with unsaved changes is what
 * Burrow reads and edits, not the older file on disk, and the edit it sends is pinned to the
 * buffer's version. An editor that claims to have applied an edit it did not apply is caught.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama, type FakeOllama, type RecordedRequest } from "../fakes/fake-ollama.js";
import { EditorEmulator } from "./support/editor.js";
import { startInitialized, type RawLspClient, type TaskUpdate } from "./support/raw-lsp.js";
import { burrowEnv, makeWorkspace, MODEL, planFor, smallProject, wholeFileAnswer, type TempWorkspace } from "./support/workspace.js";

const FILE = "src/greet.ts";
const ADDED = `export const farewell = (name: string): string => "Goodbye, " + name;\n`;

function isEditRequest(r: RecordedRequest): boolean {
  return r.path === "/api/chat" && Array.isArray(r.body?.messages) && r.body.messages.length > 0 && r.body.format === undefined;
}

function promptText(r: RecordedRequest): string {
  return (r.body.messages as { content: string }[]).map((m) => m.content).join("\n");
}

/** Counts of added and removed lines in a unified diff (headers excluded). */
function diffLineCounts(diff: string): { added: number; removed: number } {
  const lines = diff.split("\n");
  return {
    added: lines.filter((l) => l.startsWith("+") && !l.startsWith("+++")).length,
    removed: lines.filter((l) => l.startsWith("-") && !l.startsWith("---")).length,
  };
}

let ws: TempWorkspace;
let fake: FakeOllama;
let client: RawLspClient | undefined;

beforeAll(async () => {
  fake = await startFakeOllama({ models: [MODEL] });
});

afterAll(async () => {
  await fake?.close();
});

beforeEach(async () => {
  ws = await makeWorkspace(smallProject);
});

afterEach(async () => {
  const violations = client?.stdoutViolations ?? [];
  await client?.close();
  client = undefined;
  await ws.remove();
  // Whatever happened, nothing but JSON-RPC reached the editor's end of stdout.
  expect(violations).toEqual([]);
});

/** Script the model: the plan names greet.ts, and the edits rewrite it as `text` plus one function. */
function modelAnswers(text: string): void {
  fake.onChat((body) =>
    body.format !== undefined ? { json: planFor(FILE, "Add a farewell.") } : { text: wholeFileAnswer(FILE, `${text}${ADDED}`) },
  );
}

async function start(applyEdit: boolean): Promise<{ client: RawLspClient; editor: EditorEmulator }> {
  const started = await startInitialized({ root: ws.root, applyEdit }, burrowEnv(fake, ws));
  client = started.client;
  return { client: started.client, editor: new EditorEmulator(started.client) };
}

async function proposeFor(c: RawLspClient, uri?: string): Promise<{ taskId: string; proposal: TaskUpdate }> {
  const { taskId } = await c.executeCommand<{ taskId: string }>("burrow.task", { prompt: "Add a farewell function.", ...(uri ? { uri } : {}) });
  await c.waitForTaskState(taskId, ["awaitingPlanApproval"]);
  await c.executeCommand("burrow.plan.approve", { taskId });
  const proposal = await c.waitForTaskState(taskId, ["awaitingChangesApproval"]);
  return { taskId, proposal };
}

/**
 * With an editor that applies edits, open the file as it is on disk and get a proposal for it: the
 * point where the tests of what the user or the editor does before the apply begin.
 */
async function proposeForOpenFile(): Promise<{ client: RawLspClient; editor: EditorEmulator; uri: string; disk: string; taskId: string }> {
  const { client: c, editor } = await start(true);
  const uri = ws.uri(FILE);
  const disk = await ws.read(FILE);
  await editor.open(uri, disk);
  modelAnswers(disk);
  const { taskId } = await proposeFor(c, uri);
  return { client: c, editor, uri, disk, taskId };
}

/** The task must report a conflict naming the file and the way out, and go no further. */
async function expectConflict(c: RawLspClient, taskId: string, file = FILE): Promise<TaskUpdate> {
  const message = await c.waitFor(
    (m) =>
      m.method === "burrow/taskUpdate" &&
      m.params?.taskId === taskId &&
      (m.params.error?.code === "conflict" || ["applied", "failed", "rejected", "cancelled"].includes(m.params.state)),
    20_000,
    `task ${taskId} to report a conflict`,
  );
  const update = message.params as TaskUpdate;
  expect(update.state).not.toBe("applied");
  expect(update.error?.code).toBe("conflict");
  expect(update.error?.message).toContain(file);
  expect(update.error?.message).toMatch(/retry/i);
  return update;
}

describe("a file changed between proposal and apply is not overwritten", () => {
  it("the user types in the open buffer: conflict, the buffer keeps the user's text, a retry proposes against it", async () => {
    const { client: c, editor, uri, disk, taskId } = await proposeForOpenFile();

    const typed = `// A note the user typed while reading the diff.\n${disk}`;
    await editor.type(uri, typed);
    await c.executeCommand("burrow.changes.apply", { taskId });
    await expectConflict(c, taskId);
    expect(editor.touchedUris()).not.toContain(uri);
    expect(editor.text(uri)).toBe(typed);
    expect(await ws.read(FILE)).toBe(disk);

    // The way out the message names: a new proposal against the text the user has now.
    const editRequests = fake.requests.filter(isEditRequest).length;
    modelAnswers(typed);
    const since = c.received.length;
    await c.executeCommand("burrow.task.retry", { taskId });
    await c.waitForTaskState(taskId, ["awaitingChangesApproval"], 20_000, since);
    const retried = fake.requests.filter(isEditRequest).slice(editRequests);
    expect(retried.length).toBeGreaterThanOrEqual(1);
    expect(promptText(retried.at(-1)!)).toContain("A note the user typed");
    await c.executeCommand("burrow.changes.apply", { taskId });
    await c.waitForTaskState(taskId, ["applied"], 20_000, since);
    expect(editor.text(uri)).toBe(`${typed}${ADDED}`);
  });

  it("the user closes the buffer without saving: the proposal was made from text that is gone, so it is a conflict", async () => {
    const { client: c, editor } = await start(true);
    const uri = ws.uri(FILE);
    const disk = await ws.read(FILE);
    const unsaved = disk.replace("Hello, ", "Hello again, ");
    await editor.open(uri, disk);
    await editor.type(uri, unsaved);
    modelAnswers(unsaved);
    const { taskId } = await proposeFor(c, uri);
    await editor.close(uri);
    await c.executeCommand("burrow.changes.apply", { taskId });
    await expectConflict(c, taskId);
    expect(editor.applyEdits).toEqual([]);
    expect(await ws.read(FILE)).toBe(disk);
  });

  it.each([
    { client: "without workspace.applyEdit (Burrow writes the disk)", applyEdit: false },
    { client: "with workspace.applyEdit", applyEdit: true },
  ])("another program rewrites the closed file, client $client: conflict, the new text stays", async ({ applyEdit }) => {
    const { client: c, editor } = await start(applyEdit);
    modelAnswers(await ws.read(FILE));
    const { taskId } = await proposeFor(c);
    const theirs = `export function greet(name: string): string {\n  return "Hi, " + name; // changed by a formatter\n}\n`;
    await ws.write(FILE, theirs);
    await c.executeCommand("burrow.changes.apply", { taskId });
    await expectConflict(c, taskId);
    expect(await ws.read(FILE)).toBe(theirs);
    expect(editor.applyEdits).toEqual([]);
  });

  it("a change to one file of two stops the whole apply: the other file is not written either", async () => {
    const { client: c } = await start(false);
    const mathBefore = await ws.read("src/math.ts");
    const greetBefore = await ws.read(FILE);
    fake.enqueueChat(
      {
        json: {
          summary: "Touch two files.",
          steps: [{ description: "Edit both." }],
          files: [
            { path: FILE, action: "modify", reason: "first" },
            { path: "src/math.ts", action: "modify", reason: "second" },
          ],
        },
      },
      { text: `${wholeFileAnswer(FILE, `${greetBefore}${ADDED}`)}\n${wholeFileAnswer("src/math.ts", `${mathBefore}export const two = add(1, 1);\n`)}` },
    );
    const { taskId, proposal } = await proposeFor(c);
    expect(new Set((proposal.changes ?? []).map((h) => h.path))).toEqual(new Set([FILE, "src/math.ts"]));
    const theirs = `${mathBefore}// edited elsewhere\n`;
    await ws.write("src/math.ts", theirs);
    await c.executeCommand("burrow.changes.apply", { taskId });
    await expectConflict(c, taskId, "src/math.ts");
    expect(await ws.read("src/math.ts")).toBe(theirs);
    expect(await ws.read(FILE)).toBe(greetBefore);
  });
});

describe("a buffer with unsaved changes is respected", () => {
  it("the proposal is computed from the buffer, and the applyEdit is pinned to its version", async () => {
    const { client: c, editor } = await start(true);
    const uri = ws.uri(FILE);
    const disk = await ws.read(FILE);
    const unsaved = `export function greet(name: string): string {\n  // unsaved: the user is mid-refactor\n  return \`Hello, \${name}\`;\n}\n`;
    await editor.open(uri, disk);
    await editor.type(uri, unsaved);
    await editor.type(uri, unsaved.replace("mid-refactor", "mid-refactor, still"));
    const buffer = editor.text(uri)!;
    const version = editor.version(uri)!;
    modelAnswers(buffer);

    const editRequests = fake.requests.filter(isEditRequest).length;
    const { taskId, proposal } = await proposeFor(c, uri);
    const asked = fake.requests.filter(isEditRequest).slice(editRequests);
    expect(asked.length).toBe(1);
    expect(promptText(asked[0]!)).toContain("mid-refactor, still");
    expect(promptText(asked[0]!)).not.toContain('return "Hello, " + name;');
    // Against the buffer, the model's answer adds one function and removes nothing.
    expect(diffLineCounts(proposal.diff ?? "")).toEqual({ added: ADDED.split("\n").length - 1, removed: 0 });

    await c.executeCommand("burrow.changes.apply", { taskId });
    await c.waitForTaskState(taskId, ["applied"]);
    expect(editor.applyEdits).toHaveLength(1);
    const edits = editor.applyEdits[0]!.edit.documentChanges ?? [];
    const forFile = edits.filter((e) => "textDocument" in e && e.textDocument.uri === uri);
    expect(forFile).toHaveLength(1);
    expect((forFile[0] as { textDocument: { version: number | null } }).textDocument.version).toBe(version);
    expect(editor.text(uri)).toBe(`${buffer}${ADDED}`);
    // Saving is the editor's job: the file on disk still holds what the user last saved.
    expect(await ws.read(FILE)).toBe(disk);
  });

  it("an editor that refuses the edit: the task says so, and Burrow writes nothing itself", async () => {
    const { client: c, editor, uri, disk, taskId } = await proposeForOpenFile();
    editor.behaviour = "refuse";
    await c.executeCommand("burrow.changes.apply", { taskId });
    const update = await c.waitForTaskState(taskId, ["failed"], 20_000).catch((err: unknown) => {
      throw new Error(`A refused applyEdit must fail the task: ${String(err)}`);
    });
    expect(update.error?.message).toMatch(/refused|declined/i);
    expect(editor.applyEdits).toHaveLength(1);
    expect(editor.text(uri)).toBe(disk);
    expect(await ws.read(FILE)).toBe(disk);
  });

  it("an editor that says it applied an edit it did not apply is reported, not trusted", async () => {
    const { client: c, editor, uri, disk, taskId } = await proposeForOpenFile();
    editor.behaviour = "claim-without-applying";
    await c.executeCommand("burrow.changes.apply", { taskId });
    const update = await c.waitFor(
      (m) =>
        m.method === "burrow/taskUpdate" &&
        m.params?.taskId === taskId &&
        (m.params.state === "failed" || (m.params.state === "applied" && (m.params.warnings ?? []).length > 0)),
      20_000,
      "the task to report the unconfirmed apply",
    );
    const reported = JSON.stringify(update.params.warnings ?? update.params.error);
    expect(reported).toContain(FILE);
    expect(editor.text(uri)).toBe(disk);
    expect(await ws.read(FILE)).toBe(disk);
  });
});
