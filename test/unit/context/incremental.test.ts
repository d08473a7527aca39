// The index follows the workspace without redoing work: a change on disk or in an editor buffer
// shows up in the next build, only changed files are read again, change notifications return at
// once, and a restarted engine takes unchanged files from the cache without reading them.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openFixture, type Harness } from "./fixture.js";

let h: Harness;
beforeEach(async () => {
  h = await openFixture("ts-app");
});
afterEach(() => h.cleanup());

const task = { task: "computeInvoiceTotals rounds to cents", budgetTokens: 800 };

/** Wait until the workspace's listing shows `rel` with `bytes` (its file watcher reports changes asynchronously). */
async function listed(rel: string, bytes: number): Promise<void> {
  await expect.poll(async () => (await h.workspace.list()).find((f) => f.rel === rel)?.bytes, { timeout: 5000 }).toBe(bytes);
}

describe("incremental updates", () => {
  it("a file changed on disk is re-read, and only that file", async () => {
    const first = await h.engine.refresh();
    expect(first.read).toBeGreaterThan(3);
    expect((await h.engine.build(task)).files[0]?.path).not.toBe("src/util/strings.ts");

    writeFileSync(join(h.root, "src/util/strings.ts"), "export function computeInvoiceTotals(lines: number[]): number {\n  return lines.reduce((a, b) => a + b, 0);\n}\n");
    h.engine.noteChange(join(h.root, "src/util/strings.ts"));
    const stats = await h.engine.refresh();
    expect(stats.read).toBe(1);
    expect(stats.parsed).toBe(1);
    const result = await h.engine.build(task);
    expect(result.files[0]?.path).toBe("src/util/strings.ts");
    expect(result.map).toContain("1: export function computeInvoiceTotals(lines: number[]): number {");
  });

  it("a change the engine was not told about is found by size and modification time", async () => {
    await h.engine.refresh();
    const text = "export function computeInvoiceTotals(): number {\n  return 0;\n}\n";
    writeFileSync(join(h.root, "src/server/router.ts"), text);
    await listed("src/server/router.ts", text.length);
    const stats = await h.engine.refresh();
    expect(stats.read).toBe(1);
    expect((await h.engine.build(task)).files[0]?.path).toBe("src/server/router.ts");
  });

  it("an unchanged tree is not read again, files the sandbox refuses included", async () => {
    writeFileSync(join(h.root, "logo.bin"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0, 1, 2, 3]));
    await listed("logo.bin", 12);
    await h.engine.refresh();
    const stats = await h.engine.refresh();
    expect(stats).toMatchObject({ read: 0, parsed: 0, removed: 0 });
    expect(stats.listed).toBeGreaterThan(3);
  });

  it("editor text counts before it is saved, and the disk wins once the buffer is dropped", async () => {
    await h.engine.refresh();
    const abs = join(h.root, "src/config/parser.ts");
    h.engine.noteChange(abs, "export function computeInvoiceTotals(): number {\n  return 1;\n}\n");
    expect((await h.engine.build(task)).files[0]?.path).toBe("src/config/parser.ts");
    h.engine.noteChange(abs);
    const after = await h.engine.build(task);
    expect(after.map).not.toContain("computeInvoiceTotals");
    expect((await h.engine.build({ task: "parseConfig", budgetTokens: 800 })).map).toContain("8: export function parseConfig(text: string): AppConfig {");
  });

  it("a change reported by file URI is understood like one by path", async () => {
    await h.engine.refresh();
    const uri = pathToFileURL(join(h.root, "src/util/strings.ts")).href;
    h.engine.noteChange(uri, "export function computeInvoiceTotals(): number {\n  return 3;\n}\n");
    expect((await h.engine.build(task)).files[0]?.path).toBe("src/util/strings.ts");
  });

  it("a deleted file leaves the index", async () => {
    await h.engine.refresh();
    rmSync(join(h.root, "src/util/strings.ts"));
    await expect.poll(async () => (await h.workspace.list()).some((f) => f.rel === "src/util/strings.ts"), { timeout: 5000 }).toBe(false);
    const stats = await h.engine.refresh();
    expect(stats.removed).toBe(1);
    const result = await h.engine.build({ task: "slugify", budgetTokens: 500 });
    expect(result.files.map((f) => f.path)).not.toContain("src/util/strings.ts");
    expect(result.map).not.toContain("slugify(text: string)");
  });

  it("noteChange returns at once and the refresh happens in the background", async () => {
    await h.engine.refresh();
    const abs = join(h.root, "src/index.ts");
    const started = process.hrtime.bigint();
    for (let i = 0; i < 10_000; i++) h.engine.noteChange(abs, `// keystroke ${i}\nexport const computeInvoiceTotals = ${i};\n`);
    const perCallMicros = Number(process.hrtime.bigint() - started) / 1000 / 10_000;
    expect(perCallMicros).toBeLessThan(20);
    // The engine refreshes on its own shortly after the keystrokes stop.
    await expect.poll(() => h.logs.some((m) => /indexed \d+ files \(0 read, 1 parsed/.test(m)), { timeout: 5000 }).toBe(true);
    expect((await h.engine.build(task)).files[0]?.path).toBe("src/index.ts");
  });

  it("a restarted engine takes unchanged files from the cache without reading them", async () => {
    await h.engine.refresh();
    await h.engine.flush();
    writeFileSync(join(h.root, "src/index.ts"), "export const computeInvoiceTotals = 2;\n");
    await listed("src/index.ts", 39);
    const again = h.restart();
    const stats = await again.refresh();
    expect(stats.read).toBe(1);
    expect(stats.fromCache).toBe(stats.listed - 1);
    expect((await again.build(task)).files[0]?.path).toBe("src/index.ts");
  });
});
