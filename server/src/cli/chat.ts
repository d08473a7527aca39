/**
 * `burrow chat`: talk to the chat model about the code in a folder, from a terminal or a pipe. It
 * starts a Burrow server as a child process, like `burrow run`, sends each line as a `burrow.chat`
 * question in one session (so later questions see the earlier ones), and prints the answer as it
 * streams in through `burrow/chatDelta`. Chat never changes files.
 *
 * Each line of input is one question; `/exit` or the end of input ends the chat, `/new` starts a
 * fresh conversation. Exit codes: 0 done, 1 a question failed, 2 usage error, 3 no model runtime
 * or model.
 */
import { resolve } from "node:path";
import { CancellationTokenSource } from "vscode-jsonrpc/node";
import { CHAT_DELTA, type ChatResult } from "../protocol/index.js";
import { spawnServer } from "./spawn-server.js";
import { parseFlags } from "./terminal/args.js";
import { checkRoot } from "./terminal/root.js";
import { paletteFor } from "./terminal/colour.js";
import { createLineReader } from "./terminal/lines.js";
import { EXIT, describeRequestError, describeServerEnd, exitCodeForError, isLocalProvider } from "./terminal/outcomes.js";
import { createProgress } from "./terminal/progress.js";
import { waitUntilReady } from "./terminal/startup.js";

const USAGE = `Usage: burrow chat [--root DIR] [--provider P] [--model M] [--verbose]

Ask questions about the code in DIR (default: the current folder), one per line. Answers stream as
they are written, and each question sees the conversation so far. Name files in a question
(\`src/app.ts\`) to show them to the model; chat never changes files.

  /new    start a new conversation
  /exit   leave (so does the end of input, or Ctrl-D)

  --root DIR      the folder chat may read (default: the current folder)
  --provider P    the model provider (ollama, lmstudio, or a configured cloud name)
  --model M       the chat model
  --verbose       show the server's log on stderr
`;

