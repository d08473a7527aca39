/**
 * `Workspace.watch`: changes to files the model may see are reported (also inside folders created
 * after watching began), secrets and ignored files are not, and closing stops the reports. Every
 * wait is on an event; absence is shown by a later sentinel change arriving first.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { makeFixture, type Fixture } from "./fixture.js";

const fixtures: Fixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});

/** Collects reported paths and lets a test wait until a given one arrives. */
function recorder() {
  const seen: string[] = [];
  const waiters: { abs: string; resolve: () => void }[] = [];
  return {
    seen,
    listener(abs: string) {
      seen.push(abs);
      for (const w of waiters.filter((w) => w.abs === abs)) w.resolve();
    },
    until(abs: string): Promise<void> {
      if (seen.includes(abs)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ abs, resolve }));
    },
  };
}

type Closer = (() => void) & { ready: Promise<void> };

describe("watch", () => {
  it("reports visible changes, including in new folders, and never secrets or ignored files", async () => {
    const fx = makeFixture({ "src/a.ts": "a", ".gitignore": "dist/\n", "dist/keep": "x" });
    fixtures.push(fx);
    const ws = await fx.workspace();
    const rec = recorder();
    const close = ws.watch(rec.listener) as Closer;
    await close.ready;

    writeFileSync(fx.path("src/a.ts"), "changed");
    await rec.until(fx.path("src/a.ts"));

    writeFileSync(fx.path(".env"), "SECRET=1");
    writeFileSync(fx.path("dist/out.js"), "built");
    writeFileSync(fx.path("src/sentinel1.ts"), "s");
    await rec.until(fx.path("src/sentinel1.ts"));
    expect(rec.seen).not.toContain(fx.path(".env"));
    expect(rec.seen).not.toContain(fx.path("dist/out.js"));

    mkdirSync(fx.path("src/fresh/deeper"), { recursive: true });
    writeFileSync(fx.path("src/fresh/deeper/n.ts"), "n");
    await rec.until(fx.path("src/fresh/deeper/n.ts"));
    writeFileSync(fx.path("src/fresh/deeper/n.ts"), "n2");
    rmSync(fx.path("src/a.ts"));
    await rec.until(fx.path("src/a.ts"));
    close();
  });

  it("stops reporting once closed", async () => {
    const fx = makeFixture({ "src/a.ts": "a" });
    fixtures.push(fx);
    const ws = await fx.workspace();
    const first = recorder();
    const second = recorder();
    const closeFirst = ws.watch(first.listener) as Closer;
    const closeSecond = ws.watch(second.listener) as Closer;
    await Promise.all([closeFirst.ready, closeSecond.ready]);
    closeFirst();
    writeFileSync(fx.path("src/a.ts"), "changed");
    await second.until(fx.path("src/a.ts"));
    expect(first.seen).toEqual([]);
    closeSecond();
  });
});
