/**
 * Settings from the client while the server runs: after `initialized`, and on every
 * `workspace/didChangeConfiguration`, the `burrow` section is asked for with
 * `workspace/configuration` (the notification's own payload differs between editors, so it is
 * only a signal). A section Burrow cannot use is shown as a warning and changes nothing.
 */
import { DidChangeConfigurationNotification, MessageType, ShowMessageNotification, type Connection } from "vscode-languageserver";
import { reloadSettings } from "../services/configuration.js";
import type { Running } from "./lifecycle.js";

export async function refreshConfiguration(connection: Connection, running: Running | undefined, log: (m: string) => void): Promise<void> {
  if (!running?.profile.configuration) return;
  let section: unknown;
  try {
    section = await connection.workspace.getConfiguration("burrow");
  } catch (err) {
    log(`workspace/configuration failed: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const reloaded = await reloadSettings(running.services, section);
  if (!reloaded.ok) {
    void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: reloaded.reason });
    return;
  }
  if (reloaded.changed) log("Settings updated from workspace/configuration.");
}

/** Ask to be told of configuration changes, where the client lets a server register for them. */
export function watchConfiguration(connection: Connection): void {
  void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
}
