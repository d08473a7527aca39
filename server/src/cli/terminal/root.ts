/**
 * Checking `--root` before a server is started for it. The sandbox decides what a grantable folder
 * is (it exists, it is a folder, it is not the whole file system, Burrow's state directory is not
 * inside it), so the terminal asks the sandbox the same question the server will ask, and a typo in
 * a path becomes a usage error with the sandbox's sentence instead of a task that cannot start.
 */
import type { Outcome } from "../../agent/outcome.js";
import { createWorkspace } from "../../agent/sandbox/index.js";

export async function checkRoot(root: string): Promise<Outcome<object>> {
  const workspace = await createWorkspace({ roots: [] });
  const granted = await workspace.grant(root);
  return granted.ok ? { ok: true } : { ok: false, reason: granted.reason };
}
