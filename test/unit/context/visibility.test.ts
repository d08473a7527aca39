// Only what the sandbox shows reaches the map: ignored files (.gitignore and .burrowignore, in a
// folder that is not a git repository) and secrets never appear in the ranking or the map, even
// when the task names what they define or an editor hands in their text.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openFixture, type Harness } from "./fixture.js";

let h: Harness;
beforeEach(async () => {
  h = await openFixture("ts-app");
});
afterEach(() => h.cleanup());

function everything(result: { files: Array<{ path: string }>; map: string }): string {
  return `${result.files.map((f) => f.path).join("\n")}\n${result.map}`;
}

describe("ignored and secret files", () => {
  it.each([
    ["a .gitignore'd build folder", "bundledSecretHelper in dist/bundle.js", "dist/bundle.js", "bundledSecretHelper"],
    ["a .env file", "envOnlyHelper API_TOKEN from .env", ".env", "do-not-index-this-value"],
  ])("%s never appears", async (_label, task, path, marker) => {
    const result = await h.engine.build({ task, budgetTokens: 4000 });
    expect(result.files.map((f) => f.path)).not.toContain(path);
    expect(everything(result)).not.toContain(marker);
  });

  it("a .burrowignore added later hides a file from the next build", async () => {
    const before = await h.engine.build({ task: "slugify", budgetTokens: 2000 });
    expect(before.files.map((f) => f.path)).toContain("src/util/strings.ts");
    writeFileSync(join(h.root, ".burrowignore"), "src/util/\n");
    const after = await h.engine.build({ task: "slugify", budgetTokens: 2000 });
    expect(after.files.map((f) => f.path)).not.toContain("src/util/strings.ts");
    expect(after.map).not.toContain("slugify(text: string)");
  });

  it("editor text for a secret or ignored file is dropped, not indexed", async () => {
    await h.engine.refresh();
    h.engine.noteChange(join(h.root, ".env"), "export function leakedFromBuffer() {}\n");
    h.engine.noteChange(join(h.root, "dist/bundle.js"), "export function leakedFromBuffer() {}\n");
    const result = await h.engine.build({ task: "leakedFromBuffer", budgetTokens: 2000 });
    expect(everything(result)).not.toContain("leakedFromBuffer");
  });

  it("key files in nested folders stay out too", async () => {
    mkdirSync(join(h.root, "deploy"), { recursive: true });
    writeFileSync(join(h.root, "deploy/server.pem"), "-----BEGIN PRIVATE KEY-----\nfunction pemHelper() {}\n");
    const result = await h.engine.build({ task: "pemHelper private key", budgetTokens: 2000 });
    expect(everything(result)).not.toContain("server.pem");
    expect(everything(result)).not.toContain("pemHelper");
  });
});
