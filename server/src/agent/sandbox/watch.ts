/**
 * Change notifications for the granted folders: one listener hears about files created, modified
 * or deleted inside the roots, debounced, and only for paths the model may see (a change to `.env`
 * or inside an ignored `node_modules/` is never reported).
 *
 * macOS and Windows watch a whole tree natively, so each root gets one recursive watcher there. On
 * Linux, where a recursive watch means one inotify watch per folder anyway, Burrow watches each
 * visible folder itself, which skips ignored trees instead of spending watches on them. Closing
 * releases every watcher; changing the roots adds and removes watchers to match.
 */
import { promises as fsp, watch as fsWatch, type FSWatcher } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Root } from "./locate.js";
import { rootOf } from "./locate.js";
import type { Level } from "./rules.js";

const DEBOUNCE_MS = 75;
const IGNORE_FILES = new Set([".gitignore", ".burrowignore"]);

export interface RootWatcher {
  update(roots: readonly Root[]): void;
  close(): void;
  /** Resolves once every folder present at the start is being watched. */
  ready: Promise<void>;
}

export function watchRoots(initial: readonly Root[], listener: (abs: string) => void, log: (message: string) => void): RootWatcher {
  const perFolder = process.platform === "linux";
  let roots: readonly Root[] = initial;
  /** Watched folder (or, off Linux, root) → its watcher. */
  const watchers = new Map<string, FSWatcher>();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let warnedLimit = false;

  function onEvent(dir: string, filename: string | Buffer | null): void {
    if (closed) return;
    const abs = filename ? join(dir, filename.toString()) : dir;
    pending.add(abs);
    if (!timer) timer = setTimeout(() => void flush(), DEBOUNCE_MS);
  }

  async function flush(): Promise<void> {
    timer = null;
    const batch = [...pending];
    pending.clear();
    for (const abs of batch) {
      if (closed) return;
      const root = rootOf(roots, abs);
      if (!root || abs === root.real) continue;
      if (IGNORE_FILES.has(basename(abs))) root.rules.invalidate(dirname(abs));
      let isDir = false;
      try {
        const stat = await fsp.lstat(abs);
        if (stat.isSymbolicLink()) continue;
        isDir = stat.isDirectory();
      } catch {
        // Deleted: report it as a file change if the name was visible; its watcher (if a folder) is gone.
        const watcher = watchers.get(abs);
        if (watcher) {
          watcher.close();
          watchers.delete(abs);
        }
      }
      const verdict = await root.rules.check(abs, isDir);
      if (!verdict.visible) continue;
      if (isDir) {
        if (perFolder && !watchers.has(abs)) await watchTree(root, abs, null);
        continue;
      }
      if (!closed) listener(abs);
    }
  }

  function add(dir: string, recursive: boolean): void {
    if (closed || watchers.has(dir)) return;
    try {
      const watcher = fsWatch(dir, { recursive, persistent: false }, (_event, filename) => onEvent(dir, filename));
      watcher.on("error", () => {
        watcher.close();
        watchers.delete(dir);
      });
      watchers.set(dir, watcher);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === "ENOSPC" || code === "EMFILE") && !warnedLimit) {
        warnedLimit = true;
        log(`Burrow cannot watch every folder (${code}: the system's file watch limit); changes in some folders will be noticed late.`);
      }
    }
  }

  /** Watch `dir` and every visible folder below it (Linux). */
  async function watchTree(root: Root, dir: string, levels: Level[] | null): Promise<void> {
    if (closed) return;
    let names: string[];
    try {
      names = await fsp.readdir(dir);
    } catch {
      return;
    }
    add(dir, false);
    const inside = await root.rules.levelsInside(dir, levels, new Set(names));
    for (const name of names) {
      const abs = join(dir, name);
      let isDir = false;
      try {
        const stat = await fsp.lstat(abs);
        isDir = stat.isDirectory();
      } catch {
        continue;
      }
      if (isDir && root.rules.checkEntry(abs, true, inside).visible) await watchTree(root, abs, inside);
    }
  }

  async function start(list: readonly Root[]): Promise<void> {
    for (const root of list) {
      if (perFolder) await watchTree(root, root.real, null);
      else add(root.real, true);
    }
  }

  const ready = start(roots);

  return {
    ready,
    update(next) {
      const added = next.filter((r) => !roots.includes(r));
      roots = next;
      for (const [dir, watcher] of watchers) {
        if (!rootOf(roots, dir)) {
          watcher.close();
          watchers.delete(dir);
        }
      }
      void start(added);
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
      pending.clear();
    },
  };
}

