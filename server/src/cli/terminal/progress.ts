/**
 * Progress while the model works, on stderr so stdout carries only the plan, the diff and the
 * result. On a terminal it is a spinner line redrawn in place with the elapsed time; on a pipe (a
 * script, a CI log) it is one plain line each time the activity changes, because carriage returns
 * and escape codes would only garble a log.
 */

export interface Progress {
  /** Show `message` as the current activity (repeating the same message does nothing). */
  update(message: string): void;
  /** Remove the spinner line so other output can be printed cleanly. */
  clear(): void;
  /** Stop for good. */
  stop(): void;
}

export interface ProgressStream {
  isTTY?: boolean;
  write(chunk: string): boolean;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const FRAME_MS = 100;

export function createProgress(stream: ProgressStream = process.stderr, prefix = "burrow"): Progress {
  return stream.isTTY ? spinner(stream) : plainLines(stream, prefix);
}

function spinner(stream: ProgressStream): Progress {
  let message: string | undefined;
  let since = Date.now();
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  let drawn = false;

  const draw = () => {
    if (message === undefined) return;
    const seconds = Math.floor((Date.now() - since) / 1000);
    const elapsed = seconds >= 2 ? ` (${seconds}s)` : "";
    stream.write(`\r\u001b[K${FRAMES[frame % FRAMES.length]} ${message}${elapsed}`);
    frame += 1;
    drawn = true;
  };
  const erase = () => {
    if (drawn) stream.write("\r\u001b[K");
    drawn = false;
  };

  return {
    update(next) {
      if (next !== message) {
        message = next;
        since = Date.now();
      }
      draw();
      if (timer === undefined) {
        timer = setInterval(draw, FRAME_MS);
        // The spinner must never be what keeps the process alive.
        timer.unref();
      }
    },
    clear() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      message = undefined;
      erase();
    },
    stop() {
      this.clear();
    },
  };
}

function plainLines(stream: ProgressStream, prefix: string): Progress {
  let last: string | undefined;
  return {
    update(message) {
      if (message === last) return;
      last = message;
      stream.write(`${prefix}: ${message}\n`);
    },
    clear() {
      // A plain line stays where it is; forgetting it lets the same activity be reported again later.
      last = undefined;
    },
    stop() {
      last = undefined;
    },
  };
}
