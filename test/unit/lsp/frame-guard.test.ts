/**
 * The frame guard passes valid frames through byte for byte, however the input is split into
 * chunks, and drops the header blocks no reader could honour.
 */
import { describe, expect, it } from "vitest";
import { FrameGuard, MAX_MESSAGE_BYTES } from "../../../server/src/lsp/frame-guard.js";

const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const good = frame('{"jsonrpc":"2.0","id":1,"method":"x"}');
const unicode = frame('{"jsonrpc":"2.0","method":"y","params":{"t":"héllo ✓"}}');

async function run(input: Buffer, chunkSize: number): Promise<{ out: string; problems: string[] }> {
  const problems: string[] = [];
  const guard = new FrameGuard((p) => problems.push(p));
  const parts: Buffer[] = [];
  guard.on("data", (d: Buffer) => parts.push(d));
  const finished = new Promise<void>((resolve) => guard.on("end", () => resolve()));
  for (let i = 0; i < input.length; i += chunkSize) guard.write(input.subarray(i, i + chunkSize));
  guard.end();
  await finished;
  return { out: Buffer.concat(parts).toString(), problems };
}

const cases: { name: string; input: string; out: string; problems: number }[] = [
  { name: "two valid frames", input: good + unicode, out: good + unicode, problems: 0 },
  { name: "a negative length between valid frames", input: good + "Content-Length: -5\r\n\r\n" + unicode, out: good + unicode, problems: 1 },
  { name: "a non-numeric length", input: "Content-Length: twelve\r\n\r\n" + good, out: good, problems: 1 },
  { name: "a header without a length", input: "Content-Type: application/vscode-jsonrpc\r\n\r\n" + good, out: good, problems: 1 },
  { name: "extra headers are kept", input: "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" + good, out: "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" + good, problems: 0 },
  { name: "a zero-length body", input: "Content-Length: 0\r\n\r\n" + good, out: "Content-Length: 0\r\n\r\n" + good, problems: 0 },
];

describe("FrameGuard", () => {
  for (const c of cases) {
    for (const chunk of [1, 7, 4096]) {
      it(`${c.name} (chunks of ${chunk})`, async () => {
        const r = await run(Buffer.from(c.input), chunk);
        expect(r.out).toBe(c.out);
        expect(r.problems).toHaveLength(c.problems);
      });
    }
  }

  it("discards a body announced larger than the limit without buffering it", async () => {
    const r = await run(Buffer.from(`Content-Length: ${MAX_MESSAGE_BYTES + 1}\r\n\r\n` + "x".repeat(1000)), 100);
    expect(r.out).toBe("");
    expect(r.problems[0]).toMatch(/limit/);
  });
});
