/**
 * `Workspace.list()`: every file the model may see, with its size and modification time, fast
 * enough to run on every task over tens of thousands of files.
 *
 * The walk goes top-down and never enters a folder that is ignored or secret, so an ignored
 * `node_modules/` costs one name comparison. On Linux each visible folder's listing is kept
 * between calls while that folder is watched and unchanged: a folder is read again when its
 * watcher reported anything inside it, or its own mtime or ctime moved. Before a cached listing is
 * used, one turn of the event loop lets change events already queued by the kernel arrive, so a
 * file written just before `list()` is always seen with its new size and time. Elsewhere (where
 * native tree watchers report late) every call reads the tree afresh.
 *
 * Reading uses synchronous calls in short slices and yields between slices: thousands of small
 * `lstat` calls cost several times more through the thread pool than inline, and the yields keep
 * the language server answering while a large tree is listed.
 */
import { lstatSync, readdirSync, type Dirent } from "node:fs";
import { basename, join } from "node:path";
import type { Root } from "./locate.js";
import type { Level } from "./rules.js";
import type { ListedFile } from "./types.js";
import { PER_FOLDER_WATCHING, type RootWatcher } from "./watch.js";

const SLICE_MS = 8;
const IGNORE_FILES = new Set([".gitignore", ".burrowignore"]);

interface FolderListing {
  mtimeMs: number;
  ctimeMs: number;
  files: ListedFile[];
  folders: { abs: string; levels: Level[] }[];
}

export class Listing {
  private readonly folders = new Map<string, FolderListing>();
  private readonly dirty = new Set<string>();
  private watcher: RootWatcher | null = null;
  private sliceStart = 0;

  /** `startWatcher` gives the workspace's shared watcher, whose raw events must reach `changed`. */
  constructor(
    private readonly roots: () => readonly Root[],
    private readonly startWatcher: () => RootWatcher,
    private readonly cacheEnabled = PER_FOLDER_WATCHING,
  ) {}

  async list(): Promise<ListedFile[]> {
    if (this.cacheEnabled && !this.watcher) {
      this.watcher = this.startWatcher();
      await this.watcher.ready;
    }
    // Let change events the kernel has already queued reach `changed` before any cache is trusted.
    await new Promise((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
    const out: ListedFile[] = [];
    const seen = new Set<string>();
    const roots = this.roots();
    for (const root of roots) {
      const levels = await root.rules.levelsInside(root.real, null);
      await this.visit(roots, root, root.real, levels, out, seen);
    }
    return out;
  }

  /** The roots changed: cached listings may now belong to another root or to none. */
  rootsChanged(): void {
    this.folders.clear();
  }

  /** The shared watcher was closed: nothing cached can be trusted any more. */
  close(): void {
    this.watcher = null;
    this.folders.clear();
  }

  /** A raw change event: something changed at `abs` inside watched folder `dir`. */
  changed(dir: string, abs: string): void {
    this.dirty.add(dir);
    this.dirty.add(abs);
    // An ignore file changes what every folder below it shows.
    if (IGNORE_FILES.has(basename(abs))) this.folders.clear();
  }

  private async visit(roots: readonly Root[], root: Root, dir: string, levels: Level[], out: ListedFile[], seen: Set<string>): Promise<void> {
    if (performance.now() - this.sliceStart > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      this.sliceStart = performance.now();
    }
    const stat = lstatSync(dir, { throwIfNoEntry: false });
    if (!stat || !stat.isDirectory()) {
      this.folders.delete(dir);
      return;
    }
    let listing = this.folders.get(dir);
    const reusable =
      listing !== undefined &&
      listing.mtimeMs === stat.mtimeMs &&
      listing.ctimeMs === stat.ctimeMs &&
      !this.dirty.has(dir) &&
      this.watcher?.watches(dir) === true;
    if (!reusable) {
      // Forget the mark first: an event that arrives while reading marks the folder again.
      this.dirty.delete(dir);
      listing = await this.read(roots, root, dir, levels, stat.mtimeMs, stat.ctimeMs);
      if (this.cacheEnabled) this.folders.set(dir, listing);
    }
    for (const file of listing!.files) {
      if (seen.has(file.abs)) continue;
      seen.add(file.abs);
      // A copy: callers own what they are given, and the cache must not change under them.
      out.push({ ...file });
    }
    for (const folder of listing!.folders) await this.visit(roots, root, folder.abs, folder.levels, out, seen);
  }

  private async read(roots: readonly Root[], root: Root, dir: string, levels: Level[], mtimeMs: number, ctimeMs: number): Promise<FolderListing> {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return { mtimeMs, ctimeMs, files: [], folders: [] };
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const files: ListedFile[] = [];
    const folders: { abs: string; levels: Level[] }[] = [];
    for (const entry of entries) {
      const abs = join(dir, entry.name);
      // Links are not listed (their targets are, where they are inside); FIFOs and devices never.
      if (entry.isDirectory()) {
        // A root nested inside another is listed as itself, once.
        if (roots.some((r) => r !== root && r.real === abs)) continue;
        if (!root.rules.checkEntry(abs, true, levels).visible) continue;
        folders.push({ abs, levels: await root.rules.levelsInside(abs, levels) });
      } else if (entry.isFile()) {
        if (!root.rules.checkEntry(abs, false, levels).visible) continue;
        const stat = lstatSync(abs, { throwIfNoEntry: false });
        if (!stat || !stat.isFile() || stat.nlink > 1) continue;
        files.push({ abs, root: root.real, rel: abs.slice(root.real.length + 1).split(/[\\/]/).join("/"), bytes: stat.size, mtimeMs: stat.mtimeMs });
      }
    }
    return { mtimeMs, ctimeMs, files, folders };
  }
}