export async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { values: ["root", "provider", "model"], switches: ["verbose", "help"] });
  if (!flags.ok) return usageError(flags.reason);
  if (flags.switches.has("help")) {
    process.stdout.write(USAGE);
    return EXIT.done;
  }
  if (flags.positionals.length > 0) {
    return usageError(`questions come from stdin, not from arguments; try: echo "${flags.positionals.join(" ")}" | burrow chat`);
  }

  const root = resolve(flags.values.root ?? process.cwd());
  const rootCheck = await checkRoot(root);
  if (!rootCheck.ok) return usageError(rootCheck.reason);
  const settings: Record<string, unknown> = {};
  if (flags.values.provider) settings.provider = flags.values.provider;
  if (flags.values.model) settings.models = { chat: flags.values.model };

  const server = spawnServer({ root, settings, verbose: flags.switches.has("verbose"), clientName: "burrow-chat" });
  const reader = createLineReader();
  const progress = reader.interactive ? createProgress(process.stderr) : undefined;
  const dim = paletteFor(process.stderr).dim;
  const connection = server.connection;

  // The answer being streamed: deltas of its session are printed, and Ctrl-C cancels it.
  let inFlight: { sessionId?: string; streamed: string; cancel: CancellationTokenSource } | undefined;
  let sessionId: string | undefined;
  let closed = false;
  let quit: () => void = () => undefined;
  const quitting = new Promise<null>((resolveQuit) => {
    quit = () => resolveQuit(null);
  });

  connection.onNotification(CHAT_DELTA, (params: { sessionId?: string; delta?: string }) => {
    if (!inFlight || typeof params.delta !== "string") return;
    // The first answer of a session arrives before we know its id; adopt the id it carries.
    inFlight.sessionId ??= params.sessionId;
    if (params.sessionId !== undefined && params.sessionId !== inFlight.sessionId) return;
    if (inFlight.streamed === "") progress?.clear();
    inFlight.streamed += params.delta;
    process.stdout.write(params.delta);
  });
  connection.onNotification("window/showMessage", (params: { type?: number; message?: string }) => {
    if (params.message && (params.type === 1 || params.type === 2)) process.stderr.write(`burrow: ${params.message}\n`);
  });
  connection.onClose(() => {
    closed = true;
    inFlight?.cancel.cancel();
    quit();
  });
  reader.onInterrupt(() => {
    if (inFlight) inFlight.cancel.cancel();
    else quit();
  });

  try {
    progress?.update("starting the Burrow server");
    const started = await waitUntilReady(server);
    progress?.clear();
    if (!started.ok) {
      process.stderr.write(`burrow: ${started.reason}\n`);
      return EXIT.rejectedOrFailed;
    }
    if (reader.interactive) {
      process.stderr.write(dim(`Burrow chat about ${root}. Name files in backticks to show them; /new starts over, /exit leaves.\n`));
    }

    let failures = 0;
    for (;;) {
      const line = await Promise.race([reader.ask("> "), quitting]);
      if (closed) {
        process.stderr.write(`burrow: ${describeServerEnd(await server.exited, server.stderrTail())}\n`);
        return EXIT.rejectedOrFailed;
      }
      if (line === null) break;
      const prompt = line.trim();
      if (prompt === "") continue;
      if (prompt === "/exit" || prompt === "/quit") break;
      if (prompt === "/new") {
        sessionId = undefined;
        process.stderr.write(dim("A new conversation starts with the next question.\n"));
        continue;
      }
      if (prompt === "/help") {
        process.stderr.write(USAGE);
        continue;
      }

      const cancel = new CancellationTokenSource();
      inFlight = { sessionId, streamed: "", cancel };
      progress?.update("thinking");
      try {
        const result = (await connection.sendRequest(
          "workspace/executeCommand",
          { command: "burrow.chat", arguments: [{ prompt, ...(sessionId ? { sessionId } : {}) }] },
          cancel.token,
        )) as Partial<ChatResult> | undefined;
        progress?.clear();
        sessionId = typeof result?.sessionId === "string" ? result.sessionId : sessionId;
        // Print whatever the stream did not carry (all of it, for a server that does not stream).
        const text = typeof result?.text === "string" ? result.text : "";
        const streamed = inFlight.streamed;
        const rest = text.startsWith(streamed) ? text.slice(streamed.length) : streamed === "" ? text : "";
        process.stdout.write(rest);
        const printed = streamed + rest;
        process.stdout.write(printed.endsWith("\n") ? "\n" : "\n\n");
        // Files the question named that the sandbox kept from the model, so the user knows why the
        // answer may not cover them.
        for (const item of result?.unavailable ?? []) {
          if (item.path) process.stderr.write(dim(`Not shown to the model: ${item.path} (${(item.reason ?? "refused").replace(/\.$/, "")}).\n`));
        }
      } catch (err) {
        progress?.clear();
        if (inFlight.streamed !== "" && !inFlight.streamed.endsWith("\n")) process.stdout.write("\n");
        if (closed) {
          process.stderr.write(`burrow: ${describeServerEnd(await server.exited, server.stderrTail())}\n`);
          return EXIT.rejectedOrFailed;
        }
        if (cancel.token.isCancellationRequested) {
          process.stderr.write(dim("(stopped)\n"));
          continue;
        }
        const { code, message } = describeRequestError(err);
        process.stderr.write(`burrow: ${message}\n`);
        if (exitCodeForError(code) === EXIT.noModel) return EXIT.noModel;
        // A failure without a code may still be a runtime that is not running; when no local runtime
        // answers at all, no later question can succeed either, so the chat ends as "no model".
        if (code === undefined && isLocalProvider(flags.values.provider)) {
          const listed = (await connection.sendRequest("workspace/executeCommand", { command: "burrow.models.list", arguments: [{}] }).catch(
            () => undefined,
          )) as { ok?: boolean } | undefined;
          if (listed?.ok === false) return EXIT.noModel;
        }
        failures += 1;
      } finally {
        inFlight = undefined;
        cancel.dispose();
      }
    }
    return failures > 0 ? EXIT.rejectedOrFailed : EXIT.done;
  } finally {
    progress?.stop();
    reader.close();
    await server.dispose();
  }
}

function usageError(reason: string): number {
  process.stderr.write(`burrow chat: ${reason}\n\n${USAGE}`);
  return EXIT.usage;
}
