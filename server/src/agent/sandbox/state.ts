/**
 * Burrow's own files: undo snapshots, plan and diff documents, chat documents, the egress ledger,
 * apply journals and caches, all under one state directory that is never inside a granted folder.
 *
 * The directory follows the platform's conventions (`$XDG_STATE_HOME/burrow`, `~/.local/state/burrow`
 * on Linux, `~/Library/Application Support/burrow` on macOS, `%LOCALAPPDATA%\burrow` on Windows) and
 * `$BURROW_STATE_DIR` overrides them all. Writes are atomic (temporary file, fsync, rename) so a
 * crash never leaves a half-written snapshot or journal behind.
 */
import { promises as fsp, constants as fsc } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { randomBytes } from "node:crypto";
import type { StateStore } from "./types.js";

/** Where Burrow keeps its state, from the environment and the platform; always absolute. */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const explicit = env.BURROW_STATE_DIR;
  if (explicit && explicit.trim() !== "") return resolve(explicit);
  // The XDG base directory spec says relative values are invalid and must be ignored.
  const xdg = env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "burrow");
  const home = (platform === "win32" ? env.USERPROFILE : env.HOME) || env.HOME || homedir();
  if (platform === "darwin") return join(home, "Library", "Application Support", "burrow");
  if (platform === "win32") {
    const local = env.LOCALAPPDATA && env.LOCALAPPDATA.trim() !== "" ? env.LOCALAPPDATA : join(home, "AppData", "Local");
    return join(local, "burrow");
  }
  return join(home, ".local", "state", "burrow");
}

/** A `StateStore` rooted at `dir` (default: `stateDirectory()`); the folder is created on first write. */
export function createStateStore(dir: string = stateDirectory()): StateStore {
  const root = resolve(dir);

  function pathOf(rel: string): string {
    if (typeof rel !== "string" || rel.includes("\0") || isAbsolute(rel)) {
      throw new Error(`State path "${rel}" must be relative to the state directory.`);
    }
    const full = normalize(join(root, rel));
    if (full !== root && !full.startsWith(root + sep)) {
      throw new Error(`State path "${rel}" leaves the state directory.`);
    }
    return full;
  }

  async function ensureDir(path: string): Promise<void> {
    await fsp.mkdir(path, { recursive: true, mode: 0o700 });
  }

  return {
    dir: root,
    pathOf,
    async write(rel, text) {
      const target = pathOf(rel);
      await ensureDir(dirname(target));
      await writeFileAtomic(target, text);
      return target;
    },
    async read(rel) {
      try {
        return await fsp.readFile(pathOf(rel), "utf8");
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async append(rel, line) {
      const target = pathOf(rel);
      await ensureDir(dirname(target));
      await fsp.appendFile(target, line.endsWith("\n") ? line : line + "\n", { mode: 0o600 });
    },
    async remove(rel) {
      await fsp.rm(pathOf(rel), { recursive: true, force: true });
    },
    async list(relDir) {
      try {
        return (await fsp.readdir(pathOf(relDir))).sort();
      } catch (err) {
        if (isMissing(err) || (err as NodeJS.ErrnoException).code === "ENOTDIR") return [];
        throw err;
      }
    },
  };
}

/** Write a file so that readers see the old content or the new, never a mixture, even after a crash. */
export async function writeFileAtomic(target: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const temp = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const handle = await fsp.open(temp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fsp.rename(temp, target);
  } catch (err) {
    await fsp.rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dirname(target));
}

/** Make a rename or unlink inside `dir` durable. Some platforms cannot open folders; that is not an error there. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, fsc.O_RDONLY);
    await handle.sync();
  } catch {
    // Windows refuses to open or fsync a directory; its renames are durable through the journal instead.
  } finally {
    await handle?.close();
  }
}

export function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT";
}
