/**
 * How approved changes land, chosen by the client's profile: `workspace/applyEdit` for editors that
 * support it, atomic disk writes through the sandbox otherwise (and for creations or deletions the
 * client cannot perform).
 *
 * An editor's `applied: true` is not trusted alone (Zed always says true, Neovim 0.12 says true
 * after "No"): Burrow then waits for the text the editor syncs back, or the file on disk, to equal
 * the proposal, and names the files it could not confirm.
 */
import type { Connection } from "vscode-languageserver";
import { hashText } from "../agent/sandbox/hash.js";
import type { Workspace } from "../agent/sandbox/types.js";
import { currentText, type ApplyReport, type EditorHost, type FileToApply } from "../agent/task/editor.js";
import type { Outcome } from "../agent/outcome.js";
import type { ClientProfile } from "../lsp/client-profile.js";
import { workspaceEditFor } from "../lsp/workspace-edit.js";
import type { OpenDocuments } from "./documents.js";

/** How long to wait for the editor's text (or the disk) to show an applied edit. */
const VERIFY_TIMEOUT_MS = 4000;

export function editorHost(options: {
  connection: Connection;
  profile: () => ClientProfile;
  documents: OpenDocuments;
  workspace: () => Workspace;
  log: (m: string) => void;
}): EditorHost {
  const { connection, documents } = options;

  async function writeToDisk(files: FileToApply[]): Promise<Outcome<{ written: string[] }>> {
    return options.workspace().commit(
      files.map((f) => ({ abs: f.abs, expectedHash: f.before === null ? null : hashText(f.before), text: f.after })),
    );
  }

  /** Wait until every file shows its proposed text, re-checking on each document or disk change. */
  async function verify(files: FileToApply[]): Promise<string[]> {
    const pending = new Set(files);
    const check = async () => {
      for (const f of [...pending]) {
        const now = await currentText(f.abs, (abs) => documents.get(abs), options.workspace());
        if (now === f.after) pending.delete(f);
      }
    };
    await check();
    if (pending.size === 0) return [];
    await new Promise<void>((resolve) => {
      let checking = Promise.resolve();
      const recheck = () => {
        checking = checking.then(check).then(() => {
          if (pending.size === 0) finish();
        });
      };
      const stopDocs = documents.onChange(recheck);
      const stopDisk = options.workspace().watch(recheck);
      const timer = setTimeout(() => void checking.then(check).then(finish), VERIFY_TIMEOUT_MS);
      function finish() {
        clearTimeout(timer);
        stopDocs();
        stopDisk();
        resolve();
      }
    });
    return [...pending].map((f) => f.rel);
  }

  return {
    openDocument: (abs) => documents.get(abs),

    async apply(files, label): Promise<Outcome<ApplyReport>> {
      // Checked when proposed, and again here, just before anything is sent: a folder revoked or a
      // symlink swapped in since the proposal must not let a write through.
      for (const f of files) {
        const where = await options.workspace().locate(f.abs, "write");
        if (!where.ok || where.abs !== f.abs) {
          return { ok: false, reason: `Burrow will not write ${f.rel}: ${where.ok ? "its path now resolves somewhere else" : where.reason}. Nothing was applied.` };
        }
      }
      const profile = options.profile();
      if (!profile.applyEdit) {
        const written = await writeToDisk(files);
        return written.ok ? { ok: true, unverified: [], via: "disk" } : written;
      }
      const plan = workspaceEditFor(files, profile, (abs) => documents.get(abs));
      if (plan.viaDisk.length > 0) {
        const written = await writeToDisk(plan.viaDisk);
        if (!written.ok) return written;
      }
      if (plan.viaEditor.length === 0) return { ok: true, unverified: [], via: "disk" };
      let result;
      try {
        result = await connection.workspace.applyEdit({ label, edit: plan.edit });
      } catch (err) {
        return { ok: false, reason: `The editor could not apply the changes: ${err instanceof Error ? err.message : String(err)}.` };
      }
      if (!result.applied) {
        const why = result.failureReason ? `: ${result.failureReason}` : "";
        return { ok: false, reason: `The editor refused the changes${why}. Nothing was written by Burrow; retry once the files are saved or closed.` };
      }
      const unverified = await verify(plan.viaEditor);
      if (unverified.length > 0) options.log(`applyEdit reported success but ${unverified.length} file(s) did not show the proposed text.`);
      return { ok: true, unverified, via: "editor" };
    },
  };
}
