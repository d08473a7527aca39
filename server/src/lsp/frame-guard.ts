/**
 * A guard in front of the JSON-RPC reader: it passes well-formed frames through untouched and drops
 * header blocks that no reader could honour (a missing, negative, non-numeric or absurdly large
 * `Content-Length`), so one broken message from a client never wedges the connection.
 *
 * vscode-jsonrpc's reader recovers from some of these on its own but not all: a negative length
 * leaves it waiting forever for a body that cannot arrive. Bodies are not inspected here; a frame
 * with valid headers and broken JSON still reaches the reader, which answers it with a parse error.
 */
import { Transform, type TransformCallback } from "node:stream";

/** Larger than any real LSP message; a client announcing more is broken, and buffering it would exhaust memory. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Bytes of input without a header terminator after which the input is treated as junk and dropped. */
const MAX_HEADER_BYTES = 64 * 1024;
const TERMINATOR = Buffer.from("\r\n\r\n");

export class FrameGuard extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  /** Body bytes of the current frame still to pass through (or to discard when `discarding`). */
  private bodyLeft = 0;
  private discarding = false;

  constructor(private readonly report: (problem: string) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, this.pending.length);
        if (n === 0) break;
        if (!this.discarding) this.push(this.pending.subarray(0, n));
        this.pending = this.pending.subarray(n);
        this.bodyLeft -= n;
        if (this.bodyLeft > 0) break;
        this.discarding = false;
        continue;
      }
      const end = this.pending.indexOf(TERMINATOR);
      if (end < 0) {
        if (this.pending.length > MAX_HEADER_BYTES) {
          this.report(`Dropped ${this.pending.length} bytes of input that never formed a message header.`);
          this.pending = Buffer.alloc(0);
        }
        break;
      }
      const header = this.pending.subarray(0, end + TERMINATOR.length);
      this.pending = this.pending.subarray(end + TERMINATOR.length);
      const length = contentLength(header.toString("latin1"));
      if (length === undefined) {
        this.report("Dropped a message header without a valid Content-Length.");
        continue;
      }
      if (length > MAX_MESSAGE_BYTES) {
        this.report(`Dropped a message of ${length} bytes (the limit is ${MAX_MESSAGE_BYTES}).`);
        this.bodyLeft = length;
        this.discarding = true;
        continue;
      }
      this.push(header);
      this.bodyLeft = length;
    }
    done();
  }
}

/** The Content-Length of a header block, when it is a plain non-negative integer. */
function contentLength(header: string): number | undefined {
  let value: number | undefined;
  for (const line of header.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    if (line.slice(0, colon).trim().toLowerCase() !== "content-length") continue;
    const text = line.slice(colon + 1).trim();
    if (!/^\d{1,12}$/.test(text)) return undefined;
    value = Number(text);
  }
  return value;
}
