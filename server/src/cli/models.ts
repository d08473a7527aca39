/**
 * `burrow models list|recommend|pull NAME`: the models installed in the local runtimes, the model
 * this machine's hardware suggests (and why), and downloading a model into Ollama with a progress
 * bar whose figures are summed over the model's layers. Exit codes follow the contract: 0 done,
 * 1 failed, 2 usage error, 3 no model runtime reachable.
 */
import { createModelRouter, type PullProgress } from "../agent/model/index.js";
import { createStateStore, stateDirectory } from "../agent/sandbox/state.js";
import { modelFlagNames, settingsFromFlags, type CommandIo } from "./doctor.js";
import { parseFlags } from "./terminal/args.js";

const usage = `Usage:
  burrow models list [--json]
  burrow models recommend [--json]
  burrow models pull NAME
Options: --provider P, --model M, --ollama-host URL, --lmstudio-host URL
`;

const defaultIo = (): CommandIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

function size(bytes: number | undefined): string {
  if (bytes === undefined) return "";
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} KB`;
  return `${bytes} B`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n") + "\n";
}

export async function main(argv: string[], io: CommandIo = defaultIo()): Promise<number> {
  const flags = parseFlags(argv, { values: modelFlagNames, switches: ["json", "help"] });
  if (!flags.ok) {
    io.stderr.write(`burrow models: ${flags.reason}\n${usage}`);
    return 2;
  }
  const [action, ...rest] = flags.positionals;
  if (flags.switches.has("help")) {
    io.stdout.write(usage);
    return 0;
  }
  if (action !== "list" && action !== "recommend" && action !== "pull") {
    io.stderr.write(action ? `burrow models: unknown action "${action}".\n${usage}` : usage);
    return 2;
  }
  if (action === "pull" ? rest.length !== 1 : rest.length !== 0) {
    io.stderr.write(action === "pull" ? `burrow models pull: name one model, e.g. burrow models pull qwen2.5-coder:7b.\n` : `burrow models ${action}: unexpected argument "${rest[0]}".\n`);
    return 2;
  }
  const router = createModelRouter({ settings: settingsFromFlags(flags.values), env: io.env, state: createStateStore(stateDirectory(io.env)) });
  try {
    if (action === "list") return await list(router, io, flags.switches.has("json"));
    if (action === "recommend") return await recommendModel(router, io, flags.switches.has("json"));
    return await pull(router, rest[0]!, io);
  } finally {
    await router.dispose();
  }
}

type Router = ReturnType<typeof createModelRouter>;

async function list(router: Router, io: CommandIo, json: boolean): Promise<number> {
  const listing = await router.listModels();
  if (!listing.ok) {
    io.stderr.write(`burrow models list: ${listing.reason}\n`);
    return 3;
  }
  if (json) {
    io.stdout.write(JSON.stringify({ models: listing.models, runtimes: listing.runtimes.map(({ models: _models, ...r }) => r) }, null, 2) + "\n");
    return 0;
  }
  for (const runtime of listing.runtimes.filter((r) => r.reachable)) {
    io.stdout.write(`${runtime.label} at ${runtime.url}${runtime.version ? ` (${runtime.version})` : ""}\n`);
    if (runtime.models.length === 0) {
      io.stdout.write("  no models installed\n");
      continue;
    }
    const rows = [["  NAME", "SIZE", "PARAMETERS", "QUANTIZATION", "LOADED"]];
    for (const m of runtime.models) {
      rows.push([`  ${m.name}`, size(m.sizeBytes), m.parameterSize ?? "", m.quantization ?? "", m.loaded ? "yes" : ""]);
    }
    io.stdout.write(table(rows));
  }
  return 0;
}

async function recommendModel(router: Router, io: CommandIo, json: boolean): Promise<number> {
  const rec = await router.recommend();
  if (json) {
    io.stdout.write(JSON.stringify(rec, null, 2) + "\n");
    return 0;
  }
  io.stdout.write(`${rec.model}, context of ${rec.contextTokens} tokens${rec.cpu ? ", on the CPU" : ""}\n`);
  io.stdout.write(`Why: ${rec.reason}\n`);
  for (const alt of rec.alternatives) io.stdout.write(`Also possible: ${alt.model}: ${alt.note}\n`);
  if (rec.installed === true) io.stdout.write(`It is installed.\n`);
  else if (rec.installed === false) io.stdout.write(`It is not installed yet: burrow models pull ${rec.model}\n`);
  else io.stdout.write(`Ollama is not running, so whether it is installed is unknown. Start it with \`ollama serve\`, then: burrow models pull ${rec.model}\n`);
  return 0;
}

/** A bar on a terminal; on a pipe, one line per phase and per tenth of the download. */
function progressPrinter(io: CommandIo, model: string) {
  const tty = io.stderr.isTTY === true;
  let lastStatus = "";
  let lastTenth = -1;
  let drawn = false;
  return {
    update(p: PullProgress) {
      const downloading = p.status.startsWith("pulling ") && p.status !== "pulling manifest";
      if (tty) {
        if (downloading && p.totalBytes > 0) {
          const fraction = Math.min(1, p.completedBytes / p.totalBytes);
          const width = 30;
          const filled = Math.round(fraction * width);
          io.stderr.write(
            `\r\u001b[K${model} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${size(p.completedBytes)} / ${size(p.totalBytes)}`,
          );
          drawn = true;
        } else if (p.status !== lastStatus) {
          io.stderr.write(`${drawn ? "\n" : ""}${p.status}\n`);
          drawn = false;
        }
      } else if (downloading && p.totalBytes > 0) {
        const tenth = Math.floor((p.completedBytes / p.totalBytes) * 10);
        if (tenth !== lastTenth) {
          lastTenth = tenth;
          io.stderr.write(`${model}: ${tenth * 10}% (${size(p.completedBytes)} of ${size(p.totalBytes)})\n`);
        }
      } else if (p.status !== lastStatus) {
        io.stderr.write(`${model}: ${p.status}\n`);
      }
      lastStatus = p.status;
    },
    finish() {
      if (tty && drawn) io.stderr.write("\n");
    },
  };
}

async function pull(router: Router, model: string, io: CommandIo): Promise<number> {
  const printer = progressPrinter(io, model);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  try {
    const result = await router.pull(model, (p) => printer.update(p), controller.signal);
    printer.finish();
    if (result.ok) {
      io.stdout.write(`Pulled ${model}.\n`);
      return 0;
    }
    io.stderr.write(`burrow models pull: ${result.reason}\n`);
    return result.code === "runtime-unreachable" ? 3 : 1;
  } finally {
    process.off("SIGINT", onSignal);
  }
}
