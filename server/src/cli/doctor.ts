/**
 * `burrow doctor [--json] [--provider P] [--model M] [--ollama-host URL] [--lmstudio-host URL]`:
 * what Burrow sees on this machine (hardware, the recommended model and why, the runtimes and their
 * models, the configured chat and coder models, which cloud keys are present) and what to do next.
 * It always exits 0 when it could write its report, whatever the report says: a machine with no
 * GPU and no runtime is a normal answer, not an error.
 */
import { createModelRouter } from "../agent/model/index.js";
import { createStateStore, stateDirectory } from "../agent/sandbox/state.js";
import type { Settings } from "../agent/settings.js";
import { parseFlags } from "./terminal/args.js";

export interface CommandIo {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): CommandIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/** Settings from the flags the model commands share (the editor passes the rest to the server). */
export function settingsFromFlags(values: Record<string, string | undefined>): Settings {
  const settings: Settings = {};
  if (values.provider) settings.provider = values.provider;
  if (values.model) settings.models = { coder: values.model };
  if (values["ollama-host"]) settings.ollama = { host: values["ollama-host"] };
  if (values["lmstudio-host"]) settings.lmstudio = { host: values["lmstudio-host"] };
  return settings;
}

export const modelFlagNames = ["provider", "model", "ollama-host", "lmstudio-host"];

export async function main(argv: string[], io: CommandIo = defaultIo()): Promise<number> {
  const flags = parseFlags(argv, { values: modelFlagNames, switches: ["json", "help"] });
  if (!flags.ok) {
    io.stderr.write(`burrow doctor: ${flags.reason}\nUsage: burrow doctor [--json] [--provider P] [--model M] [--ollama-host URL] [--lmstudio-host URL]\n`);
    return 2;
  }
  if (flags.switches.has("help")) {
    io.stdout.write("Usage: burrow doctor [--json] [--provider P] [--model M] [--ollama-host URL] [--lmstudio-host URL]\n");
    return 0;
  }
  if (flags.positionals.length > 0) {
    io.stderr.write(`burrow doctor: unexpected argument "${flags.positionals[0]}".\nUsage: burrow doctor [--json]\n`);
    return 2;
  }
  const router = createModelRouter({ settings: settingsFromFlags(flags.values), env: io.env, state: createStateStore(stateDirectory(io.env)) });
  try {
    const { report, text } = await router.doctor();
    io.stdout.write(flags.switches.has("json") ? JSON.stringify(report, null, 2) + "\n" : text);
    return 0;
  } finally {
    await router.dispose();
  }
}
