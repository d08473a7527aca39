/**
 * The "skipped (reason)" side of a refused read: a file that exists but is never sent to a model
 * (binary, too large). Callers that only need to know whether a file exists, or what it holds now,
 * tell such a file apart from a missing one with this.
 */
import type { ReadResult, Skipped } from "./types.js";

export function skippedOf(read: ReadResult): { skipped: string; rel?: string } | undefined {
  if (read.ok) return undefined;
  const s = read as Partial<Skipped>;
  return s.skipped ? { skipped: s.skipped, ...(s.rel ? { rel: s.rel } : {}) } : undefined;
}
