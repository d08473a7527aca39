/**
 * Containment: turning a path, a relative name or a `file:` URI into a resolved location inside a
 * granted folder, or a refusal that says why. This is the check every other part of the sandbox
 * builds on, so it fails closed: anything it cannot prove to be inside is outside.
 *
 * The check is made on resolved paths, never on strings. A name is decoded and normalised, then
 * walked one component at a time from its granted folder with `lstat`, so every symbolic link on
 * the way is seen: for reading, a link is followed only when its target (resolved with realpath)
 * is inside a granted folder; for writing, no link is followed at all. The result is resolved once
 * more with realpath and compared with the resolved roots, case-insensitively on file systems that
 * ignore case. Files with several hard links, FIFOs, sockets and devices are refused, since their
 * content may belong to something outside or reading them may never end.
 *
 * The metadata calls here (`lstat`, `realpath`) are synchronous on purpose: each takes a few
 * microseconds inline but tens through the thread pool, and a task locates every file it touches.
 */
import { lstatSync, realpathSync, type Stats } from "node:fs";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import type { Outcome } from "../outcome.js";
import { refuse } from "../outcome.js";
import type { RootRules, Verdict } from "./rules.js";
import { isInside, toRel } from "./rules.js";
import type { Intent, Located } from "./types.js";
import { fileUriToPath, hasUriScheme } from "./uri.js";

/** One granted folder. */
export interface Root {
  /** The folder, resolved with realpath. */
  real: string;
  /** Spellings of the same folder a client may use (the path as granted, before resolving). */
  aliases: string[];
  caseInsensitive: boolean;
  rules: RootRules;
}

/** A refusal that came from the visibility rules carries the kind, so `read` can say "skipped (secret)". */
export type LocateRefusal = { ok: false; reason: string; verdict?: Exclude<Verdict, { visible: true }>; located?: Located };

export type LocateResult = ({ ok: true; stat: Stats | null } & Located) | LocateRefusal;

/** The one place a name becomes a location. `roots` is read at call time, so a revoked folder is gone at once. */
export async function locatePath(roots: readonly Root[], input: string, intent: Intent): Promise<LocateResult> {
  if (typeof input !== "string" || input === "") return refuse("An empty path names no file.");
  if (input.includes("\0")) return refuse("A path with a NUL byte in it cannot name a file; Burrow refused it.");
  if (roots.length === 0) return refuse("No folder is granted to Burrow yet; open a workspace folder or run burrow.grant.");
  let name = input;
  if (/^file:/i.test(name)) {
    const decoded = fileUriToPath(name);
    if (decoded === null) return refuse(`"${input}" is not a file URI Burrow can decode safely, so it was refused.`);
    name = decoded;
  } else if (hasUriScheme(name)) {
    return refuse(`"${input}" is not a file: URI; Burrow only reads and writes files inside the granted folders.`);
  }
  if (name.startsWith("~")) {
    return refuse(`"${input}" starts with "~"; Burrow does not expand home directories. Use a path relative to the workspace folder.`);
  }
  // On POSIX a backslash is an ordinary character, so "src\\a.ts" would name a file with a
  // backslash in it; that is never what a model means, and such names are refused rather than made.
  if (process.platform !== "win32" && name.includes("\\")) {
    return refuse(`"${input}" contains a backslash; write paths with "/" between folders.`);
  }

  if (isAbsolute(name)) {
    const abs = normalize(name);
    const placed = await placeAbsolute(roots, abs);
    if (!placed) return refuse(`"${input}" is outside the folders granted to Burrow.`);
    return resolveWithin(roots, placed.root, placed.segments, intent, input);
  }

  const rel = normalize(name);
  const segments = splitSegments(rel);
  if (segments[0] === "..") return refuse(`"${input}" climbs out of the workspace with "..", so Burrow refused it.`);
  // A relative name means the first root that has it, or the first root when none does (a new file).
  let chosen = roots[0]!;
  for (const root of roots.length > 1 ? roots : []) {
    if (await exists(join(root.real, ...segments))) {
      chosen = root;
      break;
    }
  }
  return resolveWithin(roots, chosen, segments, intent, input);
}

/** True when the resolved path `abs` is inside one of `roots`. */
export function rootOf(roots: readonly Root[], abs: string): Root | null {
  let best: Root | null = null;
  for (const root of roots) {
    const inside = root.caseInsensitive ? isInside(root.real.toLowerCase(), abs.toLowerCase()) : isInside(root.real, abs);
    // With nested roots the deepest one owns the path, so its rules apply.
    if (inside && (!best || root.real.length > best.real.length)) best = root;
  }
  return best;
}

/** Which root an absolute path belongs to, by its spelling first and by its resolved location second. */
async function placeAbsolute(roots: readonly Root[], abs: string): Promise<{ root: Root; segments: string[] } | null> {
  let best: { root: Root; segments: string[]; length: number } | null = null;
  for (const root of roots) {
    for (const alias of [root.real, ...root.aliases]) {
      const inside = root.caseInsensitive ? isInside(alias.toLowerCase(), abs.toLowerCase()) : isInside(alias, abs);
      if (inside && (!best || alias.length > best.length)) {
        best = { root, segments: splitSegments(abs.slice(alias.length)), length: alias.length };
      }
    }
  }
  if (best) return best;
  // Another spelling of a granted folder (a symlinked parent such as /tmp on macOS): resolve the
  // deepest part that exists and see where it really is.
  const { real, rest } = await realpathOfDeepest(abs);
  if (real === null) return null;
  const root = rootOf(roots, real);
  if (!root) return null;
  return { root, segments: [...splitSegments(real.slice(root.real.length)), ...rest] };
}

