/**
 * What the model may see: ignore files with git's precedence (nested files, negations, anchored
 * patterns, folders), `.git/info/exclude`, global excludes, `.burrowignore`, folders that are not
 * repositories, a root below a repository's top, secrets, and the `sandbox.allow` exceptions.
 * Each row is a fixture plus the paths that must be visible and the paths that must be hidden;
 * both `list()` and `read()` are checked so the two can never disagree.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { excludesFileFrom } from "../../../server/src/agent/sandbox/rules.js";
import { makeFixture, type Entry, type Fixture } from "./fixture.js";

interface Row {
  name: string;
  entries: Record<string, Entry>;
  /** Files written relative to the fixture's fake home (global git config). */
  home?: Record<string, string>;
  allow?: string[];
  /** Grant this subfolder instead of the whole workspace. */
  rootAt?: string;
  visible: string[];
  hidden: string[];
}

const rows: Row[] = [
  {
    name: "a .gitignore with negation and folders",
    entries: { ".gitignore": "*.log\n!keep.log\nbuild/\n/only-top.txt\n", "a.log": "x", "keep.log": "x", "build/out.js": "x", "only-top.txt": "x", "sub/only-top.txt": "x", "src/a.ts": "x" },
    visible: [".gitignore", "keep.log", "sub/only-top.txt", "src/a.ts"],
    hidden: ["a.log", "build/out.js", "only-top.txt"],
  },
  {
    name: "a nested .gitignore overriding its parent",
    entries: { ".gitignore": "*.log\n", "pkg/.gitignore": "!debug.log\n*.tmp\n", "pkg/debug.log": "x", "pkg/other.log": "x", "pkg/x.tmp": "x", "x.tmp": "x" },
    visible: [".gitignore", "pkg/.gitignore", "pkg/debug.log", "x.tmp"],
    hidden: ["pkg/other.log", "pkg/x.tmp"],
  },
  {
    name: "a file inside an ignored folder stays ignored",
    entries: { ".gitignore": "vendor/\n", "vendor/.gitignore": "!*\n", "vendor/lib.js": "x" },
    visible: [".gitignore"],
    hidden: ["vendor/lib.js", "vendor/.gitignore"],
  },
  {
    name: ".git/info/exclude",
    entries: { ".git/info/exclude": "scratch/\n", ".git/HEAD": "ref: refs/heads/main\n", "scratch/n.md": "x", "src/a.ts": "x" },
    visible: ["src/a.ts"],
    hidden: ["scratch/n.md", ".git/HEAD", ".git/info/exclude"],
  },
  {
    name: ".git/info/exclude of a linked worktree (a .git file naming its git directory)",
    entries: {
      ".git": "gitdir: ../outside/repo.git/worktrees/wt\n",
      "@outside/repo.git/worktrees/wt/commondir": "../..\n",
      "@outside/repo.git/info/exclude": "excluded.txt\n",
      "excluded.txt": "x",
      "kept.txt": "x",
    },
    visible: ["kept.txt"],
    hidden: ["excluded.txt", ".git"],
  },
  {
    name: "global excludes from the XDG default",
    entries: { "src/a.ts": "x", ".DS_Store": "x", "src/.idea/ws.xml": "x" },
    home: { ".config/git/ignore": ".DS_Store\n.idea/\n" },
    visible: ["src/a.ts"],
    hidden: [".DS_Store", "src/.idea/ws.xml"],
  },
  {
    name: "global excludes from core.excludesFile with ~",
    entries: { "src/a.ts": "x", "notes.private": "x" },
    home: { ".gitconfig": '[user]\n  name = x\n[core]\n\texcludesFile = "~/my-ignores"\n', "my-ignores": "*.private\n" },
    visible: ["src/a.ts"],
    hidden: ["notes.private"],
  },
  {
    name: ".burrowignore wins over a .gitignore negation at the same level",
    entries: { ".gitignore": "*.md\n!plan.md\n", ".burrowignore": "plan.md\ninternal/\n", "plan.md": "x", "internal/a.ts": "x", "src/a.ts": "x" },
    visible: ["src/a.ts", ".gitignore", ".burrowignore"],
    hidden: ["plan.md", "internal/a.ts"],
  },
  {
    name: "ignore files apply in a folder that is not a repository",
    entries: { ".gitignore": "dist/\n", "dist/a.js": "x", "src/a.ts": "x" },
    visible: ["src/a.ts", ".gitignore"],
    hidden: ["dist/a.js"],
  },
  {
    name: "a root below the repository's top obeys the top's rules",
    entries: { ".git/HEAD": "x", ".gitignore": "pkg/generated/\n*.secret.txt\n", "pkg/generated/g.ts": "x", "pkg/src/a.ts": "x", "pkg/x.secret.txt": "x" },
    rootAt: "pkg",
    visible: ["src/a.ts"],
    hidden: ["generated/g.ts", "x.secret.txt"],
  },
  {
    name: "secrets by default",
    entries: { ".env": "x", ".env.local": "x", "id_rsa": "x", "id_ed25519.pub": "x", "a.pem": "x", "b.key": "x", ".ssh/config": "x", ".aws/credentials": "x", ".npmrc": "x", ".netrc": "x", ".pypirc": "x", "credentials.json": "x", ".git-credentials": "x", "terraform.tfstate": "x", "config/secrets.yml": "x", "src/a.ts": "x", "src/env.ts": "x", "src/credentials.ts": "x", "src/secrets.ts": "x" },
    visible: ["src/a.ts", "src/env.ts", "src/credentials.ts", "src/secrets.ts"],
    hidden: ["config/secrets.yml", ".env", ".env.local", "id_rsa", "id_ed25519.pub", "a.pem", "b.key", ".ssh/config", ".aws/credentials", ".npmrc", ".netrc", ".pypirc", "credentials.json", ".git-credentials", "terraform.tfstate"],
  },
  {
    name: "named exceptions in sandbox.allow",
    entries: { ".env": "x", ".env.example": "x", ".gitignore": "private/\n", "private/notes.md": "x", "private/other.md": "x", ".aws/config": "x", ".aws/credentials": "x" },
    allow: [".env.example", "private/notes.md", ".aws/config"],
    visible: [".env.example", "private/notes.md", ".aws/config", ".gitignore"],
    hidden: [".env", "private/other.md", ".aws/credentials"],
  },
  {
    name: "sandbox.allow cannot open .git internals",
    entries: { ".git/config": "x", "src/a.ts": "x" },
    allow: [".git/config", ".git/"],
    visible: ["src/a.ts"],
    hidden: [".git/config"],
  },
];

