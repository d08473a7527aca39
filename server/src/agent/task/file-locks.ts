/**
 * Which task may change which files. Two tasks run at once only when the files they plan to change
 * do not overlap; otherwise the later one waits in `queued` until the earlier one finishes.
 *
 * Locks are taken after the plan is approved (that is when the files are known) and released when a
 * task reaches a terminal state or is sent back to planning.
 */

export class FileLocks {
  private readonly owners = new Map<string, string>();
  private waiters: (() => void)[] = [];

  /** The tasks holding any of these files, other than `taskId` itself. */
  blockers(taskId: string, files: readonly string[]): string[] {
    const out = new Set<string>();
    for (const f of files) {
      const owner = this.owners.get(f);
      if (owner !== undefined && owner !== taskId) out.add(owner);
    }
    return [...out];
  }

  /** Take every file, or none when another task holds one of them. */
  tryAcquire(taskId: string, files: readonly string[]): boolean {
    if (this.blockers(taskId, files).length > 0) return false;
    for (const f of files) this.owners.set(f, taskId);
    return true;
  }

  release(taskId: string): void {
    let changed = false;
    for (const [file, owner] of this.owners) {
      if (owner === taskId) {
        this.owners.delete(file);
        changed = true;
      }
    }
    if (!changed) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves the next time any lock is released (or when `signal` aborts). */
  nextRelease(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        signal.removeEventListener("abort", wake);
        resolve();
      };
      this.waiters.push(wake);
      signal.addEventListener("abort", wake, { once: true });
    });
  }
}
