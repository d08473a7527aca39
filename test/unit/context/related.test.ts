// What an edit request gets next to the files it edits: the definitions those files use from
// elsewhere, most used first, within the budget, and nothing from the files themselves.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openFixture, type Harness } from "./fixture.js";

let ts: Harness;
let py: Harness;
beforeAll(async () => {
  ts = await openFixture("ts-app");
  py = await openFixture("py-lib");
});
afterAll(() => {
  ts.cleanup();
  py.cleanup();
});

describe("related", () => {
  it.each([
    ["ts-app", ["src/server/session.ts"], ["src/config/parser.ts", "src/util/strings.ts"], ["8: export function parseConfig", "2: export function slugify"]],
    ["ts-app", ["src/server/router.ts"], ["src/server/session.ts"], ["5: export class Session {"]],
    ["py-lib", ["pkg/http/client.py"], ["pkg/auth.py", "pkg/retry.py"], ["7: def refresh_token():", "4: class RetryPolicy:"]],
  ])("%s %j uses %j", async (repo, paths, files, lines) => {
    const engine = (repo === "ts-app" ? ts : py).engine;
    const result = await engine.related(paths, 500);
    expect(result.files.map((f) => f.path).sort()).toEqual([...files].sort());
    for (const line of lines) expect(result.map).toContain(line);
    for (const path of paths) expect(result.map).not.toContain(`${path}\n`);
  });

  it("shows only the definitions used, not the whole outline of the file", async () => {
    const result = await ts.engine.related(["src/server/session.ts"], 500);
    expect(result.map).not.toContain("describeConfig");
    expect(result.map).not.toContain("truncate");
  });

  it("never exceeds its budget", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 400 }), async (budget) => {
        const result = await ts.engine.related(["src/server/session.ts", "src/index.ts"], budget);
        expect(result.tokens).toBeLessThanOrEqual(budget);
      }),
      { numRuns: 40 },
    );
  });

  it("is empty for a file it does not know", async () => {
    const result = await ts.engine.related(["nowhere.ts"], 500);
    expect(result).toEqual({ files: [], map: "", tokens: 0 });
  });
});
