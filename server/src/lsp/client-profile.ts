/**
 * What this client can really do, read once from `initialize`. Every UI decision (which gate
 * channel, whether to send `showDocument`, how changes land) is taken from this profile rather than
 * from the LSP spec's defaults, because editors differ from what they declare (docs/editors.md lists
 * each correction and why): Neovim handles `documentChanges` without declaring it, Helix handles
 * `showDocument` since 24.03 without declaring it, released Helix has no `showMessageRequest`.
 */
import type { InitializeParams } from "vscode-languageserver";

export interface ClientProfile {
  name: string;
  version?: string;
  /** `window/showMessageRequest` is worth sending (declared, and not known to be missing). */
  showMessageRequest: boolean;
  showDocument: boolean;
  applyEdit: boolean;
  documentChanges: boolean;
  resourceOperations: { create: boolean; rename: boolean; delete: boolean };
  workDoneProgress: boolean;
  configuration: boolean;
  /** The client accepts `client/registerCapability` for configuration changes (Helix says no, and warns when asked). */
  configurationRegistration: boolean;
  workspaceFolders: boolean;
  /** The client handles `burrow/taskUpdate` itself (the Neovim plugin, `burrow run`): no gate prompts from the server. */
  handlesTaskUpdates: boolean;
  handlesChatDeltas: boolean;
  isHelix: boolean;
}

export function clientProfile(params: InitializeParams): ClientProfile {
  const caps = params.capabilities ?? {};
  const name = params.clientInfo?.name ?? "unknown";
  const lower = name.toLowerCase();
  const isHelix = lower === "helix";
  const isNeovim = lower === "neovim" || lower === "nvim";
  const workspaceEdit = caps.workspace?.workspaceEdit;
  const ops = new Set(workspaceEdit?.resourceOperations ?? []);
  const experimental = (caps.experimental ?? {}) as { burrow?: { taskUpdate?: boolean; chatDelta?: boolean } };
  const profile: ClientProfile = {
    name,
    showMessageRequest: caps.window?.showMessage !== undefined,
    showDocument: caps.window?.showDocument?.support === true || isHelix,
    applyEdit: caps.workspace?.applyEdit === true,
    documentChanges: workspaceEdit?.documentChanges === true || isNeovim,
    resourceOperations: { create: ops.has("create"), rename: ops.has("rename"), delete: ops.has("delete") },
    workDoneProgress: caps.window?.workDoneProgress === true,
    configuration: caps.workspace?.configuration === true,
    configurationRegistration: caps.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    workspaceFolders: caps.workspace?.workspaceFolders === true,
    handlesTaskUpdates: experimental.burrow?.taskUpdate === true,
    handlesChatDeltas: experimental.burrow?.chatDelta === true,
    isHelix,
  };
  if (params.clientInfo?.version) profile.version = params.clientInfo.version;
  // Neovim's stock applyEdit cannot create a file in a folder that does not exist yet (0.7), and
  // leaves an extra blank line in a created file; Burrow's plugin handles both, plain Neovim gets
  // new files written by Burrow instead.
  if (isNeovim && !profile.handlesTaskUpdates) profile.resourceOperations.create = false;
  return profile;
}
