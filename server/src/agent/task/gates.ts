/**
 * The gates: where a task stops until the user decides. Gate 1 (the plan), gate 2 (the changes) and
 * the consent question before anything leaves the machine are the same mechanism: the task records
 * what it awaits, publishes itself, and its run waits on a promise that only a fitting decision
 * resolves.
 *
 * Decisions are first-come and idempotent: the first one that fits the open gate closes it, and a
 * later or unfitting one changes nothing. A cancel rejects the wait at once, whatever it awaits.
 */
import type { ConsentRequest } from "../model/types.js";
import { Cancelled, throwIfCancelled } from "./run.js";
import { DECISIONS_FOR, type Awaiting, type Decision, type Task } from "./task.js";

interface OpenGate {
  awaiting: Awaiting;
  resolve: (decision: Decision) => void;
}

export class Gates {
  private readonly open = new Map<string, OpenGate>();

  /** @param publish publishes a task whose gate question changed (the consent question). */
  constructor(private readonly publish: (task: Task) => void) {}

  /**
   * Wait at a gate. `announce` runs once the gate is open (it moves or publishes the task, so
   * clients see the question only when an answer can be taken). Rejects with `Cancelled` when the
   * task is cancelled, before or during the wait.
   */
  wait(task: Task, awaiting: Awaiting, announce: () => void): Promise<Decision> {
    throwIfCancelled(task);
    return new Promise<Decision>((resolve, reject) => {
      const onAbort = () => reject(new Cancelled());
      task.abort.signal.addEventListener("abort", onAbort, { once: true });
      this.open.set(task.id, {
        awaiting,
        resolve: (decision) => {
          task.abort.signal.removeEventListener("abort", onAbort);
          if (task.abort.signal.aborted) reject(new Cancelled());
          else resolve(decision);
        },
      });
      task.awaiting = awaiting;
      announce();
    });
  }

  /** Ask the user, through the gate channels, before anything leaves the machine for this task. */
  async consent(task: Task, request: ConsentRequest): Promise<boolean> {
    const decision = await this.wait(task, "consent", () => {
      task.consent = request;
      this.publish(task);
    });
    this.publish(task);
    return decision.kind === "consent" && decision.allow;
  }

  /** Hand a decision to the task's open gate when it answers that gate; false when it does not fit. */
  answer(task: Task, decision: Decision): boolean {
    const gate = this.open.get(task.id);
    if (!gate || !DECISIONS_FOR[gate.awaiting].includes(decision.kind)) return false;
    this.open.delete(task.id);
    task.awaiting = undefined;
    task.consent = undefined;
    gate.resolve(decision);
    return true;
  }

  /**
   * Forget the task's gate without a decision: the task was cancelled (its abort has already
   * rejected the wait) or has ended.
   */
  close(task: Task): void {
    this.open.delete(task.id);
    task.awaiting = undefined;
  }
}
