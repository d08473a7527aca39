/**
 * The files a chat question brings along, seen only through the sandbox: the document the user has
 * open (its text comes from the editor, but whether the model may see that path is the sandbox's
 * decision, so a `.env` open in a buffer stays private), and the files named in the prompt. Every
 * file the model is not shown is reported with the sandbox's own reason; chat never reads around it.
 */
import type { ListedFile, Workspace } from "../sandbox/types.js";
import { findMentions, MAX_MENTIONS } from "./mentions.js";
import type { ChatDocument, NamedFile, Unavailable } from "./prompt.js";

export interface ChatContext {
  document?: ChatDocument;
  named: NamedFile[];
  unavailable: Unavailable[];
  /** Workspace-relative paths of every file whose text goes to the model (for the egress ledger). */
  files: string[];
}

export async function gatherChatContext(
  workspace: Workspace,
  prompt: string,
  document: ChatDocument | undefined,
): Promise<ChatContext> {
  const unavailable: Unavailable[] = [];
  const files: string[] = [];
  const seen = new Set<string>();
  let shownDocument: ChatDocument | undefined;

  if (document) {
    const verdict = await documentVerdict(workspace, document.path);
    if (verdict.ok) {
      shownDocument = { ...document, path: verdict.rel ?? document.path };
      if (verdict.abs) seen.add(verdict.abs);
      files.push(verdict.rel ?? document.path);
    } else {
      unavailable.push({ path: document.path, reason: verdict.reason });
    }
  }

  const named: NamedFile[] = [];
  let listing: ListedFile[] | undefined;
  const listed = async () => (listing ??= await workspace.list());
  const mentions = findMentions(prompt);
  for (const mention of mentions.slice(0, MAX_MENTIONS)) {
    const found = await readMention(workspace, mention.name, listed);
    if (found.ok) {
      if (seen.has(found.abs)) continue;
      seen.add(found.abs);
      named.push({ path: found.rel, text: found.text });
      files.push(found.rel);
    } else if (mention.explicit || found.exists) {
      unavailable.push({ path: mention.name, reason: found.reason });
    }
  }
  for (const mention of mentions.slice(MAX_MENTIONS)) {
    if (mention.explicit) {
      unavailable.push({ path: mention.name, reason: `Burrow shows at most ${MAX_MENTIONS} named files per question` });
    }
  }
  return { ...(shownDocument ? { document: shownDocument } : {}), named, unavailable, files };
}

type DocumentVerdict = { ok: true; abs?: string; rel?: string } | { ok: false; reason: string };

/**
 * May the model see the open document? The editor sends its text, but the path decides: a file the
 * sandbox would show (or one only too large for the read limit, which the prompt budget trims
 * anyway) is fine, and so is a new, unsaved file inside the workspace with an allowed name.
 */
async function documentVerdict(workspace: Workspace, path: string): Promise<DocumentVerdict> {
  const read = await workspace.read(path);
  if (read.ok) return { ok: true, abs: read.file.abs, rel: read.file.rel };
  const skipped = "skipped" in read ? read.skipped : undefined;
  if (skipped !== undefined) {
    if (skipped.startsWith("too large") && "abs" in read) return { ok: true, abs: read.abs, rel: read.rel };
    return { ok: false, reason: read.reason };
  }
  // Not on disk (yet): the write check refuses secret names and anything outside the folders.
  const located = await workspace.locate(path, "write");
  if (located.ok) return { ok: true, abs: located.abs, rel: located.rel };
  return { ok: false, reason: read.reason };
}

type MentionResult =
  | { ok: true; abs: string; rel: string; text: string }
  | { ok: false; reason: string; exists: boolean };

/**
 * Read a named file: by its path first, then, for a bare file name, by the one visible file with
 * that name. `exists` on a failure says the file is there but withheld (secret, ignored, binary,
 * too large), which is worth telling the user even when the mention was only a guess.
 */
async function readMention(workspace: Workspace, name: string, listed: () => Promise<ListedFile[]>): Promise<MentionResult> {
  const direct = await workspace.read(name);
  if (direct.ok) return { ok: true, abs: direct.file.abs, rel: direct.file.rel, text: direct.file.text };
  if ("skipped" in direct && direct.skipped !== undefined) return { ok: false, reason: direct.reason, exists: true };

  const bare = name.replace(/^\.\//, "");
  const matches = (await listed()).filter((file) => file.rel === bare || file.rel.endsWith(`/${bare}`));
  if (matches.length === 1) {
    const byName = await workspace.read(matches[0]!.abs);
    if (byName.ok) return { ok: true, abs: byName.file.abs, rel: byName.file.rel, text: byName.file.text };
    return { ok: false, reason: byName.reason, exists: true };
  }
  if (matches.length > 1) {
    const some = matches.slice(0, 3).map((file) => file.rel).join(", ");
    return {
      ok: false,
      reason: `${matches.length} files are called that (${some}${matches.length > 3 ? ", …" : ""}); name it with its folder`,
      exists: false,
    };
  }
  return { ok: false, reason: direct.reason, exists: false };
}
