/**
 * `burrow context --root DIR [--budget TOKENS] [--json] [--limit N] [--verbose] "<task>"`: the
 * ranked files and the repo map the task pipeline would put in front of the model, from the same
 * engine, for debugging and evaluation. With `--json` it prints
 * `{"files": [{"path", "score"}...], "map": "...", "tokens": N}`, files best first and paths
 * relative to the root. The index cache lives under Burrow's state directory, so a second run on
 * the same folder reads only what changed.
 *
 * Exit codes: 0 printed, 2 usage error (a missing or unknown flag, a folder that cannot be granted).
 */
import { readOptions } from "./terminal/args.js";
import { createContextEngine } from "../agent/context/index.js";
import { createStateStore, createWorkspace } from "../agent/sandbox/index.js";

const USAGE = `Usage: burrow context --root DIR [--budget TOKENS] [--json] [--limit N] [--verbose] "<task>"

  --root DIR       the folder to index (required)
  --budget TOKENS  token budget for the rendered map (default 2048)
  --json           print {"files": [{"path", "score"}], "map", "tokens"}
  --limit N        how many ranked files to list (default 50)
  --verbose        report indexing progress on stderr
`;

interface Options {
  root: string;
  budget: number;
  json: boolean;
  limit: number;
  verbose: boolean;
  task: string;
}

function parseArgs(argv: string[]): Options | string {
  let root: string | undefined;
  let budget = 2048;
  let limit = 50;
  let json = false;
  let verbose = false;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string | undefined => {
      const eq = arg.indexOf("=");
      if (eq > 0) return arg.slice(eq + 1);
      i++;
      return argv[i];
    };
    const name = arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg;
    if (name === "--root") {
      root = value();
      if (!root) return "--root needs a folder.";
    } else if (name === "--budget") {
      const v = Number(value());
      if (!Number.isInteger(v) || v <= 0) return "--budget needs a positive whole number of tokens.";
      budget = v;
    } else if (name === "--limit") {
      const v = Number(value());
      if (!Number.isInteger(v) || v <= 0) return "--limit needs a positive whole number.";
      limit = v;
    } else if (arg === "--json") json = true;
    else if (arg === "--verbose") verbose = true;
    else if (arg === "--") words.push(...argv.slice(i + 1)), (i = argv.length);
    else if (arg.startsWith("--")) return `Unknown option ${arg}.`;
    else words.push(arg);
  }
  if (!root) return "Name the folder to index with --root DIR.";
  const task = words.join(" ").trim();
  if (task === "") return "Describe the task in quotes after the options.";
  return { root, budget, json, limit, verbose, task };
}

export async function main(argv: string[]): Promise<number> {
  const read = readOptions(argv, "burrow context", USAGE, parseArgs);
  if (!read.ok) return read.exitCode;
  const options = read.options;
  const log = (message: string) => {
    if (options.verbose) process.stderr.write(`${message}\n`);
  };
  const state = createStateStore();
  const reasons: string[] = [];
  const workspace = await createWorkspace({ roots: [options.root], state, log: (m) => (reasons.push(m), log(m)) });
  if (workspace.roots().length === 0) {
    process.stderr.write(`burrow context: ${reasons[0] ?? `"${options.root}" cannot be granted.`}\n`);
    return 2;
  }
  const engine = createContextEngine({ workspace, state, log });
  try {
    const result = await engine.build({ task: options.task, budgetTokens: options.budget });
    const files = result.files.slice(0, options.limit);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ files, map: result.map, tokens: result.tokens })}\n`);
    } else {
      const lines = [`Ranked files for "${options.task}" (best first):`];
      files.forEach((f, i) => lines.push(`${String(i + 1).padStart(4)}. ${f.score.toFixed(3).padStart(7)}  ${f.path}`));
      if (files.length === 0) lines.push("  (no file matches the task's words)");
      lines.push("", `Repo map (${result.tokens} of ${options.budget} tokens):`, result.map);
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    await engine.flush();
    return 0;
  } finally {
    engine.dispose();
  }
}
