/**
 * The one way files change on disk: a multi-file commit that is all-or-nothing, even if the
 * process is killed half-way, plus the recovery that runs at server start.
 *
 * A commit first re-checks every path (the roots may have been revoked, a link may have appeared)
 * and compares every file with the hash the model saw; any difference refuses the whole batch.
 * Then it writes a journal under the state directory naming every temporary file and a copy of
 * every old file, saves those copies, writes the new contents to temporary files next to their
 * targets (fsync'd, with the old file's mode), marks the journal ready, and only then renames each
 * temporary file over its target. Recovery reads any journal left behind: one that never became
 * ready is rolled back (temporary files removed, targets were never touched); a ready one is
 * completed, and if a file cannot be completed, every file is restored from the saved copies.
 * Either way each file ends wholly old or wholly new, and the batch ends all old or all new.
 *
 * On Linux each target's folder is opened once and every operation goes through that open folder
 * (`/proc/self/fd/N/name`), so a folder swapped for a link after the check cannot redirect a write.
 */
import { promises as fsp, constants as fsc } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import type { Outcome } from "../outcome.js";
import { refuse } from "../outcome.js";
import { hashBytes } from "./hash.js";
import type { LocateResult } from "./locate.js";
import { isMissing, syncDirectory, writeFileAtomic } from "./state.js";
import type { FileWrite, StateStore } from "./types.js";

/** Named points inside a commit; the crash-safety test kills the process at each of them. */
export interface CommitHooks {
  step?(name: string): void | Promise<void>;
}

export interface CommitDeps {
  locate(path: string): Promise<LocateResult>;
  contains(abs: string): boolean;
  state: StateStore;
  log: (message: string) => void;
  hooks?: CommitHooks;
}

interface JournalEntry {
  target: string;
  parent: string;
  temp: string;
  /** Saved copy of the old content (under the state directory), or null when the file did not exist. */
  backup: string | null;
  /** sha256 of the new content, or null for a deletion. */
  newHash: string | null;
  mode: number | null;
}

interface Journal {
  version: 1;
  id: string;
  phase: "prepared" | "ready";
  createdAt: string;
  entries: JournalEntry[];
  /** Folders the commit had to create for new files, shallowest first. */
  createdDirs: string[];
}

const JOURNALS = "journals";
const O_NOFOLLOW = fsc.O_NOFOLLOW ?? 0;
const O_DIRECTORY = fsc.O_DIRECTORY ?? 0;

