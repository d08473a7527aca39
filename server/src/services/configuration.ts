/**
 * Settings that change while the server runs (the client's `workspace/configuration`). The new
 * section is checked, merged over the settings from `initialize`, and, when anything changed, handed
 * to the sandbox and the model router; tasks read the current settings when they next need them.
 */
import type { Outcome } from "../agent/outcome.js";
import { mergeSettings, parseSettings } from "../agent/settings.js";
import type { Services } from "./build.js";

export async function reloadSettings(services: Services, section: unknown): Promise<Outcome<{ changed: boolean }>> {
  const parsed = parseSettings(section ?? {});
  if (!parsed.ok) return parsed;
  const next = mergeSettings(services.settings.initial, parsed.settings);
  if (JSON.stringify(next) === JSON.stringify(services.settings.current)) return { ok: true, changed: false };
  services.settings.current = next;
  await services.workspace.configure?.(next.sandbox ?? {});
  await services.modelRouter.reconfigure(next);
  return { ok: true, changed: true };
}
