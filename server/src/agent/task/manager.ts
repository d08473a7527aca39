/**
 * The task manager: starts tasks, drives each one through DESIGN.md's flow, holds the gates, and
 * answers every decision a client can send.
 *
 * Each task runs in its own async driver. The driver is the only code that changes a task's state,
 * and it does so through `move`, which checks the transition table in states.ts and publishes a
 * snapshot to every listener (the LSP layer turns those into `burrow/taskUpdate`). Files change in
 * two places only: `applyApproved`, which first moves the task to `applying` (a move the table
 * allows only from `awaitingChangesApproval`, and only a user's decision triggers), and `undo` of an
 * applied task. Everything before gate 2 works on text in memory.
 */
import { randomBytes } from "node:crypto";
import { refuse, type Outcome } from "../outcome.js";
import type { ContextEngine } from "../context/types.js";
import { applyHunks } from "../edit/index.js";
import { loadUndoSnapshot, planUndo, removeUndoSnapshot, saveUndoSnapshot } from "../edit/undo.js";
import { ModelError, type ConsentRequest, type ModelRouter } from "../model/types.js";
import type { Located, StateStore, Workspace } from "../sandbox/types.js";
import { pathToFileUri, skippedOf } from "../sandbox/index.js";
import type { Settings } from "../settings.js";
import { codeOfModelError, type CodedRefusal } from "../../protocol/errors.js";
import { promptTitle, TITLE_WIDTH } from "../../protocol/title.js";
import { currentText, readCurrentDocument, type CurrentDocument, type EditorHost, type FileToApply } from "./editor.js";
import { focusTerms, runEditRound, type EditableFile, type ReferenceFile } from "./edit-round.js";
import { describeDeclined, renderDiffDocument } from "./diff-document.js";
import { FileLocks } from "./file-locks.js";
import { planMessages, PLAN_JSON_SCHEMA, readPlan, renderPlan, type Plan } from "./plan.js";
import { canTransition, isTerminal, type TaskState } from "./states.js";
import {
  DECISIONS_FOR,
  snapshotOf,
  type Awaiting,
  type ChangeEntry,
  type Decision,
  type StartTaskRequest,
  type Task,
  type TaskSnapshot,
} from "./task.js";

export interface TaskManagerDeps {
  workspace: Workspace;
  state: StateStore;
  models: ModelRouter;
  context: ContextEngine;
  host: EditorHost;
  settings: () => Settings;
  log: (message: string) => void;
  /** Resolves once the model choice can be trusted (hardware detected); awaited off the request path. */
  ready?: () => Promise<void>;
  /**
   * A quick check that the chosen runtime answers and has the model, run while the repository is
   * read, so a stopped runtime fails the task in a moment rather than after indexing a large tree.
   */
  preflight?: (overrides: { provider?: string; model?: string }) => Promise<Outcome<object, CodedRefusal>>;
}

export interface TaskProgress {
  taskId: string;
  message: string;
}

/** Thrown inside a driver when the task was cancelled; never escapes the manager. */
class Cancelled extends Error {}

/** A failure the driver turns into the task's `error`. */
class TaskFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Gate {
  awaiting: Awaiting;
  resolve: (decision: Decision) => void;
}

export class TaskManager {
  private readonly tasks = new Map<string, Task>();
  private readonly gates = new Map<string, Gate>();
  private readonly locks = new FileLocks();
  private readonly updateListeners = new Set<(s: TaskSnapshot) => void>();
  private readonly progressListeners = new Set<(p: TaskProgress) => void>();
  private readonly drivers = new Map<string, Promise<void>>();

  constructor(private readonly deps: TaskManagerDeps) {}

