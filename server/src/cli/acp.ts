/**
 * `burrow acp`: Burrow as an Agent Client Protocol agent on stdin and stdout, for editors that
 * start coding agents over ACP (Zed, JetBrains IDEs, CodeCompanion and avante in Neovim, acpx).
 * This module only reads the flags; the agent itself is server/src/acp/.
 *
 * Settings come from the flags, because an ACP client has no channel for them: editors put the
 * flags in their agent configuration (docs/acp.md).
 */
import { parseSettings, type Settings } from "../agent/settings.js";
import { parseFlags } from "./terminal/args.js";
import { EXIT } from "./terminal/outcomes.js";

const USAGE = `Usage: burrow acp [--provider P] [--model M] [--settings JSON]

Serves the Agent Client Protocol on stdin and stdout. Editors start this command themselves; see
docs/acp.md for Zed, JetBrains IDEs, CodeCompanion and avante. Each session may read and write only
the folder the editor opens it in (and the extra folders it names).

  --provider P      the model provider (ollama, lmstudio, or a configured cloud name)
  --model M         the model for tasks and chat
  --settings JSON   any other settings, as docs/configuration.md describes them
`;

export async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { values: ["provider", "model", "settings"], switches: ["help"] });
  if (!flags.ok) return usageError(flags.reason);
  if (flags.switches.has("help")) {
    process.stdout.write(USAGE);
    return EXIT.done;
  }
  if (flags.positionals.length > 0) return usageError(`burrow acp takes no arguments, only flags (got "${flags.positionals.join(" ")}").`);
  const settings = settingsFrom(flags.values);
  if (typeof settings === "string") return usageError(settings);
  const { startAcpServer } = await import("../acp/agent.js");
  startAcpServer({ env: process.env, settings });
  return -1; // the connection decides when the process ends
}

function settingsFrom(values: Record<string, string | undefined>): Settings | string {
  let raw: Record<string, unknown> = {};
  if (values.settings !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(values.settings);
    } catch (err) {
      return `--settings is not valid JSON: ${err instanceof Error ? err.message : String(err)}.`;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return "--settings must be a JSON object.";
    raw = parsed as Record<string, unknown>;
  }
  if (values.provider) raw = { ...raw, provider: values.provider };
  if (values.model) raw = { ...raw, models: { ...(raw.models as object | undefined), coder: values.model, chat: values.model } };
  const parsed = parseSettings(raw);
  return parsed.ok ? parsed.settings : parsed.reason;
}

function usageError(reason: string): number {
  process.stderr.write(`burrow acp: ${reason}\n\n${USAGE}`);
  return EXIT.usage;
}
