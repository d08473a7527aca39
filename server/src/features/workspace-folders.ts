/**
 * `workspace/didChangeWorkspaceFolders`: a folder the editor adds is granted to the sandbox (or the
 * refusal logged), a folder it removes is revoked, which cancels the tasks working in it.
 */
import type { Connection } from "vscode-languageserver";
import { fileUriToPath } from "../agent/sandbox/uri.js";
import type { Workspace } from "../agent/sandbox/types.js";

export function followWorkspaceFolders(connection: Connection, workspace: Workspace, log: (m: string) => void): void {
  connection.workspace.onDidChangeWorkspaceFolders(async (event) => {
    for (const f of event.added) {
      const path = fileUriToPath(f.uri);
      if (path) {
        const granted = await workspace.grant(path);
        if (!granted.ok) log(`Workspace folder ${f.uri} was not granted: ${granted.reason}`);
      }
    }
    for (const f of event.removed) {
      const path = fileUriToPath(f.uri);
      if (path) workspace.revoke(path);
    }
  });
}
