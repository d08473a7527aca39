/**
 * What the rest of Burrow may know about the file system: the `Workspace` (the granted folders,
 * seen through containment, ignore and secret rules) and the `StateStore` (Burrow's own files under
 * the state directory). Both are implemented in this folder, the only code that touches `node:fs`.
 *
 * Every path a model, a client or a URI names goes through `Workspace.locate` or one of the methods
 * built on it; a refusal is a value with a sentence the user can act on.
 */
import type { Outcome } from "../outcome.js";

export type Intent = "read" | "write";

/** A path that passed containment: `abs` is resolved, `rel` is relative to `root` with `/` separators. */
export interface Located {
  abs: string;
  root: string;
  rel: string;
}

export interface FileText extends Located {
  text: string;
  /** sha256 of the bytes on disk, hex; the conflict check at apply time compares it. */
  hash: string;
  bytes: number;
  mtimeMs: number;
}

/** A file the model may not see: `skipped` names why, in words suitable for a prompt ("binary", "too large (2.1 MB)"). */
export interface Skipped extends Located {
  skipped: string;
}

export type ReadResult = Outcome<{ file: FileText }> | ({ ok: false; reason: string } & Partial<Skipped>);

export interface ListedFile extends Located {
  bytes: number;
  mtimeMs: number;
}

/** One file of a multi-file apply. `text: null` deletes; `expectedHash: null` means the file must not exist yet. */
export interface FileWrite {
  abs: string;
  expectedHash: string | null;
  text: string | null;
}

export interface RootsChange {
  added: string[];
  removed: string[];
}

export interface Workspace {
  /** The granted folders, resolved (realpath). */
  roots(): readonly string[];
  grant(path: string): Promise<Outcome<{ root: string }>>;
  revoke(path: string): Outcome<{ root: string }>;
  onRootsChanged(listener: (change: RootsChange) => void): () => void;
  /** True when `abs` (a resolved path) lies inside a granted root. */
  contains(abs: string): boolean;

  /**
   * Decode (file URI, percent-encoding), normalise, resolve and contain a path. Relative paths are
   * taken against the roots in order. For `write`, also refuses symlinks, hard links and denied names.
   */
  locate(pathOrUri: string, intent: Intent): Promise<Outcome<Located>>;
  /** Read a text file the model may see; secrets, ignored, binary and oversized files are refused. */
  read(pathOrUri: string): Promise<ReadResult>;
  /** Every file the model may see, in every root (ignore and secret rules applied). */
  list(): Promise<ListedFile[]>;
  /**
   * Write several files all-or-nothing: every path is re-checked at write time, every expected hash
   * compared (a file changed since the model read it is a conflict), then a journal and atomic renames.
   */
  commit(writes: FileWrite[]): Promise<Outcome<{ written: string[] }>>;
  /** Files changed on disk inside the roots (created, modified, deleted). */
  watch(listener: (abs: string) => void): () => void;
  /** Release the watchers behind the listing cache (the server calls it at shutdown). */
  close?(): void;
  /** Apply new `sandbox` settings (`allow`, `maxFileBytes`) from workspace/configuration, at once. */
  configure?(settings: { allow?: string[]; maxFileBytes?: number }): Promise<void>;
}

/** Burrow's own files (undo snapshots, plan and diff documents, chat documents, the egress ledger, caches). */
export interface StateStore {
  readonly dir: string;
  /** Write a file under the state directory atomically; returns its absolute path. */
  write(rel: string, text: string): Promise<string>;
  read(rel: string): Promise<string | null>;
  append(rel: string, line: string): Promise<void>;
  remove(rel: string): Promise<void>;
  /** Names of the entries of a folder under the state directory (empty when it does not exist). */
  list(relDir: string): Promise<string[]>;
  pathOf(rel: string): string;
}
