/**
 * A property test over generated names: paths, URIs and mixtures of `..`, `.`, links, encoded
 * dots, separators, `~` and NUL, against one fixture full of traps (links out of the workspace, a
 * link to `/`, a link to the root's parent, a hard link to an outside file, secrets). Whatever the
 * name, a read never returns the outside marker or the secret, and any location the sandbox
 * accepts, for reading or for writing, is inside the root.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Workspace } from "../../server/src/agent/sandbox/types.js";
import { makeFixture, type Fixture } from "../unit/sandbox/fixture.js";

const SECRET = "TOKEN=inside-secret-9d1e";
let fx: Fixture;
let ws: Workspace;

beforeAll(async () => {
  fx = makeFixture({
    "src/a.ts": "export const a = 1;\n",
    "src/deep/b.ts": "export const b = 2;\n",
    ".env": SECRET,
    "config/.env.local": SECRET,
    "out": { symlink: "../outside" },
    "src/up": { symlink: "../.." },
    "top": { symlink: "/" },
    "src/alias.ts": { symlink: "../../outside/secret.txt" },
    "hard.txt": { hardlinkTo: "@outside/secret.txt" },
    "inner": { symlink: "src/deep" },
  });
  ws = await fx.workspace();
});

afterAll(() => fx.cleanup());

const segment = fc.constantFrom("..", ".", "", "src", "deep", "a.ts", "b.ts", "out", "up", "top", "inner", "alias.ts", "hard.txt", ".env", ".ENV", "config", ".env.local", "outside", "secret.txt", "%2e%2e", "%2E%2E%2F", "..%2f", "~", "\\..", "\0", "ws", "tmp");

const name = fc.oneof(
  fc.array(segment, { minLength: 1, maxLength: 8 }).map((parts) => parts.join("/")),
  fc.array(segment, { minLength: 1, maxLength: 8 }).map((parts) => `$ROOT/${parts.join("/")}`),
  fc.array(segment, { minLength: 1, maxLength: 8 }).map((parts) => `file://$ROOT/${parts.join("/")}`),
  fc.array(segment, { minLength: 1, maxLength: 8 }).map((parts) => `$BASE/${parts.join("/")}`),
);

describe("containment holds for generated names", () => {
  it("never returns outside content or the secret, and never accepts a location outside", async () => {
    await fc.assert(
      fc.asyncProperty(name, async (template) => {
        const input = template.replace("$ROOT", fx.root).replace("$BASE", fx.base);
        const read = await ws.read(input);
        const text = JSON.stringify(read);
        expect(text).not.toContain(fx.marker);
        expect(text).not.toContain(SECRET);
        for (const intent of ["read", "write"] as const) {
          const located = await ws.locate(input, intent);
          if (located.ok) {
            expect(located.abs.startsWith(fx.root + "/")).toBe(true);
            expect(ws.contains(located.abs)).toBe(true);
          }
        }
      }),
      { numRuns: 600 },
    );
  }, 120_000);
});
