/**
 * Reading the user's answers, one line per question, from a terminal or a pipe. Lines are read as
 * soon as they arrive and queued, so a script that pipes all its answers at once loses none of them
 * between questions; the end of input answers every later question with `null`, which the callers
 * treat as "no".
 *
 * On a terminal readline provides line editing and Ctrl-C arrives as an interrupt event; on a pipe
 * the answer read is echoed after the question so a captured transcript reads like a conversation.
 */
import { createInterface, type Interface } from "node:readline";

export interface LineReader {
  /** True when the answers come from a person at a terminal. */
  readonly interactive: boolean;
  /** Print `question` and resolve the next line of input, or null when the input has ended. */
  ask(question: string): Promise<string | null>;
  /** Call `handler` on Ctrl-C (from the terminal, or SIGINT when reading a pipe). */
  onInterrupt(handler: () => void): void;
  close(): void;
}

export interface LineReaderStreams {
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where questions are printed; stderr, so stdout carries only results. */
  output?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function createLineReader(streams: LineReaderStreams = {}): LineReader {
  const input = streams.input ?? process.stdin;
  const output = streams.output ?? process.stderr;
  const interactive = input.isTTY === true && output.isTTY === true;
  const rl: Interface = createInterface({
    input,
    output: interactive ? output : undefined,
    terminal: interactive,
    crlfDelay: Infinity,
  });

  const queued: string[] = [];
  let waiting: ((line: string | null) => void) | undefined;
  let ended = false;
  const interruptHandlers: Array<() => void> = [];

  rl.on("line", (line) => {
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve(line);
    } else {
      queued.push(line);
    }
  });
  rl.on("close", () => {
    ended = true;
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve(null);
    }
  });

  const interrupt = () => {
    for (const handler of interruptHandlers) handler();
  };
  // On a terminal readline owns Ctrl-C (raw mode), so it reaches us as its own event; without a
  // listener readline would merely pause. On a pipe the signal goes to the process.
  if (interactive) rl.on("SIGINT", interrupt);
  else process.on("SIGINT", interrupt);

  return {
    interactive,
    ask(question) {
      if (waiting) throw new Error("A question is already waiting for an answer.");
      const next = queued.shift();
      if (next !== undefined) {
        // The answer was given ahead of the question (piped, or typed early): show both together.
        output.write(`${question}${next}\n`);
        return Promise.resolve(next);
      }
      if (ended) {
        output.write(`${question}\n`);
        return Promise.resolve(null);
      }
      if (interactive) {
        rl.setPrompt(question);
        rl.prompt();
      } else {
        output.write(question);
      }
      return new Promise((resolve) => {
        waiting = (line) => {
          if (!interactive) output.write(`${line ?? ""}\n`);
          resolve(line);
        };
      });
    },
    onInterrupt(handler) {
      interruptHandlers.push(handler);
    },
    close() {
      if (!interactive) process.off("SIGINT", interrupt);
      rl.close();
      // A pipe that the other side keeps open must not keep this process alive once we are done.
      if (!input.isTTY && "unref" in input && typeof (input as { unref?: () => void }).unref === "function") {
        (input as unknown as { unref(): void }).unref();
      }
    },
  };
}

/** `select` (choose some of the changes) is only a valid answer where the question offers it. */
export type GateAnswer = "approve" | "revise" | "reject" | "select";

const ANSWERS: Record<string, GateAnswer> = {
  y: "approve",
  yes: "approve",
  approve: "approve",
  apply: "approve",
  r: "revise",
  revise: "revise",
  n: "reject",
  no: "reject",
  reject: "reject",
  s: "select",
  some: "select",
  select: "select",
};

/** Read one gate answer; undefined when the line is none of the accepted words. */
export function interpretAnswer(line: string): GateAnswer | undefined {
  return ANSWERS[line.trim().toLowerCase()];
}
