/**
 * The `Workspace`: the granted folders as the agent sees them. It owns the list of roots (granted
 * at start-up, by `burrow.grant`, or revoked at once by `burrow.revoke`) and offers the only ways to
 * look at files (`locate`, `read`, `list`, `watch`) and to change them (`commit`), each built on the
 * containment check in locate.ts and the visibility rules in rules.ts.
 *
 * Reads open the resolved path without following a final link and then confirm that the open file
 * is the one that was checked, so a link swapped in between the check and the read reads nothing.
 * One file watcher, started on first use, serves every `watch` subscriber and the listing cache.
 */
import { promises as fsp, constants as fsc, realpathSync, type Stats } from "node:fs";
import { join, resolve, basename, dirname } from "node:path";
import type { Outcome } from "../outcome.js";
import { refuse } from "../outcome.js";
import { DEFAULT_MAX_FILE_BYTES } from "../settings.js";
import { commitWrites, type CommitHooks } from "./commit.js";
import { hashBytes } from "./hash.js";
import { locatePath, realpathOfDeepest, rootOf, type Root } from "./locate.js";
import { isInside, RootRules } from "./rules.js";
import { createStateStore, stateDirectory } from "./state.js";
import type { FileText, FileWrite, Intent, Located, ReadResult, RootsChange, StateStore, Workspace } from "./types.js";
import { fileUriToPath } from "./uri.js";
import { Listing } from "./listing.js";
import { watchRoots, type RootWatcher } from "./watch.js";

export interface WorkspaceOptions {
  roots: string[];
  settings?: { allow?: string[]; maxFileBytes?: number };
  log?: (message: string) => void;
  /** Where apply journals go; it must not be inside a root. Default: the state directory of `env`. */
  state?: StateStore;
  /** The environment for the state directory and git's global excludes (HOME, XDG_*). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Called at each step of a commit; the crash-safety tests stop the process there. */
  commitHooks?: CommitHooks;
}

const O_NOFOLLOW = fsc.O_NOFOLLOW ?? 0;
const BINARY_SNIFF_BYTES = 8000;

