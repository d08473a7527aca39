/**
 * URI conversion, the state directory's location, and the state store: small pure rules that
 * every other layer relies on to name files the same way.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createStateStore, fileUriToPath, hashText, pathToFileUri, stateDirectory } from "../../../server/src/agent/sandbox/index.js";
import { hashBytes } from "../../../server/src/agent/sandbox/hash.js";
import { makeFixture, type Fixture } from "./fixture.js";

describe("fileUriToPath", () => {
  it.each([
    ["file:///home/u/p/a.ts", "posix", "/home/u/p/a.ts"],
    ["file://localhost/home/u/a.ts", "posix", "/home/u/a.ts"],
    ["file:///home/u/my%20file.ts", "posix", "/home/u/my file.ts"],
    ["file:///home/u/%C3%A9t%C3%A9.md", "posix", "/home/u/été.md"],
    ["file:///home/u/p/../x", "posix", "/home/u/x"],
    ["file:///home/u/p/%2E%2E/x", "posix", "/home/u/x"],
    ["file:///home/u/p%2F..%2Fx", "posix", null],
    ["file:///home/u/p%5C..%5Cx", "posix", null],
    ["file:///home/u/a%00b", "posix", null],
    ["file:///home/u/%E0%A4%A", "posix", null],
    ["file://server/share/a.ts", "posix", null],
    ["http:///home/u/a.ts", "posix", null],
    ["untitled:Untitled-1", "posix", null],
    ["file:///c%3A/Users/u/a.ts", "win32", "C:\\Users\\u\\a.ts"],
    ["file:///C:/Users/u/a.ts", "win32", "C:\\Users\\u\\a.ts"],
    ["file:///d:/", "win32", "D:\\"],
    ["file://server/share/a.ts", "win32", "\\\\server\\share\\a.ts"],
    ["file:///no-drive/a.ts", "win32", null],
  ] as const)("%s (%s) → %s", (uri, flavour, expected) => {
    expect(fileUriToPath(uri, flavour)).toBe(expected);
  });

  it("round-trips paths with characters that need escaping", () => {
    for (const path of ["/tmp/a b/c#d?e.ts", "/tmp/%41/ü.ts", "/tmp/[x]/y.ts"]) {
      expect(fileUriToPath(pathToFileUri(path), "posix")).toBe(path);
    }
  });
});

describe("stateDirectory", () => {
  it.each([
    [{ BURROW_STATE_DIR: "/custom/state", XDG_STATE_HOME: "/x", HOME: "/h" }, "linux", "/custom/state"],
    [{ XDG_STATE_HOME: "/x/state", HOME: "/h" }, "linux", "/x/state/burrow"],
    [{ XDG_STATE_HOME: "relative/state", HOME: "/h" }, "linux", "/h/.local/state/burrow"],
    [{ HOME: "/h" }, "linux", "/h/.local/state/burrow"],
    [{ HOME: "/Users/u" }, "darwin", "/Users/u/Library/Application Support/burrow"],
    [{ XDG_STATE_HOME: "/x/state", HOME: "/Users/u" }, "darwin", "/x/state/burrow"],
    [{ LOCALAPPDATA: "/c/Users/u/AppData/Local", USERPROFILE: "/c/Users/u" }, "win32", "/c/Users/u/AppData/Local/burrow"],
    [{ USERPROFILE: "/c/Users/u" }, "win32", "/c/Users/u/AppData/Local/burrow"],
  ] as const)("%o on %s → %s", (env, platform, expected) => {
    expect(stateDirectory(env as NodeJS.ProcessEnv, platform as NodeJS.Platform)).toBe(expected);
  });
});

describe("hashText", () => {
  it("equals the hash of the bytes, including a byte-order mark and non-ASCII text", () => {
    for (const text of ["", "plain\n", "\uFEFFwith bom\r\n", "ünïcödé 🦫\n"]) {
      expect(hashText(text)).toBe(hashBytes(Buffer.from(text, "utf8")));
    }
  });
});

describe("the state store", () => {
  const dirs: string[] = [];
  const fixtures: Fixture[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    for (const f of fixtures.splice(0)) f.cleanup();
  });

  it("writes, reads, appends, lists and removes under its folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burrow-state-"));
    dirs.push(dir);
    const store = createStateStore(join(dir, "s"));
    expect(await store.read("tasks/1/plan.md")).toBeNull();
    expect(await store.list("tasks")).toEqual([]);
    const path = await store.write("tasks/1/plan.md", "# plan\n");
    expect(path).toBe(join(dir, "s", "tasks", "1", "plan.md"));
    expect(readFileSync(path, "utf8")).toBe("# plan\n");
    await store.write("tasks/1/plan.md", "# plan v2\n");
    expect(await store.read("tasks/1/plan.md")).toBe("# plan v2\n");
    await store.append("egress.jsonl", '{"a":1}');
    await store.append("egress.jsonl", '{"a":2}\n');
    expect(await store.read("egress.jsonl")).toBe('{"a":1}\n{"a":2}\n');
    expect(await store.list("tasks")).toEqual(["1"]);
    expect(await store.list("tasks/1")).toEqual(["plan.md"]);
    await store.remove("tasks/1");
    expect(await store.list("tasks")).toEqual([]);
    await store.remove("never/was");
  });

  it.each(["../escape.txt", "a/../../escape.txt", "/etc/passwd", "a\0b"])("refuses the state path %j", (rel) => {
    const store = createStateStore(join(tmpdir(), "burrow-state-never-created"));
    expect(() => store.pathOf(rel)).toThrow(/state directory/);
  });

  it("refuses to grant a folder that contains the state directory", async () => {
    const fx = makeFixture({ "a.ts": "x\n" });
    fixtures.push(fx);
    const messages: string[] = [];
    const inside = createStateStore(join(fx.root, ".state"));
    const ws = await fx.workspace({ state: inside, log: (m) => messages.push(m) });
    expect(ws.roots()).toEqual([]);
    expect(messages.join("\n")).toMatch(/state directory .* is inside/);
    const grant = await ws.grant(fx.base);
    expect(grant.ok).toBe(false);
    if (!grant.ok) expect(grant.reason).toMatch(/BURROW_STATE_DIR/);
  });
});
