/**
 * Change notifications for the granted folders. `watchRoots` reports files created, modified or
 * deleted inside the roots, debounced, and only for paths the model may see (a change to `.env` or
 * inside an ignored `node_modules/` is never reported); it can also report every raw event at
 * once, which the listing cache uses to know which folders to read again.
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

export interface WatchListeners {
  /** Debounced: a file the model may see changed. */
  visible?: (abs: string) => void;
  /** Whether anyone listens to `visible` now; when not, events are only used to find new folders. */
  wantsVisible?: () => boolean;
  /** At once, unfiltered: something changed at `abs` inside watched folder `dir`. */
  raw?: (dir: string, abs: string) => void;
}

export interface RootWatcher {
  update(roots: readonly Root[]): void;
  close(): void;
  /** True when changes inside `dir` are being reported (per-folder watching only). */
  watches(dir: string): boolean;
  /** Resolves once every folder present at the start is being watched. */
  ready: Promise<void>;
}

/** Per-folder watching is how Linux watches trees; elsewhere one recursive watcher per root. */
export const PER_FOLDER_WATCHING = process.platform === "linux";

export function watchRoots(initial: readonly Root[], listeners: WatchListeners, log: (message: string) => void): RootWatcher {
  const perFolder = PER_FOLDER_WATCHING;
  let roots: readonly Root[] = initial;
  /** Watched folder (or, off Linux, root) → its watcher. */
  const watchers = new Map<string, FSWatcher>();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let warnedLimit = false;
  const wantsVisible = listeners.wantsVisible ?? (() => listeners.visible !== undefined);

  function onEvent(dir: string, filename: string | Buffer | null): void {
    if (closed) return;
    const abs = filename ? join(dir, filename.toString()) : dir;
    listeners.raw?.(perFolder ? dir : dirname(abs), abs);
    // Without subscribers, events still matter on Linux: a new folder must be watched too.
    if (!wantsVisible() && !perFolder) return;
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
      const reporting = wantsVisible();
      if (!reporting && watchers.has(abs)) continue;
      let isDir = false;
      try {
        const stat = await fsp.lstat(abs);
        if (stat.isSymbolicLink()) continue;
        isDir = stat.isDirectory();
      } catch {
        // Deleted: a folder's watcher goes with it; a file is reported if its name was visible.
        const watcher = watchers.get(abs);
        if (watcher) {
          watcher.close();
          watchers.delete(abs);
        }
      }
      if (!reporting && !isDir) continue;
      const verdict = await root.rules.check(abs, isDir);
      if (!verdict.visible) continue;
      if (isDir) {
        // A new folder: watch it, and report what was created in it before its watcher existed.
        if (perFolder && !watchers.has(abs)) await watchTree(root, abs, null, reporting);
        continue;
      }
      if (!closed && wantsVisible()) listeners.visible?.(abs);
    }
  }

  function add(dir: string, recursive: boolean): void {
    if (closed || watchers.has(dir)) return;
    try {
      const watcher = fsWatch(dir, { recursive, persistent: false }, (_event, filename) => onEvent(dir, filename));
      watcher.on("error", () => {
        watcher.close();
        if (watchers.get(dir) === watcher) watchers.delete(dir);
        listeners.raw?.(dir, dir);
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
  async function watchTree(root: Root, dir: string, levels: Level[] | null, report = false): Promise<void> {
    if (closed) return;
    // Watch first, list second: a file created between the two is then never missed.
    add(dir, false);
    let entries;
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const inside = await root.rules.levelsInside(dir, levels, new Set(entries.map((e) => e.name)));
    for (const entry of entries) {
      const abs = join(dir, entry.name);
      if (entry.isDirectory() && root.rules.checkEntry(abs, true, inside).visible) await watchTree(root, abs, inside, report);
      else if (report && entry.isFile() && root.rules.checkEntry(abs, false, inside).visible && !closed && wantsVisible()) listeners.visible?.(abs);
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
    watches: (dir) => perFolder && watchers.has(dir),
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
