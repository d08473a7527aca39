/**
 * A logging relay for recording a real editor's conversation with Burrow: the editor starts this
 * script as its language server, the script starts `burrow --stdio` and passes every byte through
 * unchanged in both directions, and it appends each complete JSON-RPC message, with its direction
 * and the time since start, as one JSON line to the file named by BURROW_RELAY_LOG. This is how
 * test/fixtures/helix/transcript-25.07.1.jsonl was recorded from a real Helix (see
 * clients/helix/README.md); the Helix-faithful client in helix-client.test.ts replays its shapes.
 *
 *   BURROW_RELAY_LOG=/tmp/helix.jsonl node --import tsx test/e2e/helix-relay.ts
 */
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const logPath = process.env.BURROW_RELAY_LOG;
if (!logPath) {
  process.stderr.write("helix-relay: set BURROW_RELAY_LOG to the file the transcript goes to.\n");
  process.exit(2);
}
const started = Date.now();

/** Cuts a byte stream into LSP frames and reports each message body; bytes pass on untouched. */
function frameReader(direction: "editor→burrow" | "burrow→editor"): (chunk: Buffer) => void {
  let buffered = Buffer.alloc(0);
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      const headerEnd = buffered.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const length = /content-length:\s*(\d+)/i.exec(buffered.subarray(0, headerEnd).toString("ascii"))?.[1];
      if (length === undefined) {
        // Not a frame this relay understands: stop logging rather than guess.
        buffered = Buffer.alloc(0);
        return;
      }
      const bodyStart = headerEnd + 4;
      if (buffered.length < bodyStart + Number(length)) return;
      const body = buffered.subarray(bodyStart, bodyStart + Number(length)).toString("utf8");
      buffered = buffered.subarray(bodyStart + Number(length));
      appendFileSync(logPath!, JSON.stringify({ ms: Date.now() - started, direction, message: JSON.parse(body) }) + "\n");
    }
  };
}

const server = spawn(process.execPath, [join(REPO_ROOT, "bin", "burrow.js"), "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
const fromEditor = frameReader("editor→burrow");
const fromBurrow = frameReader("burrow→editor");
process.stdin.on("data", (chunk: Buffer) => {
  fromEditor(chunk);
  server.stdin.write(chunk);
});
process.stdin.on("end", () => server.stdin.end());
server.stdout.on("data", (chunk: Buffer) => {
  fromBurrow(chunk);
  process.stdout.write(chunk);
});
server.on("exit", (code) => process.exit(code ?? 0));