export async function commitWrites(writes: FileWrite[], deps: CommitDeps): Promise<Outcome<{ written: string[] }>> {
  if (!Array.isArray(writes) || writes.length === 0) return { ok: true, written: [] };
  const step = async (name: string) => deps.hooks?.step?.(name);

  // 1. Every path again, at write time.
  const planned: { write: FileWrite; abs: string; rel: string; old: Uint8Array | null; mode: number | null }[] = [];
  const seen = new Set<string>();
  for (const write of writes) {
    if (write.text === null && write.expectedHash === null) {
      return refuse(`Nothing was written: "${write.abs}" is to be deleted but was never read, so Burrow cannot tell what it would delete.`);
    }
    const where = await deps.locate(write.abs);
    if (!where.ok) return refuse(`Nothing was written: ${where.reason}`);
    if (seen.has(where.abs)) return refuse(`Nothing was written: "${where.rel}" appears twice in one apply.`);
    seen.add(where.abs);
    planned.push({ write, abs: where.abs, rel: where.rel, old: null, mode: where.stat ? where.stat.mode & 0o7777 : null });
  }

  // 2. Every file must still be what the model saw.
  const conflicts: string[] = [];
  for (const item of planned) {
    let current: Uint8Array | null;
    try {
      current = await readCurrent(item.abs);
    } catch (err) {
      if (err instanceof SandboxRefusal) return refuse(err.message);
      throw err;
    }
    item.old = current;
    const matches = item.write.expectedHash === null ? current === null : current !== null && hashBytes(current) === item.write.expectedHash;
    if (!matches) conflicts.push(describeConflict(item.rel, item.write.expectedHash, current));
  }
  if (conflicts.length > 0) return conflictRefusal(conflicts);
  await step("checked");

  const id = `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}`;
  const journalDir = `${JOURNALS}/${id}`;
  const createdDirs = await missingFolders(planned.map((p) => dirname(p.abs)));
  const journal: Journal = {
    version: 1,
    id,
    phase: "prepared",
    createdAt: new Date().toISOString(),
    createdDirs,
    entries: planned.map((item, i) => ({
      target: item.abs,
      parent: dirname(item.abs),
      temp: join(dirname(item.abs), `.${basename(item.abs)}.${id}.burrow-tmp`),
      backup: item.old === null ? null : deps.state.pathOf(`${journalDir}/${i}.old`),
      newHash: item.write.text === null ? null : hashBytes(Buffer.from(item.write.text, "utf8")),
      mode: item.mode,
    })),
  };

  // 3. Journal first, so recovery knows every file this commit may leave behind.
  await deps.state.write(`${journalDir}/journal.json`, JSON.stringify(journal, null, 2));
  await step("journal-prepared");
  const pinned = new Map<string, PinnedFolder>();
  try {
    for (let i = 0; i < planned.length; i++) {
      const old = planned[i]!.old;
      if (old !== null) await writeFileAtomic(journal.entries[i]!.backup!, old);
    }
    await step("backups-saved");
    for (const dir of createdDirs) {
      await fsp.mkdir(dir, { mode: 0o777 }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "EEXIST") throw err;
      });
      const stat = await fsp.lstat(dir);
      if (!stat.isDirectory()) throw new SandboxRefusal(`"${dir}" changed while Burrow was creating it; nothing was written.`);
    }
    for (const entry of journal.entries) {
      if (!pinned.has(entry.parent)) pinned.set(entry.parent, await pinFolder(entry.parent, deps.contains));
    }
    for (let i = 0; i < planned.length; i++) {
      const entry = journal.entries[i]!;
      const text = planned[i]!.write.text;
      if (text === null) continue;
      await writeTemp(pinned.get(entry.parent)!, basename(entry.temp), Buffer.from(text, "utf8"), entry.mode);
      await step(`temp-written:${i}`);
    }
    for (const folder of pinned.values()) await folder.sync();

    // 4. A last look: nothing changed while the temporary files were written, nothing was revoked.
    const late: string[] = [];
    for (const item of planned) {
      if (!deps.contains(item.abs)) throw new SandboxRefusal(`"${item.rel}" is no longer inside a granted folder; nothing was written.`);
      const current = await readCurrent(item.abs);
      const same = item.old === null ? current === null : current !== null && Buffer.compare(Buffer.from(current), Buffer.from(item.old)) === 0;
      if (!same) late.push(describeConflict(item.rel, item.write.expectedHash, current));
    }
    if (late.length > 0) throw new ConflictFound(late);
    for (const folder of pinned.values()) await folder.verify();

    journal.phase = "ready";
    await deps.state.write(`${journalDir}/journal.json`, JSON.stringify(journal, null, 2));
    await step("journal-ready");
  } catch (err) {
    // Nothing has replaced a target yet: removing what this commit created undoes it.
    await rollBackPrepared(journal, pinned);
    await finishJournal(deps.state, journalDir);
    for (const folder of pinned.values()) await folder.close();
    if (err instanceof ConflictFound) return conflictRefusal(err.conflicts);
    if (err instanceof SandboxRefusal) return refuse(err.message);
    const code = (err as NodeJS.ErrnoException).code;
    return refuse(`Nothing was written: Burrow could not prepare the files (${code ?? (err as Error).message}).`);
  }

  // 5. The point of no return: renames. A failure here restores every renamed file from its saved copy.
  let renamed = 0;
  try {
    for (let i = 0; i < journal.entries.length; i++) {
      const entry = journal.entries[i]!;
      const folder = pinned.get(entry.parent)!;
      await folder.verify();
      if (entry.newHash === null) await folder.unlink(basename(entry.target));
      else await folder.rename(basename(entry.temp), basename(entry.target));
      renamed = i + 1;
      await step(`renamed:${i}`);
    }
    for (const folder of pinned.values()) await folder.sync();
  } catch (err) {
    deps.log(`Apply ${id} failed part-way (${(err as Error).message}); restoring every file from the journal.`);
    await rollBackPinned(journal, pinned, renamed, deps.log);
    await finishJournal(deps.state, journalDir);
    for (const folder of pinned.values()) await folder.close();
    const reason = err instanceof SandboxRefusal ? err.message : `Burrow could not finish writing (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    return refuse(`Nothing was written: ${reason}. Every file was restored to what it was before.`);
  }
  for (const folder of pinned.values()) await folder.close();
  await step("renamed-all");
  await finishJournal(deps.state, journalDir);
  await step("journal-removed");
  return { ok: true, written: planned.map((p) => p.abs) };
}

/**
 * Finish or undo every apply a crash interrupted. Run at server start, before any task: afterwards
 * each file a journal names is wholly old or wholly new, and the whole batch agrees.
 */
export async function recoverJournals(
  state: StateStore,
  log: (message: string) => void = () => {},
  hooks?: CommitHooks,
): Promise<{ completed: number; rolledBack: number }> {
  const step = async (name: string) => hooks?.step?.(name);
  let completed = 0;
  let rolledBack = 0;
  for (const id of await state.list(JOURNALS)) {
    const text = await state.read(`${JOURNALS}/${id}/journal.json`);
    if (text === null) {
      // The commit died before its journal existed: it changed nothing outside the state directory.
      await state.remove(`${JOURNALS}/${id}`);
      continue;
    }
    let journal: Journal;
    try {
      journal = JSON.parse(text) as Journal;
    } catch {
      throw new Error(`The apply journal ${state.pathOf(`${JOURNALS}/${id}/journal.json`)} is corrupt; inspect it and remove it by hand before starting Burrow again.`);
    }
    // Recovery may itself be interrupted: every branch below can run again from the start.
    await step("recover-start");
    if (journal.phase === "prepared") {
      await rollBackPrepared(journal, new Map());
      rolledBack++;
      log(`Rolled back an unfinished apply (${journal.entries.length} files) from ${journal.createdAt}; no file had changed.`);
    } else if (await completeReady(journal, log, step)) {
      completed++;
      log(`Completed an interrupted apply (${journal.entries.length} files) from ${journal.createdAt}.`);
    } else {
      await rollBackReady(journal, log, step);
      rolledBack++;
      log(`Restored ${journal.entries.length} files from an interrupted apply of ${journal.createdAt}, which could not be completed.`);
    }
    await step("recover-finishing");
    await finishJournal(state, `${JOURNALS}/${id}`);
  }
  return { completed, rolledBack };
}

/** Roll a ready journal forward; false when some file is neither new nor finishable. */
async function completeReady(journal: Journal, log: (message: string) => void, step: (name: string) => Promise<void>): Promise<boolean> {
  for (const entry of journal.entries) {
    if (!(await parentIsUnchanged(entry.parent))) {
      log(`Cannot complete ${entry.target}: its folder is no longer where it was.`);
      return false;
    }
    if (entry.newHash === null) continue;
    const hasTemp = await existsNoFollow(entry.temp);
    if (hasTemp) {
      const temp = await readCurrent(entry.temp);
      if (temp === null || hashBytes(temp) !== entry.newHash) return false;
      continue;
    }
    const current = await readCurrent(entry.target);
    if (current === null || hashBytes(current) !== entry.newHash) return false;
  }
  for (const [i, entry] of journal.entries.entries()) {
    if (entry.newHash === null) await fsp.rm(entry.target, { force: true });
    else if (await existsNoFollow(entry.temp)) await fsp.rename(entry.temp, entry.target);
    await syncDirectory(entry.parent);
    await step(`recover-completed:${i}`);
  }
  return true;
}

/** Before the journal is ready no target has changed: remove the temporary files and created folders. */
async function rollBackPrepared(journal: Journal, pinned: Map<string, PinnedFolder>): Promise<void> {
  for (const entry of journal.entries) {
    const folder = pinned.get(entry.parent);
    if (folder) await folder.unlink(basename(entry.temp), true).catch(() => {});
    else if (await parentIsUnchanged(entry.parent)) await fsp.rm(entry.temp, { force: true });
  }
  await removeCreatedDirs(journal);
}

/** Restore every target of a ready journal from its saved copy (or remove it if it did not exist). */
async function rollBackReady(journal: Journal, log: (message: string) => void, step: (name: string) => Promise<void> = async () => {}): Promise<void> {
  for (const [i, entry] of journal.entries.entries()) {
    if (!(await parentIsUnchanged(entry.parent))) {
      log(`Cannot restore ${entry.target}: its folder is no longer where it was.`);
      continue;
    }
    await fsp.rm(entry.temp, { force: true });
    if (entry.backup === null) {
      await fsp.rm(entry.target, { force: true });
    } else {
      const old = await fsp.readFile(entry.backup).catch(() => null);
      if (old === null) {
        log(`Cannot restore ${entry.target}: its saved copy ${entry.backup} is missing.`);
        continue;
      }
      const temp = `${entry.temp}.restore`;
      const handle = await fsp.open(temp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC | O_NOFOLLOW, 0o600);
      try {
        await handle.writeFile(old);
        if (entry.mode !== null) await handle.chmod(entry.mode);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsp.rename(temp, entry.target);
    }
    await syncDirectory(entry.parent);
    await step(`recover-restored:${i}`);
  }
  await removeCreatedDirs(journal);
}

/**
 * Remove a finished journal: the journal file first, so an interruption here leaves either a
 * journal with every saved copy it names, or saved copies without a journal (which mean nothing).
 */
async function finishJournal(state: StateStore, dir: string): Promise<void> {
  await state.remove(`${dir}/journal.json`);
  await state.remove(dir);
}

/**
 * Undo a commit that failed during its renames, through the folders it holds open: the first
 * `renamed` targets get their old content back, every temporary file is removed. Going through the
 * open folders reaches the files even if a folder was moved or replaced by a link meanwhile.
 */
async function rollBackPinned(journal: Journal, pinned: Map<string, PinnedFolder>, renamed: number, log: (message: string) => void): Promise<void> {
  for (let i = 0; i < journal.entries.length; i++) {
    const entry = journal.entries[i]!;
    const folder = pinned.get(entry.parent)!;
    try {
      if (i < renamed) {
        if (entry.backup === null) {
          await folder.unlink(basename(entry.target), true);
        } else {
          const restore = `${basename(entry.temp)}.restore`;
          await writeTemp(folder, restore, await fsp.readFile(entry.backup), entry.mode, true);
          await folder.rename(restore, basename(entry.target), true);
        }
      }
      await folder.unlink(basename(entry.temp), true);
    } catch (err) {
      log(`Could not restore ${entry.target} (${(err as Error).message}); its old content is kept in ${entry.backup ?? "(it did not exist)"}.`);
    }
  }
  for (const folder of pinned.values()) await folder.sync();
  await removeCreatedDirs(journal);
}

async function removeCreatedDirs(journal: Journal): Promise<void> {
  for (const dir of [...journal.createdDirs].reverse()) {
    await fsp.rmdir(dir).catch(() => {});
  }
}

/** A folder held open so that every operation inside it reaches this folder, whatever its path later points at. */
interface PinnedFolder {
  verify(): Promise<void>;
  /** `undoing`: part of a rollback, which must reach the held folder even where it has moved. */
  rename(from: string, to: string, undoing?: boolean): Promise<void>;
  unlink(name: string, undoing?: boolean): Promise<void>;
  open(name: string, flags: number, mode: number, undoing?: boolean): Promise<fsp.FileHandle>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

async function pinFolder(dir: string, contains: (abs: string) => boolean): Promise<PinnedFolder> {
  if (!contains(dir)) throw new SandboxRefusal(`"${dir}" is no longer inside a granted folder; nothing was written.`);
  let handle: fsp.FileHandle | null = null;
  let base = dir;
  if (process.platform === "linux") {
    try {
      handle = await fsp.open(dir, fsc.O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      const actual = await fsp.readlink(`/proc/self/fd/${handle.fd}`);
      if (actual !== dir) throw new SandboxRefusal(`"${dir}" changed while Burrow was writing; nothing was written.`);
      base = `/proc/self/fd/${handle.fd}`;
    } catch (err) {
      await handle?.close();
      handle = null;
      if (err instanceof SandboxRefusal) throw err;
      if ((err as NodeJS.ErrnoException).code === "ELOOP" || (err as NodeJS.ErrnoException).code === "ENOTDIR") {
        throw new SandboxRefusal(`"${dir}" was replaced by a link while Burrow was writing; nothing was written.`);
      }
      // /proc may be missing in a container: fall back to checking the path before every operation.
      base = dir;
    }
  }
  const pinnedByKernel = handle !== null;
  const verify = async () => {
    if (!contains(dir)) throw new SandboxRefusal(`"${dir}" is no longer inside a granted folder`);
    if (pinnedByKernel) {
      // The open folder cannot move under us, but it may have been moved elsewhere: it must still be here.
      const actual = await fsp.readlink(base);
      if (actual !== dir) throw new SandboxRefusal(`"${dir}" was moved while Burrow was writing`);
      return;
    }
    if (!(await parentIsUnchanged(dir))) throw new SandboxRefusal(`"${dir}" was replaced by a link while Burrow was writing`);
  };
  return {
    verify,
    // Held by the kernel, the folder is reached as it is now; otherwise its path is checked first.
    // Forward steps also confirm the held folder is still where it was checked.
    async rename(from, to, undoing = false) {
      if (!pinnedByKernel || !undoing) await verify();
      await fsp.rename(join(base, from), join(base, to));
    },
    async unlink(name, undoing = false) {
      if (!pinnedByKernel || !undoing) await verify();
      await fsp.rm(join(base, name), { force: true });
    },
    async open(name, flags, mode, undoing = false) {
      if (!pinnedByKernel || !undoing) await verify();
      return fsp.open(join(base, name), flags, mode);
    },
    async sync() {
      if (handle) await handle.sync().catch(() => {});
      else await syncDirectory(dir);
    },
    async close() {
      await handle?.close().catch(() => {});
    },
  };
}

async function writeTemp(folder: PinnedFolder, name: string, bytes: Uint8Array, mode: number | null, undoing = false): Promise<void> {
  const handle = await folder.open(name, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | O_NOFOLLOW, 0o666, undoing);
  try {
    await handle.writeFile(bytes);
    if (mode !== null) await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The bytes of a file now, without following a final link; null when it does not exist. */
async function readCurrent(abs: string): Promise<Uint8Array | null> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(abs, fsc.O_RDONLY | O_NOFOLLOW | (fsc.O_NONBLOCK ?? 0));
  } catch (err) {
    if (isMissing(err)) return null;
    throw new SandboxRefusal(`"${abs}" cannot be opened safely (${(err as NodeJS.ErrnoException).code}); nothing was written.`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new SandboxRefusal(`"${abs}" is not a regular file any more; nothing was written.`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function existsNoFollow(path: string): Promise<boolean> {
  try {
    await fsp.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** True when `dir` is still a real folder at that exact resolved path (no link anywhere on the way). */
async function parentIsUnchanged(dir: string): Promise<boolean> {
  try {
    const [real, stat] = await Promise.all([fsp.realpath(dir), fsp.lstat(dir)]);
    return real === dir && stat.isDirectory();
  } catch {
    return false;
  }
}

/** The folders that must be created for these parents, shallowest first. */
async function missingFolders(parents: string[]): Promise<string[]> {
  const missing = new Set<string>();
  for (const parent of parents) {
    const chain: string[] = [];
    for (let dir = parent; !(await existsNoFollow(dir)); dir = dirname(dir)) {
      chain.push(dir);
      if (dirname(dir) === dir) break;
    }
    for (const dir of chain.reverse()) missing.add(dir);
  }
  return [...missing].sort((a, b) => a.length - b.length);
}

function describeConflict(rel: string, expected: string | null, current: Uint8Array | null): string {
  if (expected === null) return `${rel} changed since Burrow read it (it exists now)`;
  if (current === null) return `${rel} changed since Burrow read it (it was deleted)`;
  return `${rel} changed since Burrow read it`;
}

function conflictRefusal(conflicts: string[]): { ok: false; reason: string; conflicts: string[] } {
  return {
    ok: false,
    reason: `Nothing was written: ${conflicts.join("; ")}. Retry the task so Burrow works from the current text.`,
    conflicts,
  };
}

class SandboxRefusal extends Error {}

class ConflictFound extends Error {
  constructor(readonly conflicts: string[]) {
    super(conflicts.join("; "));
  }
}