/** Build a workspace over `roots`. Folders that cannot be granted are skipped and the reason is logged. */
export async function createWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  const log = options.log ?? (() => {});
  let settings = options.settings ?? {};
  let maxFileBytes = settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const state = options.state ?? createStateStore(stateDirectory(options.env ?? process.env));
  let roots: Root[] = [];
  const rootListeners = new Set<(change: RootsChange) => void>();
  /** One watcher serves every `watch` subscriber and the listing cache, started on first use. */
  const subscribers = new Set<(abs: string) => void>();
  let shared: RootWatcher | null = null;
  const sharedWatcher = (): RootWatcher => {
    shared ??= watchRoots(
      roots,
      {
        visible: (abs) => {
          for (const listener of [...subscribers]) listener(abs);
        },
        wantsVisible: () => subscribers.size > 0,
        raw: (dir, abs) => listing.changed(dir, abs),
      },
      log,
    );
    return shared;
  };

  async function makeRoot(path: string): Promise<Outcome<{ root: Root }>> {
    if (typeof path !== "string" || path === "" || path.includes("\0")) return refuse("Name the folder to grant by its path.");
    const given = /^file:/i.test(path) ? fileUriToPath(path) : resolve(path);
    if (given === null) return refuse(`"${path}" is not a file URI Burrow can decode.`);
    let real: string;
    let stat: Stats;
    try {
      real = await fsp.realpath(given);
      stat = await fsp.stat(real);
    } catch {
      return refuse(`"${path}" does not exist, so Burrow cannot grant it.`);
    }
    if (!stat.isDirectory()) return refuse(`"${path}" is not a folder; grant the folder that holds it.`);
    if (dirname(real) === real) return refuse(`"${path}" is the root of the file system; grant a project folder instead.`);
    const stateReal = await realpathOrSelf(state.dir);
    if (isInside(real, stateReal)) {
      return refuse(
        `Burrow's state directory (${state.dir}) is inside "${path}", and the agent must never see its own state. Set BURROW_STATE_DIR to a folder outside the workspace, or open a narrower folder.`,
      );
    }
    const caseInsensitive = await isCaseInsensitive(real);
    const rules = await RootRules.load(real, { allow: settings.allow, env: options.env, caseInsensitive });
    return { ok: true, root: { real, aliases: given === real ? [] : [given], caseInsensitive, rules } };
  }

  function announce(change: RootsChange): void {
    listing.rootsChanged();
    shared?.update(roots);
    for (const listener of rootListeners) listener(change);
  }

  for (const path of options.roots) {
    const made = await makeRoot(path);
    if (!made.ok) {
      log(`Workspace folder not granted: ${made.reason}`);
      continue;
    }
    if (!roots.some((r) => r.real === made.root.real)) roots.push(made.root);
  }

  async function locate(pathOrUri: string, intent: Intent): Promise<Outcome<Located>> {
    const result = await locatePath(roots, pathOrUri, intent);
    if (!result.ok) return refuse(result.reason);
    return { ok: true, abs: result.abs, root: result.root, rel: result.rel };
  }

  async function read(pathOrUri: string): Promise<ReadResult> {
    const where = await locatePath(roots, pathOrUri, "read");
    if (!where.ok) {
      const skipped = where.verdict ? skippedWord(where.verdict.kind) : undefined;
      return where.located && skipped ? { ok: false, reason: where.reason, ...where.located, skipped } : refuse(where.reason);
    }
    const located: Located = { abs: where.abs, root: where.root, rel: where.rel };
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(located.abs, fsc.O_RDONLY | O_NOFOLLOW | (fsc.O_NONBLOCK ?? 0));
    } catch {
      return refuse(`"${located.rel}" changed while Burrow was opening it; try again.`);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile() || stat.nlink > 1) return refuse(`"${located.rel}" changed while Burrow was opening it; try again.`);
      if (!(await sameFileStill(handle, stat, located.abs))) {
        return refuse(`"${located.rel}" changed while Burrow was opening it, so Burrow read nothing; try again.`);
      }
      if (stat.size > maxFileBytes) {
        return { ok: false, reason: `"${located.rel}" is ${formatBytes(stat.size)}, over the ${formatBytes(maxFileBytes)} limit (sandbox.maxFileBytes).`, ...located, skipped: `too large (${formatBytes(stat.size)})` };
      }
      const bytes = await readAtMost(handle, maxFileBytes + 1);
      if (bytes.length > maxFileBytes) {
        return { ok: false, reason: `"${located.rel}" is over the ${formatBytes(maxFileBytes)} limit (sandbox.maxFileBytes).`, ...located, skipped: `too large (over ${formatBytes(maxFileBytes)})` };
      }
      const text = decodeText(bytes);
      if (text === null) return { ok: false, reason: `"${located.rel}" is a binary file, which Burrow does not show to the model.`, ...located, skipped: "binary" };
      const file: FileText = { ...located, text, hash: hashBytes(bytes), bytes: bytes.length, mtimeMs: stat.mtimeMs };
      return { ok: true, file };
    } finally {
      await handle.close();
    }
  }

  const listing = new Listing(() => roots, sharedWatcher);

  const workspace: Workspace = {
    roots: () => roots.map((r) => r.real),
    async grant(path) {
      const made = await makeRoot(path);
      if (!made.ok) return made;
      if (roots.some((r) => r.real === made.root.real)) return { ok: true, root: made.root.real };
      roots = [...roots, made.root];
      announce({ added: [made.root.real], removed: [] });
      return { ok: true, root: made.root.real };
    },
    revoke(path) {
      const decoded = typeof path === "string" && /^file:/i.test(path) ? fileUriToPath(path) : typeof path === "string" && path !== "" ? resolve(path) : null;
      if (decoded === null) return refuse(`"${path}" is not a granted folder.`);
      const spellings = new Set([decoded]);
      try {
        spellings.add(realpathSync.native(decoded));
      } catch {
        // A folder deleted since it was granted can still be revoked by the path it was granted with.
      }
      const match = roots.find(
        (r) =>
          spellings.has(r.real) ||
          r.aliases.some((a) => spellings.has(a)) ||
          (r.caseInsensitive && [...spellings].some((s) => s.toLowerCase() === r.real.toLowerCase())),
      );
      if (!match) return refuse(`"${path}" is not a granted folder.`);
      roots = roots.filter((r) => r !== match);
      announce({ added: [], removed: [match.real] });
      return { ok: true, root: match.real };
    },
    onRootsChanged(listener) {
      rootListeners.add(listener);
      return () => rootListeners.delete(listener);
    },
    contains(abs) {
      return rootOf(roots, abs) !== null;
    },
    locate,
    read,
    list: () => listing.list(),
    async commit(writes: FileWrite[]) {
      return commitWrites(writes, { locate: (p) => locatePath(roots, p, "write"), contains: (abs) => rootOf(roots, abs) !== null, state, log, hooks: options.commitHooks });
    },
    async configure(next) {
      settings = next ?? {};
      maxFileBytes = settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
      // New exceptions change what every root shows: rebuild each root's rules and forget listings.
      roots = await Promise.all(
        roots.map(async (root) => ({ ...root, rules: await RootRules.load(root.real, { allow: settings.allow, env: options.env, caseInsensitive: root.caseInsensitive }) })),
      );
      listing.rootsChanged();
      shared?.update(roots);
    },
    close() {
      subscribers.clear();
      shared?.close();
      shared = null;
      listing.close();
    },
    watch(listener) {
      // Each subscriber gets its own function, so subscribing the same listener twice is two subscriptions.
      const subscriber = (abs: string) => listener(abs);
      subscribers.add(subscriber);
      const watcher = sharedWatcher();
      // The close function also carries `ready`, for callers (tests) that must wait until watching began.
      return Object.assign(() => void subscribers.delete(subscriber), { ready: watcher.ready });
    },
  };
  return workspace;
}

