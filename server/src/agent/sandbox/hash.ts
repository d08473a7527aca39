/**
 * The one definition of a file's fingerprint. `FileText.hash` is the sha256 of the bytes on disk;
 * `hashText` gives the same value for text held in memory (an editor buffer, a proposal), because
 * Burrow reads files as exact UTF-8 (a byte-order mark is kept in the text), so encoding the text
 * again yields the bytes it came from. The conflict check at apply time relies on that equality.
 */
import { createHash } from "node:crypto";

/** sha256, hex, of raw bytes. */
export function hashBytes(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** sha256, hex, of text encoded as UTF-8: equal to `FileText.hash` when the text is the file's. */
export function hashText(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
