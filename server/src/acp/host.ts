/**
 * The agent core's `EditorHost` for an ACP session: which buffers the editor holds, and how
 * approved changes land. Where the client offers `fs/read_text_file`, Burrow reads the files a task
 * works on through it, so it sees unsaved buffers; where it offers `fs/write_text_file`, approved
 * files are written through it, so the editor's buffers and undo stay right. Otherwise the
 * sandbox's own atomic, all-or-nothing writes are used.
 *
 * The client's file system is never a way around the sandbox: every path is located by the
 * sandbox first (containment on resolved paths, secret and ignore rules, write refusals), and only
 * the path the sandbox answers is ever sent to the client.
 *
 * The core asks for open documents synchronously, so the buffers are read ahead: the document a
 * prompt points at when the turn starts, the planned files when the plan arrives, and the proposed
 * files again just before gate 2 is decided (which is what lets the conflict check see an edit made
 * in the editor meanwhile). What was read belongs to one task and is forgotten when it ends.
 */
import { hashText } from "../agent/sandbox/hash.js";
import type { Intent, Workspace } from "../agent/sandbox/types.js";
import { DEFAULT_MAX_FILE_BYTES, type Settings } from "../agent/settings.js";
import type { Outcome } from "../agent/outcome.js";
import type { ApplyReport, EditorHost, FileToApply, OpenDocument } from "../agent/task/editor.js";
import type { AgentContext, ClientCapabilities } from "@agentclientprotocol/sdk";

export interface ClientFileAccess {
  /** The client's `fs` capabilities from `initialize`. */
  capabilities: ClientCapabilities;
  client: AgentContext;
  sessionId: string;
  workspace: () => Workspace;
  settings: () => Settings;
  log: (message: string) => void;
}

export class AcpEditorHost implements EditorHost {
  private readonly buffers = new Map<string, OpenDocument>();
  private version = 0;

  constructor(private readonly access: ClientFileAccess) {}

  get readsThroughClient(): boolean {
    return this.access.capabilities.fs?.readTextFile === true;
  }

  get writesThroughClient(): boolean {
    return this.access.capabilities.fs?.writeTextFile === true;
  }

  openDocument(abs: string): OpenDocument | undefined {
    return this.buffers.get(abs);
  }

  /** Forget every buffer read so far (a task ended; the next one reads afresh). */
  forget(): void {
    this.buffers.clear();
  }

  /**
   * Take the text a client embedded in a prompt as that file's buffer, if the sandbox lets Burrow
   * read the file at all. Returns the resolved path, or undefined when the sandbox refused it.
   */
  async remember(pathOrUri: string, text: string): Promise<string | undefined> {
    const located = await this.access.workspace().locate(pathOrUri, "read");
    if (!located.ok || !this.acceptable(text)) return undefined;
    this.buffers.set(located.abs, { text, version: ++this.version });
    return located.abs;
  }

  /**
   * Read files through the client, each after the sandbox located it for `intent`. A file the
   * client cannot read (it does not exist yet, or the client refused) keeps no buffer, so the core
   * reads the disk through the sandbox as it would without an editor.
   */
  async readAhead(paths: Array<{ path: string; intent: Intent }>): Promise<void> {
    if (!this.readsThroughClient) return;
    for (const { path, intent } of paths) {
      const located = await this.access.workspace().locate(path, intent);
      if (!located.ok) continue;
      const text = await this.readFromClient(located.abs);
      if (text === undefined) this.buffers.delete(located.abs);
      else this.buffers.set(located.abs, { text, version: ++this.version });
    }
  }

