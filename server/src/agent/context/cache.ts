/**
 * The context engine's memory between runs, kept under Burrow's state directory (never in the
 * workspace), one folder per granted root:
 *
 * - parse results by content hash, in 256 shards named by the hash's first two hex digits, so a
 *   change rewrites one small shard rather than the whole cache;
 * - a manifest mapping each file to the size, modification time and hash it had when last
 *   indexed, so a restarted server knows which files are unchanged without reading them.
 *
 * Entries no file of the root refers to any more are dropped when their shard is next written, so
 * the cache follows the tree instead of growing with every edit. Shards are held in memory only
 * while a refresh uses them (`release` lets them go), since the index keeps what it needs in a
 * more compact form. The cache is an optimisation only: an unreadable or outdated entry is
 * treated as missing.
 */
import { createHash } from "node:crypto";
import type { StateStore } from "../sandbox/types.js";
import { FACTS_VERSION, type FileFacts } from "./facts.js";

export interface ManifestEntry {
  mtimeMs: number;
  bytes: number;
  /** Content hash, or "" for a file the sandbox refused to read (binary, too large). */
  hash: string;
}

export class RootCache {
  private readonly directory: string;
  private readonly shards = new Map<string, Map<string, FileFacts>>();
  private readonly loadingShards = new Map<string, Promise<Map<string, FileFacts>>>();
  private readonly dirtyShards = new Set<string>();
  /** Parsed since the last flush, not yet on disk. */
  private readonly unsaved = new Map<string, FileFacts>();
  private manifestEntries: Map<string, ManifestEntry> | null = null;
  private manifestDirty = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: StateStore | undefined,
    private readonly root: string,
    private readonly log: (message: string) => void = () => {},
  ) {
    this.directory = `context/v${FACTS_VERSION}/${createHash("sha256").update(root).digest("hex").slice(0, 16)}`;
  }

  /** Make the shards holding these hashes available to `get` (one read per shard per process). */
  async preload(hashes: Iterable<string>): Promise<void> {
    const wanted = new Set<string>();
    for (const hash of hashes) {
      const shard = hash.slice(0, 2);
      if (!this.shards.has(shard)) wanted.add(shard);
    }
    await Promise.all([...wanted].map((shard) => this.loadShard(shard)));
  }

  get(hash: string): FileFacts | undefined {
    return this.unsaved.get(hash) ?? this.shards.get(hash.slice(0, 2))?.get(hash);
  }

  /** Remember the facts of bytes that are on disk (editor buffers are not worth keeping). */
  set(hash: string, facts: FileFacts): void {
    if (!this.state) return;
    this.unsaved.set(hash, facts);
    this.dirtyShards.add(hash.slice(0, 2));
  }

  /** Let go of the shards loaded for a refresh; the next refresh reads what it needs again. */
  release(): void {
    this.shards.clear();
    this.loadingShards.clear();
  }

  /** What each file looked like when last indexed (empty the first time). */
  async manifest(): Promise<Map<string, ManifestEntry>> {
    if (this.manifestEntries) return this.manifestEntries;
    const manifest = new Map<string, ManifestEntry>();
    const text = await this.readQuietly(`${this.directory}/manifest.json`);
    if (text !== null) {
      try {
        const parsed = JSON.parse(text) as { root?: string; files?: Record<string, [number, number, string]> };
        if (parsed.root === this.root && parsed.files) {
          for (const [rel, [mtimeMs, bytes, hash]] of Object.entries(parsed.files)) manifest.set(rel, { mtimeMs, bytes, hash });
        }
      } catch {
        this.log("context: the index manifest was unreadable; files will be read again once.");
      }
    }
    this.manifestEntries ??= manifest;
    return this.manifestEntries;
  }

  /** Record what a file looked like when indexed, or with `entry` null that it is gone. */
  noteManifest(rel: string, entry: ManifestEntry | null): void {
    const manifest = this.manifestEntries;
    if (!manifest) return;
    const old = manifest.get(rel);
    if (entry === null) {
      if (!old) return;
      manifest.delete(rel);
    } else {
      if (old && old.hash === entry.hash && old.mtimeMs === entry.mtimeMs && old.bytes === entry.bytes) return;
      manifest.set(rel, entry);
    }
    this.manifestDirty = true;
  }

  /**
   * Write what changed since the last flush. Writes are chained so two flushes never interleave;
   * the promise settles when this flush is on disk. Failures are logged, never thrown: the cache
   * is rebuilt from the files next time.
   */
  flush(): Promise<void> {
    if (!this.state || (this.dirtyShards.size === 0 && !this.manifestDirty)) return this.writing;
    const state = this.state;
    const shards = [...this.dirtyShards];
    const writeManifest = this.manifestDirty;
    this.dirtyShards.clear();
    this.manifestDirty = false;
    const saving = new Map<string, FileFacts>();
    for (const [hash, facts] of this.unsaved) if (shards.includes(hash.slice(0, 2))) saving.set(hash, facts);
    this.writing = this.writing.then(async () => {
      try {
        const live = new Set<string>();
        for (const entry of this.manifestEntries?.values() ?? []) live.add(entry.hash);
        for (const shard of shards) {
          const entries = await this.readShard(shard);
          for (const [hash, facts] of saving) if (hash.startsWith(shard)) entries.set(hash, facts);
          for (const hash of [...entries.keys()]) if (!live.has(hash)) entries.delete(hash);
          await state.write(`${this.directory}/facts/${shard}.json`, JSON.stringify(Object.fromEntries(entries)));
        }
        for (const [hash, facts] of saving) if (this.unsaved.get(hash) === facts) this.unsaved.delete(hash);
        if (writeManifest) {
          const files: Record<string, [number, number, string]> = {};
          for (const [rel, e] of this.manifestEntries ?? []) files[rel] = [e.mtimeMs, e.bytes, e.hash];
          await state.write(`${this.directory}/manifest.json`, JSON.stringify({ root: this.root, files }));
        }
      } catch (err) {
        this.log(`context: could not save the index cache (${err instanceof Error ? err.message : String(err)}); it will be rebuilt next time.`);
      }
    });
    return this.writing;
  }

  private loadShard(shard: string): Promise<Map<string, FileFacts>> {
    let pending = this.loadingShards.get(shard);
    if (!pending) {
      pending = this.readShard(shard).then((entries) => {
        this.shards.set(shard, entries);
        return entries;
      });
      this.loadingShards.set(shard, pending);
    }
    return pending;
  }

  private async readShard(shard: string): Promise<Map<string, FileFacts>> {
    const entries = new Map<string, FileFacts>();
    const text = await this.readQuietly(`${this.directory}/facts/${shard}.json`);
    if (text !== null) {
      try {
        for (const [hash, facts] of Object.entries(JSON.parse(text) as Record<string, FileFacts>)) entries.set(hash, facts);
      } catch {
        this.log(`context: cache shard ${shard} was unreadable; its files will be parsed again.`);
      }
    }
    return entries;
  }

  private async readQuietly(rel: string): Promise<string | null> {
    if (!this.state) return null;
    try {
      return await this.state.read(rel);
    } catch {
      return null;
    }
  }
}