  onUpdate(listener: (snapshot: TaskSnapshot) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  onProgress(listener: (progress: TaskProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** Start a task; answers at once with its id while the task runs in the background. */
  start(request: StartTaskRequest): { taskId: string } {
    const now = new Date();
    const task: Task = {
      id: `t${randomBytes(4).toString("hex")}`,
      request,
      state: "planning",
      documents: {},
      feedback: [],
      declinedDescriptions: [],
      warnings: [],
      locations: new Map(),
      abort: new AbortController(),
      createdAt: now,
      updatedAt: now,
    };
    this.tasks.set(task.id, task);
    // The driver starts on the next turn of the event loop, so the `{taskId}` answer goes out before
    // any of the task's work (ranking a large repository runs for tens of milliseconds).
    setImmediate(() => this.drive(task, "plan"));
    return { taskId: task.id };
  }

  status(taskId: string): TaskSnapshot | undefined {
    const task = this.tasks.get(taskId);
    return task ? snapshotOf(task) : undefined;
  }

  /** Every task of the session, newest first. */
  list(): TaskSnapshot[] {
    return [...this.tasks.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).map(snapshotOf);
  }

  /**
   * Apply a user's decision. Decisions are first-come and idempotent: one that does not fit the
   * task's current gate (already decided through another channel) answers the current state.
   */
  decide(taskId: string, decision: Decision): TaskSnapshot | undefined {
    const task = this.tasks.get(taskId);
    if (!task) return undefined;
    const gate = this.gates.get(taskId);
    if (gate && DECISIONS_FOR[gate.awaiting].includes(decision.kind)) {
      this.gates.delete(taskId);
      task.awaiting = undefined;
      task.consent = undefined;
      gate.resolve(decision);
    }
    return snapshotOf(task);
  }

  /**
   * `decide`, then let the task's driver take the decision's first step before answering, so the
   * answer shows where the decision led (`editing`, `applying`, `rejected`) rather than the gate.
   */
  async decideAndSettle(taskId: string, decision: Decision): Promise<TaskSnapshot | undefined> {
    if (!this.decide(taskId, decision)) return undefined;
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.status(taskId);
  }

  /** Cancel from any state: the model request is aborted and nothing is written. */
  cancel(taskId: string): TaskSnapshot | undefined {
    const task = this.tasks.get(taskId);
    if (!task) return undefined;
    if (isTerminal(task.state) || task.state === "applying") return snapshotOf(task);
    task.abort.abort();
    const gate = this.gates.get(taskId);
    if (gate) {
      this.gates.delete(taskId);
      task.awaiting = undefined;
      gate.resolve({ kind: "rejectPlan" });
    }
    return snapshotOf(task);
  }

  /**
   * Retry a rejected, failed or partly applied task: regenerate the edits from the approved plan
   * (or re-plan after a rejected plan) with the user's feedback, optionally on another model.
   */
  retry(taskId: string, options: { feedback?: string; model?: string; provider?: string }): Outcome<{ snapshot: TaskSnapshot }> {
    const task = this.tasks.get(taskId);
    if (!task) return refuse(`There is no task ${taskId} in this session.`);
    const retryable = task.state === "rejected" || task.state === "failed" || (task.state === "applied" && (task.declinedHunks?.length ?? 0) > 0);
    if (!retryable) {
      return refuse(`Task ${taskId} is ${task.state}; only a rejected or failed task, or one applied with declined hunks, can be retried.`);
    }
    if (options.feedback?.trim()) task.feedback.push(options.feedback.trim());
    if (options.model) task.request = { ...task.request, model: options.model };
    if (options.provider) task.request = { ...task.request, provider: options.provider };
    task.error = undefined;
    task.abort = new AbortController();
    task.undone = undefined;
    const entry = task.approvedPlan ? "edit" : "plan";
    this.drive(task, entry);
    return { ok: true, snapshot: snapshotOf(task) };
  }

  /** Restore the files of an applied task, unless they changed since. */
  async undo(taskId: string): Promise<{ ok: true; snapshot: TaskSnapshot } | { ok: false; reason: string }> {
    const task = this.tasks.get(taskId);
    if (!task) return { ok: false, reason: `There is no task ${taskId} in this session.` };
    if (task.state !== "applied") return { ok: false, reason: `Task ${taskId} is ${task.state}; only an applied task can be undone.` };
    if (task.undone) return { ok: false, reason: `Task ${taskId} was already undone.` };
    const loaded = await loadUndoSnapshot(this.deps.state, taskId);
    if (!loaded.ok) return loaded;
    const snapshot = loaded.snapshot;
    const current = new Map<string, string | null>();
    for (const f of snapshot.files) {
      const text = await this.currentText(f.abs);
      if (text === undefined) return { ok: false, reason: `Burrow can no longer read ${f.abs}, so it cannot undo safely.` };
      current.set(f.abs, text);
    }
    const planned = planUndo(snapshot, current);
    if (!planned.ok) return planned;
    const files: FileToApply[] = [];
    for (const r of planned.restores) {
      const located = await this.deps.workspace.locate(r.abs, "write");
      if (!located.ok) return { ok: false, reason: `Cannot restore ${r.abs}: ${located.reason}` };
      files.push({ abs: located.abs, root: located.root, rel: located.rel, uri: pathToFileUri(located.abs), before: r.current, after: r.text });
    }
    const applied = await this.deps.host.apply(files, `Burrow: undo task ${taskId}`);
    if (!applied.ok) return { ok: false, reason: applied.reason };
    await removeUndoSnapshot(this.deps.state, taskId);
    task.undone = true;
    this.touch(task);
    this.publish(task);
    return { ok: true, snapshot: snapshotOf(task) };
  }

  /** A root was revoked: every task that planned or proposed anything under it is cancelled. */
  revokeRoot(root: string): string[] {
    const cancelled: string[] = [];
    for (const task of this.tasks.values()) {
      if (isTerminal(task.state) || task.state === "applying") continue;
      const touched = [...task.locations.values()].some((l) => l.root === root);
      if (touched || this.deps.workspace.roots().length === 0) {
        task.warnings.push(`The folder ${root} was revoked while this task was running; its pending changes were dropped.`);
        task.changeset = undefined;
        task.changes = undefined;
        this.cancel(task.id);
        cancelled.push(task.id);
      }
    }
    return cancelled;
  }

  /** Stop every task (the editor went away). */
  async dispose(): Promise<void> {
    for (const task of this.tasks.values()) this.cancel(task.id);
    await Promise.allSettled([...this.drivers.values()]);
  }

  /** Resolves when the task's current driver has finished (tests and the terminal client use it). */
  async settled(taskId: string): Promise<void> {
    await this.drivers.get(taskId);
  }

  // ---- the driver -------------------------------------------------------------------------

  private drive(task: Task, entry: "plan" | "edit"): void {
    const run = this.runDriver(task, entry).finally(() => {
      this.locks.release(task.id);
      if (this.drivers.get(task.id) === run) this.drivers.delete(task.id);
    });
    this.drivers.set(task.id, run);
  }

  private async runDriver(task: Task, entry: "plan" | "edit"): Promise<void> {
    try {
      if (this.deps.ready) {
        await this.deps.ready();
        this.check(task);
      }
      const described = this.deps.models.describe("coder", this.overrides(task));
      task.provider = described.provider;
      task.model = described.model;
      let phase = entry;
      for (;;) {
        if (phase === "plan") {
          this.move(task, "planning");
          const plan = await this.makePlan(task);
          task.plan = plan;
          task.revision = undefined;
          task.documents.plan = await this.deps.state.write(`tasks/${task.id}/plan.md`, renderPlan(plan, `Burrow plan ${task.id}: ${promptTitle(task.request.prompt, TITLE_WIDTH.document)}`));
          const decision = await this.waitAt(task, "plan", "awaitingPlanApproval");
          if (decision.kind === "revisePlan") {
            task.revision = { previous: plan, feedback: decision.feedback };
            continue;
          }
          if (decision.kind === "rejectPlan") {
            if (decision.feedback?.trim()) task.feedback.push(decision.feedback.trim());
            await this.discard(task, { plan: true });
            this.move(task, "rejected");
            return;
          }
          task.approvedPlan = plan;
          phase = "edit";
        }
        await this.acquireFiles(task);
        this.move(task, "editing");
        await this.makeChanges(task);
        const decision = await this.waitAt(task, "changes", "awaitingChangesApproval");
        if (decision.kind === "rejectChanges") {
          if (decision.feedback?.trim()) task.feedback.push(decision.feedback.trim());
          await this.discard(task, { plan: false });
          this.move(task, "rejected");
          return;
        }
        if (decision.kind !== "applyChanges") throw new Error(`unexpected decision ${decision.kind} at gate 2`);
        await this.applyApproved(task, decision.hunks);
        return;
      }
    } catch (err) {
      if (err instanceof Cancelled || task.abort.signal.aborted) {
        await this.discard(task, { plan: !task.approvedPlan });
        this.move(task, "cancelled");
        return;
      }
      task.error = errorOf(err);
      if (!(err instanceof TaskFailure) && !(err instanceof ModelError)) {
        this.deps.log(`Task ${task.id} failed unexpectedly: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      await this.discard(task, { plan: false });
      this.move(task, "failed");
    }
  }

  private async makePlan(task: Task): Promise<Plan> {
    const described = this.deps.models.describe("coder", this.overrides(task));
    const budget = Math.max(512, Math.floor(described.contextTokens * 0.35));
    const openDocument = await this.openDocumentFor(task);
    this.progress(task, `Reading the repository for ${described.model}…`);
    const preflight = this.deps.preflight?.(this.overrides(task)).then((p) => {
      if (!p.ok) throw new TaskFailure(p.code, p.reason);
    });
    // The check and the reading run together; a failed check wins without waiting for the reading.
    const building = this.deps.context.build({ task: task.request.prompt, budgetTokens: budget, openDocument });
    const [context] = await Promise.all([building, preflight]);
    this.check(task);
    const messages = planMessages({
      task: task.request.prompt,
      repoMap: context.map,
      openDocument,
      revision: task.revision,
      feedback: task.feedback,
    });
    const seen = new Set<string>();
    for (let attempt = 1; attempt <= 3; attempt++) {
      this.progress(task, attempt === 1 ? `Planning with ${described.model}…` : `Planning again (attempt ${attempt})…`);
      const result = await this.deps.models.chat({
        role: "coder",
        messages,
        format: PLAN_JSON_SCHEMA,
        signal: task.abort.signal,
        ...this.overrides(task),
        ownerId: task.id,
        files: [...context.files.map((f) => f.path)],
        consent: (c) => this.askConsent(task, c),
        onProgress: (e) => this.progress(task, e.message),
        temperature: 0,
      });
      this.check(task);
      const reading = readPlan(result.text);
      if (reading.ok) return this.checkPlanFiles(task, reading.plan);
      const fingerprint = result.text.trim();
      if (seen.has(fingerprint)) {
        throw new TaskFailure("model-stuck", `The model returned the same unusable plan twice (${reading.reason}) A larger model may do better: retry with a "model" such as qwen2.5-coder:7b.`);
      }
      seen.add(fingerprint);
      messages.push({ role: "assistant", content: result.text });
      messages.push({ role: "user", content: `${reading.reason} Answer again with only the JSON object described above.` });
    }
    throw new TaskFailure("bad-plan", "The model did not return a usable plan after 3 attempts. Try rephrasing the task or a larger model.");
  }

  /** Mark plan files the sandbox refuses; they can never be read or changed. */
  private async checkPlanFiles(task: Task, plan: Plan): Promise<Plan> {
    for (const f of plan.files) {
      const intent = f.action === "read" ? "read" : "write";
      const located = await this.deps.workspace.locate(f.path, intent);
      if (!located.ok) {
        f.refused = located.reason;
        continue;
      }
      f.path = this.displayPath(located);
      task.locations.set(f.path, located);
      if (f.action === "read" || f.action === "modify" || f.action === "delete") {
        const exists = await this.currentText(located.abs);
        if (exists === null && f.action !== "modify") f.refused = "the file does not exist";
        if (exists === null && f.action === "modify") f.action = "create";
      }
    }
    return plan;
  }

  private async makeChanges(task: Task): Promise<void> {
    const plan = task.approvedPlan;
    if (!plan) throw new Error("editing without an approved plan");
    const described = this.deps.models.describe("coder", this.overrides(task));
    const budget = Math.max(1024, Math.floor(described.contextTokens * 0.6));
    const focus = focusTerms(task.request.prompt, plan);
    const editable: EditableFile[] = [];
    const references: ReferenceFile[] = [];
    const planned = plan.files.filter((f) => !f.refused);
    const perFile = Math.max(256, Math.floor(budget / Math.max(1, planned.length)));
    for (const f of planned) {
      const where = await this.deps.workspace.locate(f.path, f.action === "read" ? "read" : "write");
      if (!where.ok) {
        f.refused = where.reason;
        continue;
      }
      task.locations.set(f.path, where);
      const text = await this.readForModel(where.abs);
      if (f.action === "read") {
        if (text === null) continue;
        const view = this.deps.context.fileView(f.path, text, focus, perFile);
        references.push(view.window ? { path: f.path, text: view.text, window: view.window } : { path: f.path, text: view.text });
        continue;
      }
      if (f.action === "create" || text === null) {
        editable.push({ path: f.path, text, action: text === null ? "create" : "modify" });
        continue;
      }
      const view = this.deps.context.fileView(f.path, text, focus, perFile);
      editable.push(view.window ? { path: f.path, text, window: view.window, action: f.action } : { path: f.path, text, action: f.action });
    }
    if (editable.length === 0) {
      throw new TaskFailure("nothing-to-edit", "The approved plan names no file Burrow may change (every file was refused or missing).");
    }
    // The definitions the planned files use from elsewhere, so the model does not invent their shape.
    const related = await this.deps.context.related(
      planned.map((f) => f.path),
      Math.max(256, Math.floor(budget * 0.15)),
    );
    this.check(task);
    let streamed = 0;
    const round = await runEditRound({
      task: task.request.prompt,
      plan,
      editable,
      references,
      relatedMap: related.map,
      feedback: task.feedback,
      declined: task.declinedDescriptions,
      models: this.deps.models,
      overrides: this.overrides(task),
      signal: task.abort.signal,
      ownerId: task.id,
      consent: (c) => this.askConsent(task, c),
      formatOverride: this.deps.settings().editFormat,
      onDelta: (d) => {
        streamed += d.length;
        if (streamed % 2048 < d.length) this.progress(task, `Writing edits… ${(streamed / 1024).toFixed(1)} KB`);
      },
      onRetry: (reason) => this.progress(task, `Retrying: ${reason}`),
      onModelProgress: (message) => this.progress(task, message),
    });
    this.check(task);
    if (!round.ok) throw new TaskFailure(round.code, round.reason);
    const uriOf = (path: string) => {
      const l = task.locations.get(path);
      return l ? pathToFileUri(l.abs) : path;
    };
    task.changeset = round.changeset;
    task.changes = round.changeset.hunks.map((h): ChangeEntry => ({ ...h, uri: uriOf(h.path) }));
    for (const f of round.changeset.files) for (const note of f.notes ?? []) task.warnings.push(note);
    task.documents.diff = await this.deps.state.write(`tasks/${task.id}/changes.diff`, renderDiffDocument(task.id, task.request.prompt, round.changeset));
  }

  private async applyApproved(task: Task, hunks: string[] | undefined): Promise<void> {
    const changeset = task.changeset;
    if (!changeset) throw new Error("applying without a changeset");
    const all = changeset.hunks.map((h) => h.hunkId);
    const chosen = hunks === undefined ? all : all.filter((id) => hunks.includes(id));
    const unknown = (hunks ?? []).filter((id) => !all.includes(id));
    if (unknown.length > 0) task.warnings.push(`Unknown hunk ids were ignored: ${unknown.join(", ")}.`);
    this.move(task, "applying");
    const texts = applyHunks(changeset, chosen);
    const declined = all.filter((id) => !chosen.includes(id));
    const files: FileToApply[] = [];
    const conflicts: string[] = [];
    for (const [path, after] of texts) {
      const proposed = changeset.files.find((f) => f.path === path);
      const where = task.locations.get(path) ?? (await this.relocate(path));
      if (!proposed || !where) throw new TaskFailure("refused", `Burrow can no longer write ${path}.`);
      const current = await this.currentText(where.abs);
      if (current !== proposed.before) conflicts.push(path);
      files.push({ abs: where.abs, root: where.root, rel: where.rel, uri: pathToFileUri(where.abs), before: proposed.before, after });
    }
    if (conflicts.length > 0) {
      throw new TaskFailure(
        "conflict",
        `${conflicts.join(", ")} changed after Burrow read ${conflicts.length === 1 ? "it" : "them"}; nothing was applied. Run burrow.task.retry to get a new proposal against the current text.`,
      );
    }
    await saveUndoSnapshot(
      this.deps.state,
      task.id,
      files.map((f) => ({ abs: f.abs, before: f.before, after: f.after })),
    );
    const outcome = files.length === 0 ? { ok: true as const, unverified: [], via: "editor" as const } : await this.deps.host.apply(files, `Burrow: ${promptTitle(task.request.prompt, TITLE_WIDTH.document)}`);
    if (!outcome.ok) throw new TaskFailure("apply-failed", outcome.reason);
    if (outcome.unverified.length > 0) {
      task.warnings.push(`The editor reported these files applied but Burrow could not confirm their text: ${outcome.unverified.join(", ")}. Check them before saving.`);
    }
    task.declinedHunks = declined;
    task.declinedDescriptions = changeset.hunks.filter((h) => declined.includes(h.hunkId)).map(describeDeclined);
    this.move(task, "applied");
  }

  // ---- gates ------------------------------------------------------------------------------

  private waitAt(task: Task, awaiting: Awaiting, state: TaskState): Promise<Decision> {
    this.check(task);
    return new Promise<Decision>((resolve, reject) => {
      const onAbort = () => reject(new Cancelled());
      task.abort.signal.addEventListener("abort", onAbort, { once: true });
      this.gates.set(task.id, {
        awaiting,
        resolve: (d) => {
          task.abort.signal.removeEventListener("abort", onAbort);
          if (task.abort.signal.aborted) reject(new Cancelled());
          else resolve(d);
        },
      });
      task.awaiting = awaiting;
      this.move(task, state);
    });
  }

  /** Ask the user, through the gate channels, before anything leaves the machine for this task. */
  private async askConsent(task: Task, request: ConsentRequest): Promise<boolean> {
    this.check(task);
    const decision = await new Promise<Decision>((resolve, reject) => {
      const onAbort = () => reject(new Cancelled());
      task.abort.signal.addEventListener("abort", onAbort, { once: true });
      this.gates.set(task.id, {
        awaiting: "consent",
        resolve: (d) => {
          task.abort.signal.removeEventListener("abort", onAbort);
          resolve(d);
        },
      });
      task.awaiting = "consent";
      task.consent = request;
      this.touch(task);
      this.publish(task);
    });
    this.check(task);
    this.publish(task);
    return decision.kind === "consent" && decision.allow;
  }

  private async acquireFiles(task: Task): Promise<void> {
    const files = (task.approvedPlan?.files ?? []).filter((f) => !f.refused && f.action !== "read").map((f) => f.path);
    while (!this.locks.tryAcquire(task.id, files)) {
      task.queuedBehind = this.locks.blockers(task.id, files);
      if (task.state !== "queued") this.move(task, "queued");
      else this.publish(task);
      this.progress(task, `Waiting for task ${task.queuedBehind.join(", ")}, which changes the same files.`);
      await this.locks.nextRelease(task.abort.signal);
      this.check(task);
    }
    task.queuedBehind = undefined;
  }

  // ---- helpers ----------------------------------------------------------------------------

  private move(task: Task, to: TaskState): void {
    if (task.state !== to) {
      if (!canTransition(task.state, to)) throw new Error(`Task ${task.id} cannot go from ${task.state} to ${to}.`);
      task.state = to;
    }
    if (isTerminal(to)) {
      task.awaiting = undefined;
      this.gates.delete(task.id);
    }
    this.touch(task);
    this.publish(task);
  }

  private touch(task: Task): void {
    task.updatedAt = new Date();
  }

  private publish(task: Task): void {
    const snapshot = snapshotOf(task);
    for (const listener of this.updateListeners) listener(snapshot);
  }

  private progress(task: Task, message: string): void {
    for (const listener of this.progressListeners) listener({ taskId: task.id, message });
  }

  private check(task: Task): void {
    if (task.abort.signal.aborted) throw new Cancelled();
  }

  private overrides(task: Task): { provider?: string; model?: string } {
    const o: { provider?: string; model?: string } = {};
    if (task.request.provider) o.provider = task.request.provider;
    if (task.request.model) o.model = task.request.model;
    return o;
  }

  /** Rejected or abandoned output is discarded: nothing of it stays in memory or on disk. */
  private async discard(task: Task, what: { plan: boolean }): Promise<void> {
    task.changeset = undefined;
    task.changes = undefined;
    task.awaiting = undefined;
    task.consent = undefined;
    if (task.documents.diff) {
      await this.deps.state.remove(`tasks/${task.id}/changes.diff`).catch(() => undefined);
      task.documents.diff = undefined;
    }
    if (what.plan) {
      task.plan = undefined;
      if (task.documents.plan) {
        await this.deps.state.remove(`tasks/${task.id}/plan.md`).catch(() => undefined);
        task.documents.plan = undefined;
      }
    }
  }

  private currentText(abs: string): Promise<string | null | undefined> {
    return currentText(abs, (a) => this.deps.host.openDocument(a), this.deps.workspace);
  }

  private async readForModel(abs: string): Promise<string | null> {
    const open = this.deps.host.openDocument(abs);
    if (open) return open.text;
    const read = await this.deps.workspace.read(abs);
    if (read.ok) return read.file.text;
    const skipped = skippedOf(read);
    if (skipped) throw new TaskFailure("refused", `Burrow will not send ${skipped.rel ?? abs} to the model: ${skipped.skipped}.`);
    return null;
  }

  private async openDocumentFor(task: Task): Promise<CurrentDocument | undefined> {
    if (!task.request.uri) return undefined;
    const read = await readCurrentDocument(task.request.uri, task.request.range, (abs) => this.deps.host.openDocument(abs), this.deps.workspace);
    if (read.ok) return read.document;
    task.warnings.push(`The current document was not sent to the model: ${read.reason}`);
    return undefined;
  }

  /** The name the model sees: relative to its root (with several roots, `locate` tries them in order). */
  private displayPath(located: Located): string {
    return located.rel;
  }

  private async relocate(path: string): Promise<Located | undefined> {
    const where = await this.deps.workspace.locate(path, "write");
    return where.ok ? where : undefined;
  }
}

function errorOf(err: unknown): { code: string; message: string } {
  if (err instanceof TaskFailure) return { code: err.code, message: err.message };
  if (err instanceof ModelError) return { code: codeOfModelError(err.kind), message: err.message };
  return { code: "internal", message: `Burrow hit an internal error: ${err instanceof Error ? err.message : String(err)}. The log has details.` };
}