async function resolveWithin(roots: readonly Root[], start: Root, segments: string[], intent: Intent, input: string): Promise<LocateResult> {
  // Normalisation removed every "..", so one here means a name the rules above did not foresee.
  if (segments.includes("..")) return refuse(`"${input}" climbs out of the workspace with "..", so Burrow refused it.`);
  let current = start.real;
  let walked = "";
  let missingFrom = -1;
  let lastStat: Stats | null = null;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const next = join(current, segment);
    walked = walked === "" ? segment : `${walked}/${segment}`;
    let stat: Stats;
    try {
      stat = lstatSync(next);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        missingFrom = i;
        break;
      }
      if (code === "ENOTDIR") return refuse(`"${input}" goes through a file as if it were a folder.`);
      return refuse(`Burrow cannot inspect "${walked}" (${code ?? "unknown error"}), so it refused "${input}".`);
    }
    if (stat.isSymbolicLink()) {
      if (intent === "write") {
        return refuse(`"${walked}" is a symbolic link; Burrow never writes through links. Edit the file it points to by its own path.`);
      }
      let target: string;
      try {
        target = realpathSync.native(next);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === "ELOOP" ? "is a loop of symbolic links" : "is a symbolic link to something that does not exist";
        return refuse(`"${walked}" ${why}, so Burrow cannot read "${input}".`);
      }
      if (!rootOf(roots, target)) {
        return refuse(`"${walked}" is a symbolic link to a place outside the granted folders, so Burrow will not read through it.`);
      }
      current = target;
      stat = lstatSync(target);
    } else {
      current = next;
    }
    if (i < segments.length - 1 && !stat.isDirectory()) return refuse(`"${input}" goes through a file as if it were a folder.`);
    lastStat = stat;
  }

  if (missingFrom >= 0 && intent === "read") return refuse(`"${input}" does not exist in the granted folders.`);
  const missing = missingFrom >= 0 ? segments.slice(missingFrom) : [];
  // Belt and braces: resolve the deepest existing part again and insist it is inside.
  let real: string;
  try {
    real = realpathSync.native(current);
  } catch {
    return refuse(`"${input}" changed while Burrow was checking it; try again.`);
  }
  const abs = missing.length > 0 ? join(real, ...missing) : real;
  const root = rootOf(roots, real);
  if (!root) return refuse(`"${input}" resolves to a place outside the folders granted to Burrow.`);
  const located: Located = { abs, root: root.real, rel: toRel(root.real, abs) };
  const stat = missing.length > 0 ? null : lastStat ?? lstatSync(real);

  if (missing.length > 0 && !(lastStat?.isDirectory() ?? true)) {
    return refuse(`"${input}" goes through a file as if it were a folder.`);
  }
  if (stat) {
    const kind = fileKind(stat);
    if (located.rel === "" || stat.isDirectory()) {
      return { ...refuse(`"${input}" is a folder, not a file.`), located };
    }
    if (kind !== "file") return { ...refuse(`"${input}" is ${kind}, not a regular file; Burrow only reads and writes regular files.`), located };
    if (stat.nlink > 1) {
      return {
        ...refuse(`"${input}" has ${stat.nlink} hard links, so its content may also belong to a place outside the workspace; Burrow leaves it alone.`),
        located,
      };
    }
  }

  // The rules are checked for the name as given and for the place it resolved to: a link named
  // "notes.txt" that points at ".env" is still a secret.
  const named = join(start.real, ...segments);
  const checks = named === abs && start === root ? [[root.rules, abs] as const] : ([[start.rules, named], [root.rules, abs]] as const);
  for (const [rules, path] of checks) {
    const verdict = await rules.check(path, false, intent);
    if (!verdict.visible) return { ok: false, reason: verdict.reason, verdict, located };
  }
  return { ok: true, stat, ...located };
}

export function fileKind(stat: Stats): string {
  if (stat.isFile()) return "file";
  if (stat.isDirectory()) return "a folder";
  if (stat.isSymbolicLink()) return "a symbolic link";
  if (stat.isFIFO()) return "a FIFO (named pipe)";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device file";
  return "not a regular file";
}

function splitSegments(path: string): string[] {
  const separators = process.platform === "win32" ? /[\\/]+/ : /\/+/;
  return path.split(separators).filter((s) => s !== "" && s !== ".");
}

async function exists(path: string): Promise<boolean> {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** realpath of the deepest existing ancestor of `abs`, and the names below it that do not exist yet. */
export async function realpathOfDeepest(abs: string): Promise<{ real: string | null; rest: string[] }> {
  const rest: string[] = [];
  for (let current = abs; ; current = dirname(current)) {
    try {
      const real = realpathSync.native(current);
      return { real, rest: rest.reverse() };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") return { real: null, rest: [] };
      if (dirname(current) === current) return { real: null, rest: [] };
      rest.push(current.slice(dirname(current).length).replace(/^[\\/]+/, ""));
    }
  }
}

export { sep };
