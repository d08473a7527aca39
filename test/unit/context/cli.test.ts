// `burrow context`: the same engine from the command line. JSON output has the contract's shape
// with paths relative to the root, best first; usage errors exit 2 with a sentence on stderr.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../../server/src/cli/context.js";
import { FIXTURES } from "./fixture.js";

let temp: string;
let root: string;
const savedEnv = { ...process.env };

beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), "burrow-context-cli-"));
  root = join(temp, "go-svc");
  cpSync(join(FIXTURES, "go-svc"), root, { recursive: true });
  process.env.XDG_STATE_HOME = join(temp, "state");
  delete process.env.BURROW_STATE_DIR;
  process.env.HOME = temp;
  process.env.XDG_CONFIG_HOME = join(temp, "config");
});
afterAll(() => {
  process.env = savedEnv;
  rmSync(temp, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("burrow context", () => {
  it("prints the ranked files, the map and its size as JSON", async () => {
    const { code, out } = await run(["--root", root, "--budget", "300", "--json", "Store.Get should return a copy"]);
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as { files: Array<{ path: string; score: number }>; map: string; tokens: number };
    expect(Object.keys(parsed).sort()).toEqual(["files", "map", "tokens"]);
    expect(parsed.files[0]).toEqual({ path: "internal/store/store.go", score: expect.any(Number) });
    expect(parsed.files.every((f) => !f.path.startsWith("/"))).toBe(true);
    expect(parsed.tokens).toBeLessThanOrEqual(300);
    expect(parsed.map).toContain("func (s *Store) Get(key string) (string, bool) {");
  });

  it("prints a readable listing without --json, and accepts --flag=value", async () => {
    const { code, out } = await run([`--root=${root}`, "--budget=200", "ServeItem", "missing", "key"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^\s+1\.\s+[\d.]+\s+internal\/api\/handler\.go$/m);
    expect(out).toMatch(/Repo map \(\d+ of 200 tokens\)/);
  });

  it.each([
    [["Store.Get"], /--root/],
    [["--root", "ROOT"], /Describe the task/],
    [["--root", "ROOT", "--budget", "lots", "task"], /--budget needs a positive whole number/],
    [["--root", "ROOT", "--frobnicate", "task"], /Unknown option --frobnicate/],
    [["--root", "/definitely/not/here", "task"], /does not exist/],
  ])("exits 2 on %j", async (argv, message) => {
    const { code, err, out } = await run(argv.map((a) => (a === "ROOT" ? root : a)));
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(out).toBe("");
  });
});