/**
 * Confirm the open file is still the checked path inside the roots. On Linux the kernel names the
 * open file (`/proc/self/fd`); elsewhere the path is resolved again and compared by device and inode.
 */
async function sameFileStill(handle: fsp.FileHandle, stat: Stats, expected: string): Promise<boolean> {
  if (process.platform === "linux") {
    try {
      return (await fsp.readlink(`/proc/self/fd/${handle.fd}`)) === expected;
    } catch {
      // /proc is not mounted: fall through to the inode comparison.
    }
  }
  try {
    const real = await fsp.realpath(expected);
    if (real !== expected) return false;
    const now = await fsp.lstat(real);
    return now.dev === stat.dev && now.ino === stat.ino;
  } catch {
    return false;
  }
}

async function readAtMost(handle: fsp.FileHandle, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < limit) {
    const buffer = Buffer.alloc(Math.min(64 * 1024, limit - total));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) break;
    chunks.push(buffer.subarray(0, bytesRead));
    total += bytesRead;
  }
  return Buffer.concat(chunks, total);
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of a file, or null when it is binary: a NUL byte early on, or bytes that are not UTF-8. */
export function decodeText(bytes: Uint8Array): string | null {
  const head = bytes.subarray(0, BINARY_SNIFF_BYTES);
  if (head.includes(0)) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function skippedWord(kind: string): string {
  switch (kind) {
    case "secret":
      return "secret";
    case "ignored":
      return "ignored";
    case "internal":
      return "metadata";
    default:
      return "protected";
  }
}

async function realpathOrSelf(path: string): Promise<string> {
  const { real, rest } = await realpathOfDeepest(path);
  return real === null ? path : join(real, ...rest);
}

/**
 * Whether names in `dir` are compared without case: the same folder spelled with one letter's case
 * flipped either is the same folder (case-insensitive) or is missing or different (case-sensitive).
 */
async function isCaseInsensitive(dir: string): Promise<boolean> {
  for (let current = dir; dirname(current) !== current; current = dirname(current)) {
    const name = basename(current);
    const flipped = flipCase(name);
    if (flipped === name) continue;
    try {
      const [a, b] = await Promise.all([fsp.stat(current), fsp.stat(join(dirname(current), flipped))]);
      return a.dev === b.dev && a.ino === b.ino;
    } catch {
      return false;
    }
  }
  return process.platform === "win32" || process.platform === "darwin";
}

function flipCase(name: string): string {
  const i = name.search(/[a-zA-Z]/);
  if (i < 0) return name;
  const c = name[i]!;
  const flipped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
  return name.slice(0, i) + flipped + name.slice(i + 1);
}
