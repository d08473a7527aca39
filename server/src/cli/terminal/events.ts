/**
 * A queue that turns notifications into something a sequential command can `await`: the terminal
 * commands read events one at a time (answer a gate, then take the next state), while JSON-RPC
 * delivers them whenever they arrive, possibly before the command is ready for them.
 */

export class EventQueue<T> {
  private readonly items: T[] = [];
  private waiting: ((item: T) => void) | undefined;

  push(item: T): void {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve(item);
    } else {
      this.items.push(item);
    }
  }

  /** The next event, waiting for it if none is queued. */
  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
}