  // `fs/write_text_file` carries no label, so the undo label the LSP host shows has no place here.
  async apply(files: FileToApply[], _label: string): Promise<Outcome<ApplyReport>> {
    // Checked when proposed, and again here, just before anything is sent: a symlink swapped in
    // since the proposal must not let a write through, whoever performs it.
    for (const f of files) {
      const where = await this.access.workspace().locate(f.abs, "write");
      if (!where.ok || where.abs !== f.abs) {
        return { ok: false, reason: `Burrow will not write ${f.rel}: ${where.ok ? "its path now resolves somewhere else" : where.reason}. Nothing was applied.` };
      }
    }
    // ACP has no way to delete a file, so deletions are always Burrow's own (journaled) writes.
    const throughClient = this.writesThroughClient ? files.filter((f) => f.after !== null) : [];
    const onDisk = files.filter((f) => !throughClient.includes(f));
    const written: FileToApply[] = [];
    for (const f of throughClient) {
      try {
        await this.access.client.request("fs/write_text_file", { sessionId: this.access.sessionId, path: f.abs, content: f.after ?? "" });
      } catch (err) {
        return this.undoWrites(written, `The editor could not write ${f.rel}: ${err instanceof Error ? err.message : String(err)}.`);
      }
      written.push(f);
      this.buffers.set(f.abs, { text: f.after ?? "", version: ++this.version });
    }
    if (onDisk.length > 0) {
      const committed = await this.access.workspace().commit(onDisk.map((f) => ({ abs: f.abs, expectedHash: f.before === null ? null : hashText(f.before), text: f.after })));
      if (!committed.ok) return this.undoWrites(written, committed.reason);
    }
    if (throughClient.length === 0) return { ok: true, unverified: [], via: "disk" };
    return { ok: true, unverified: await this.unconfirmed(throughClient), via: "editor" };
  }

  /** A write failed part way: put back what the editor already wrote, and say what could not be. */
  private async undoWrites(written: FileToApply[], reason: string): Promise<{ ok: false; reason: string }> {
    const restored = await this.restore(written);
    const stuck = written.filter((w) => !restored.includes(w)).map((w) => w.rel);
    this.access.log(`An apply through the editor failed; ${restored.length} of ${written.length} file(s) already written were written back.`);
    if (written.length === 0) return { ok: false, reason: `${reason} Nothing was written.` };
    const back = stuck.length === 0 ? "were written back" : `were written back, except ${stuck.join(", ")}, which now hold the proposal`;
    return { ok: false, reason: `${reason} The ${written.length} file(s) already written ${back}.` };
  }

  /** Files whose text, read back through the client, is not what was written. */
  private async unconfirmed(files: FileToApply[]): Promise<string[]> {
    if (!this.readsThroughClient) return [];
    const out: string[] = [];
    for (const f of files) if ((await this.readFromClient(f.abs)) !== f.after) out.push(f.rel);
    return out;
  }

  /** Put back the text of files already written when a later write failed; returns those restored. */
  private async restore(written: FileToApply[]): Promise<FileToApply[]> {
    const restored: FileToApply[] = [];
    for (const f of written) {
      try {
        if (f.before === null) {
          const removed = await this.access.workspace().commit([{ abs: f.abs, expectedHash: hashText(f.after ?? ""), text: null }]);
          if (!removed.ok) continue;
        } else {
          await this.access.client.request("fs/write_text_file", { sessionId: this.access.sessionId, path: f.abs, content: f.before });
        }
        restored.push(f);
      } catch {
        // Reported by name in the refusal; nothing more can be done through this client.
      }
    }
    return restored;
  }

  private async readFromClient(abs: string): Promise<string | undefined> {
    try {
      const answer = await this.access.client.request("fs/read_text_file", { sessionId: this.access.sessionId, path: abs });
      return typeof answer.content === "string" && this.acceptable(answer.content) ? answer.content : undefined;
    } catch (err) {
      this.access.log(`fs/read_text_file was refused for ${abs}: ${err instanceof Error ? err.message : String(err)}; reading the disk instead.`);
      return undefined;
    }
  }

  /** The sandbox's size and binary limits hold for a buffer as they do for a file on disk. */
  private acceptable(text: string): boolean {
    const limit = this.access.settings().sandbox?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    return Buffer.byteLength(text, "utf8") <= limit && !text.includes("\0");
  }
}
