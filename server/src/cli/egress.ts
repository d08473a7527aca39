/**
 * `burrow egress [--json]`: the ledger of every request that left this machine (time, task,
 * provider, host, bytes sent and received, and which workspace files were included, never their
 * content), read from the state directory. An empty ledger is the answer most users hope for.
 */
import { readLedger, type LedgerEntry } from "../agent/model/index.js";
import { createStateStore, stateDirectory } from "../agent/sandbox/state.js";
import type { CommandIo } from "./doctor.js";
import { parseFlags } from "./terminal/args.js";

const defaultIo = (): CommandIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

function bytes(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} KB`;
  return `${n} B`;
}

export function renderLedger(entries: LedgerEntry[], where: string): string {
  if (entries.length === 0) return `Nothing has left this machine: the ledger (${where}) is empty.\n`;
  const lines: string[] = [];
  let sent = 0;
  let received = 0;
  for (const e of entries) {
    sent += e.bytesSent;
    received += e.bytesReceived;
    lines.push(
      `${e.time}  ${e.owner}  ${e.provider} → ${e.host}${e.path}  sent ${bytes(e.bytesSent)}, received ${bytes(e.bytesReceived)}${e.outcome === "complete" ? "" : ` (${e.outcome})`}`,
    );
    lines.push(`    files: ${e.files.length > 0 ? e.files.join(", ") : "none"}`);
  }
  const hosts = new Set(entries.map((e) => e.host));
  lines.push("");
  lines.push(`${entries.length} request${entries.length === 1 ? "" : "s"} to ${hosts.size} host${hosts.size === 1 ? "" : "s"}: ${bytes(sent)} sent, ${bytes(received)} received. Ledger: ${where}`);
  return lines.join("\n") + "\n";
}

export async function main(argv: string[], io: CommandIo = defaultIo()): Promise<number> {
  const flags = parseFlags(argv, { values: [], switches: ["json", "help"] });
  if (!flags.ok || flags.positionals.length > 0) {
    io.stderr.write(`burrow egress: ${flags.ok ? `unexpected argument "${flags.positionals[0]}".` : flags.reason}\nUsage: burrow egress [--json]\n`);
    return 2;
  }
  if (flags.switches.has("help")) {
    io.stdout.write("Usage: burrow egress [--json]\n");
    return 0;
  }
  const state = createStateStore(stateDirectory(io.env));
  const entries = await readLedger(state);
  io.stdout.write(flags.switches.has("json") ? JSON.stringify(entries, null, 2) + "\n" : renderLedger(entries, state.pathOf("egress/ledger.jsonl")));
  return 0;
}