const fixtures: Fixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});

describe("visibility rules", () => {
  it.each(rows)("$name", async (row) => {
    const fx = makeFixture(row.entries);
    fixtures.push(fx);
    for (const [rel, text] of Object.entries(row.home ?? {})) {
      const path = join(fx.base, "home", rel);
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, text);
    }
    const root = row.rootAt ? join(fx.root, row.rootAt) : fx.root;
    const ws = await fx.workspace({ roots: [root], settings: { allow: row.allow } });
    const listed = (await ws.list()).map((f) => f.rel).sort();
    for (const rel of row.visible) {
      expect(listed, `${rel} should be listed`).toContain(rel);
      const read = await ws.read(rel);
      expect(read.ok, `${rel}: ${read.ok ? "" : read.reason}`).toBe(true);
    }
    for (const rel of row.hidden) {
      expect(listed, `${rel} should not be listed`).not.toContain(rel);
      const read = await ws.read(rel);
      expect(read.ok, `${rel} should be refused`).toBe(false);
      const write = await ws.locate(rel, "write");
      expect(write.ok, `${rel} should not be writable`).toBe(false);
    }
  });

  it("explains a refusal in words the user can act on", async () => {
    const fx = makeFixture({ ".env": "x", ".gitignore": "out/\n", "out/a.js": "x" });
    fixtures.push(fx);
    const ws = await fx.workspace();
    const env = await ws.read(".env");
    expect(env).toMatchObject({ ok: false, skipped: "secret", rel: ".env" });
    if (!env.ok) expect(env.reason).toMatch(/sandbox\.allow/);
    const out = await ws.read("out/a.js");
    expect(out).toMatchObject({ ok: false, skipped: "ignored" });
    if (!out.ok) expect(out.reason).toMatch(/\.gitignore \(rule "out\/"\)/);
  });

  it("notices an edited .gitignore on the next list", async () => {
    const fx = makeFixture({ ".gitignore": "a.txt\n", "a.txt": "x", "b.txt": "x" });
    fixtures.push(fx);
    const ws = await fx.workspace();
    expect((await ws.list()).map((f) => f.rel).sort()).toEqual([".gitignore", "b.txt"]);
    writeFileSync(fx.path(".gitignore"), "b.txt\n# now b, and longer so the size changes\n");
    expect((await ws.list()).map((f) => f.rel).sort()).toEqual([".gitignore", "a.txt"]);
  });
});

describe("core.excludesFile parsing", () => {
  it.each([
    ["[core]\n\texcludesfile = /a/b\n", "/a/b"],
    ['[core]\n  excludesFile = "~/x y"\n', "~/x y"],
    ["[core]\nexcludesFile=/one\n[core]\nexcludesFile=/two ; comment\n", "/two"],
    ['[remote "origin"]\n excludesFile = /not-core\n', null],
    ["", null],
  ])("%j → %j", (text, expected) => {
    expect(excludesFileFrom(text)).toBe(expected);
  });
});
