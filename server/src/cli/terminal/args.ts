/**
 * Command-line flags for the terminal commands, on top of node:util's parser: a usage mistake
 * becomes a sentence for the user and exit code 2 rather than a stack trace.
 */
import { parseArgs } from "node:util";
import type { Outcome } from "../../agent/outcome.js";

export interface FlagSpec {
  /** Flags that take a value (`--root DIR` or `--root=DIR`). */
  values: string[];
  /** Flags that stand alone (`--yes-plan`). */
  switches: string[];
}

export type ParsedFlags = Outcome<{ values: Record<string, string | undefined>; switches: Set<string>; positionals: string[] }>;

export function parseFlags(argv: string[], spec: FlagSpec): ParsedFlags {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const name of spec.values) options[name] = { type: "string" };
  for (const name of spec.switches) options[name] = { type: "boolean" };
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    const values: Record<string, string | undefined> = {};
    const switches = new Set<string>();
    for (const name of spec.values) {
      const value = parsed.values[name];
      if (typeof value === "string") {
        if (value.trim() === "") return { ok: false, reason: `--${name} needs a value.` };
        values[name] = value;
      }
    }
    for (const name of spec.switches) if (parsed.values[name] === true) switches.add(name);
    return { ok: true, values, switches, positionals: parsed.positionals };
  } catch (err) {
    return { ok: false, reason: describeParseError(err) };
  }
}

/** node:util's messages are written for programmers; say the same thing for the person typing. */
function describeParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) return `${option} is not an option of this command.`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
    return /argument missing/.test(message) ? `${option} needs a value.` : `${option} does not take a value.`;
  }
  const first = message.split("\n")[0]!.trim();
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/**
 * The opening every subcommand shares: `--help` prints the usage to stdout (exit 0); a usage
 * mistake prints the sentence and the usage to stderr (exit 2); anything else is the options.
 */
export function readOptions<T>(
  argv: string[],
  command: string,
  usage: string,
  parse: (argv: string[]) => T | string,
): { ok: true; options: T } | { ok: false; exitCode: number } {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(usage);
    return { ok: false, exitCode: 0 };
  }
  const options = parse(argv);
  if (typeof options === "string") {
    process.stderr.write(`${command}: ${options}\n\n${usage}`);
    return { ok: false, exitCode: 2 };
  }
  return { ok: true, options };
}
