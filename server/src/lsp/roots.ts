/**
 * The folders granted at start-up, read from `initialize`: the workspace folders, else the root
 * URI, else the deprecated root path (older clients send only that).
 */
import type { InitializeParams } from "vscode-languageserver";
import { fileUriToPath } from "../agent/sandbox/uri.js";

export function rootsOf(params: InitializeParams): string[] {
  const folders = params.workspaceFolders ?? [];
  const fromFolders = folders.map((f) => fileUriToPath(f.uri)).filter((p): p is string => p !== null);
  if (fromFolders.length > 0) return fromFolders;
  if (params.rootUri) {
    const p = fileUriToPath(params.rootUri);
    if (p) return [p];
  }
  if (params.rootPath) return [params.rootPath];
  return [];
}
