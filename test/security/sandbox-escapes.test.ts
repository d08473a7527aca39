/**
 * The adversarial suite: every row is a fixture workspace plus a path, URI or write that tries to
 * reach outside the granted folder (or into a secret inside it). Each asserts that the outside
 * content never comes back through the Workspace API, that nothing outside was written, and that
 * nothing inside changed either. After every row, everything `list()` offers is read back and
 * checked for the outside marker, so a fixture that leaks through listing fails too.
 */
import { execFileSync } from "node:child_process";
import { renameSync, symlinkSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hashText } from "../../server/src/agent/sandbox/index.js";
import type { Workspace } from "../../server/src/agent/sandbox/types.js";
import { makeFixture, snapshotTree, type Entry, type Fixture } from "../unit/sandbox/fixture.js";

const SECRET_ENV = "SECRET_TOKEN=hunter2-inside";

/** Entries most rows share: ordinary code, a secret, links and a FIFO to aim at. */
const common: Record<string, Entry> = {
  "src/a.ts": "export const a = 1;\n",
  "src/deep/b.ts": "export const b = 2;\n",
  ".env": SECRET_ENV + "\n",
};

interface ReadCase {
  name: string;
  entries?: Record<string, Entry>;
  /** The path or URI the model or client names; `$ROOT`, `$OUT` and `$BASE` are replaced. */
  input: string;
  /** Text that must never come back (default: the outside marker). */
  secret?: string;
  prepare?: (fx: Fixture) => void;
}

const readCases: ReadCase[] = [
  { name: "../ at the start", input: "../outside/secret.txt" },
  { name: "../ after a folder", input: "src/../../outside/secret.txt" },
  { name: "../ after ./", input: "./../outside/secret.txt" },
  { name: "../ in the middle after . segments", input: "src/./deep/./../../../outside/secret.txt" },
  { name: "../ three deep", input: "src/deep/../../../outside/secret.txt" },
  { name: "../ repeated fifty times", input: "../".repeat(50) + "$OUT/secret.txt".replace(/^\//, "") },
  { name: "../ at the end", input: "src/deep/../../.." },
  { name: "a bare ..", input: ".." },
  { name: "../ with a trailing slash", input: "../outside/secret.txt/" },
  { name: "backslash ..\\ on POSIX", input: "src\\..\\..\\outside\\secret.txt" },
  { name: "absolute path outside", input: "$OUT/secret.txt" },
  { name: "absolute path through the root and ..", input: "$ROOT/../outside/secret.txt" },
  { name: "absolute path through a folder and ..", input: "$ROOT/src/../../outside/dir/inner.txt" },
  { name: "absolute system file", input: "/etc/passwd", secret: "root:" },
  { name: "absolute path through /proc", input: "/proc/self/root$OUT/secret.txt" },
  { name: "file URI outside", input: "file://$OUT/secret.txt" },
  { name: "file URI with %2E%2E", input: "file://$ROOT/%2E%2E/outside/secret.txt" },
  { name: "file URI with lower-case %2e%2e", input: "file://$ROOT/src/%2e%2e/%2e%2e/outside/secret.txt" },
  { name: "file URI with an encoded slash", input: "file://$ROOT/%2E%2E%2Foutside%2Fsecret.txt" },
  { name: "file URI with an encoded backslash", input: "file://$ROOT/src/..%5C..%5Coutside%5Csecret.txt" },
  { name: "file URI with a remote host", input: "file://evil.example$OUT/secret.txt" },
  { name: "file URI with a single slash and ..", input: "file:$ROOT/../outside/secret.txt" },
  { name: "file URI in upper case with ..", input: "FILE://$ROOT/../outside/secret.txt" },
  { name: "file URI with an encoded NUL", input: "file://$ROOT/src/a.ts%00/../../../outside/secret.txt" },
  { name: "another URI scheme", input: "vscode-remote://ssh-remote+host$OUT/secret.txt" },
  { name: "an http URL", input: "http://127.0.0.1/$OUT/secret.txt" },
  { name: "~ for the home folder", input: "~/.ssh/id_rsa" },
  { name: "~ alone", input: "~" },
  { name: "~user", input: "~root/.bashrc" },
  { name: "a NUL byte", input: "src/a.ts\0/../../outside/secret.txt" },
  { name: "symlinked folder pointing outside (relative)", entries: { link: { symlink: "../outside" } }, input: "link/secret.txt" },
  { name: "symlinked folder pointing outside (absolute)", entries: {}, prepare: (fx) => symlinkSync(fx.outside, fx.path("abs-link")), input: "abs-link/dir/inner.txt" },
  { name: "symlinked folder by absolute path", entries: { link: { symlink: "../outside" } }, input: "$ROOT/link/secret.txt" },
  { name: "symlinked folder by URI", entries: { link: { symlink: "../outside" } }, input: "file://$ROOT/link/secret.txt" },
  { name: "symlinked file pointing outside", entries: { "s.txt": { symlink: "../outside/secret.txt" } }, input: "s.txt" },
  { name: "symlink chain ending outside", entries: { a: { symlink: "b" }, b: { symlink: "src/c" }, "src/c": { symlink: "../../outside/secret.txt" } }, input: "a" },
  { name: "symlink to the root's parent", entries: { up: { symlink: ".." } }, input: "up/outside/secret.txt" },
  { name: "symlink to /", entries: { top: { symlink: "/" } }, input: "top$OUT/secret.txt" },
  { name: "symlink loop", entries: { loop1: { symlink: "loop2" }, loop2: { symlink: "loop1" } }, input: "loop1" },
  {
    name: "dangling symlink later pointed outside",
    entries: { later: { symlink: "../outside/later.txt" } },
    input: "later",
    prepare: (fx) => writeFileSync(join(fx.outside, "later.txt"), `${fx.marker} later\n`),
  },
  { name: "a sibling folder whose name starts with the root's", entries: {}, prepare: (fx) => { mkdirSync(fx.root + "-evil"); writeFileSync(fx.root + "-evil/x.txt", fx.marker); }, input: "$ROOT-evil/x.txt" },
  { name: "symlink inside naming a secret", entries: { "notes.txt": { symlink: ".env" } }, input: "notes.txt", secret: SECRET_ENV },
  { name: "hard link to a file outside", entries: { "h.txt": { hardlinkTo: "@outside/secret.txt" } }, input: "h.txt" },
  { name: ".env read", input: ".env", secret: SECRET_ENV },
  { name: ".env by absolute path", input: "$ROOT/.env", secret: SECRET_ENV },
  { name: ".env by URI", input: "file://$ROOT/.env", secret: SECRET_ENV },
  { name: ".env via a folder and ..", input: "src/../.env", secret: SECRET_ENV },
  { name: ".env.local", entries: { ".env.local": SECRET_ENV }, input: ".env.local", secret: SECRET_ENV },
  { name: ".ENV differing only in case", entries: { "cfg/.ENV": SECRET_ENV }, input: "cfg/.ENV", secret: SECRET_ENV },
  { name: ".Env.Production differing in case", entries: { ".Env.Production": SECRET_ENV }, input: ".Env.Production", secret: SECRET_ENV },
  { name: "a private key", entries: { "id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----" }, input: "id_rsa", secret: "PRIVATE KEY" },
  { name: "a .pem file", entries: { "certs/server.PEM": "-----BEGIN PRIVATE KEY-----" }, input: "certs/server.PEM", secret: "PRIVATE KEY" },
  { name: "a .key file", entries: { "tls/site.key": "KEYDATA-inside" }, input: "tls/site.key", secret: "KEYDATA-inside" },
  { name: ".ssh/ folder", entries: { ".ssh/config": "Host secret-host" }, input: ".ssh/config", secret: "secret-host" },
  { name: ".aws/credentials", entries: { ".aws/credentials": "aws_secret_access_key=XYZ" }, input: ".aws/credentials", secret: "aws_secret" },
  { name: ".npmrc", entries: { ".npmrc": "//registry/:_authToken=npm_TOKEN" }, input: ".npmrc", secret: "npm_TOKEN" },
  { name: ".netrc", entries: { ".netrc": "machine x password PW123" }, input: ".netrc", secret: "PW123" },
  { name: ".pypirc", entries: { ".pypirc": "password = PYPI123" }, input: ".pypirc", secret: "PYPI123" },
  { name: "credentials.json", entries: { "config/credentials.json": '{"k":"CRED123"}' }, input: "config/credentials.json", secret: "CRED123" },
  { name: ".git internals", entries: { ".git/config": "[remote] url = https://TOKEN@host" }, input: ".git/config", secret: "TOKEN@host" },
  { name: ".GIT differing in case", entries: { ".git/config": "[remote] url = https://TOKEN@host" }, input: ".GIT/config", secret: "TOKEN@host" },
  { name: "gitignored secret folder", entries: { ".gitignore": "private/\n", "private/token.txt": "IGNORED-TOKEN" }, input: "private/token.txt", secret: "IGNORED-TOKEN" },
  { name: "gitignored file in a nested .gitignore", entries: { "pkg/.gitignore": "local.json\n", "pkg/local.json": "NESTED-SECRET" }, input: "pkg/local.json", secret: "NESTED-SECRET" },
  { name: "negation cannot reopen an ignored folder", entries: { ".gitignore": "private/\n!private/token.txt\n", "private/token.txt": "IGNORED-TOKEN" }, input: "private/token.txt", secret: "IGNORED-TOKEN" },
  { name: ".burrowignore", entries: { ".burrowignore": "notes/\n", "notes/plan.md": "BURROWIGNORED" }, input: "notes/plan.md", secret: "BURROWIGNORED" },
  { name: ".git/info/exclude", entries: { ".git/info/exclude": "scratch.txt\n", "scratch.txt": "EXCLUDED" }, input: "scratch.txt", secret: "EXCLUDED" },
  { name: "a FIFO", entries: { pipe: { fifo: true } }, input: "pipe" },
  { name: "a device file by absolute path", input: "/dev/zero" },
];

interface WriteCase {
  name: string;
  entries?: Record<string, Entry>;
  /** Where the write goes; `$ROOT`, `$OUT` are replaced. */
  target: string;
  /** The expected hash: "missing" (the file must not exist) or the current text of an inside file. */
  expect?: "missing" | { text: string };
  text?: string | null;
  /** Run between the pipeline's check (locate) and the commit, or inside the commit at a named step. */
  between?: (fx: Fixture, ws: Workspace) => void;
  atStep?: { step: string; act: (fx: Fixture) => void; expectInside?: (before: Record<string, string>, fx: Fixture) => void };
}

const writeCases: WriteCase[] = [
  { name: "relative ../ create", target: "../outside/new.txt" },
  { name: "relative ../ overwrite", target: "../outside/secret.txt", expect: { text: "" } },
  { name: "absolute path outside", target: "$OUT/new.txt" },
  { name: "file URI with %2E%2E", target: "file://$ROOT/src/%2E%2E/%2E%2E/outside/new.txt" },
  { name: "backslash ..\\ on POSIX", target: "..\\outside\\new.txt" },
  { name: "~ path", target: "~/new.txt" },
  { name: "NUL byte", target: "src/a.ts\0" },
  { name: "through a symlinked folder", entries: { link: { symlink: "../outside" } }, target: "link/new.txt" },
  { name: "a symlinked file pointing outside", entries: { "s.txt": { symlink: "../outside/secret.txt" } }, target: "s.txt", expect: { text: "" } },
  { name: "a symlink pointing inside (no writes through links)", entries: { "alias.ts": { symlink: "src/a.ts" } }, target: "alias.ts", expect: { text: "export const a = 1;\n" } },
  { name: "a dangling symlink aimed outside", entries: { dangling: { symlink: "../outside/created.txt" } }, target: "dangling" },
  { name: "a hard-linked file", entries: { "h.txt": { hardlinkTo: "@outside/secret.txt" } }, target: "h.txt", expect: { text: "" } },
  { name: "create .env", entries: { ".env": null as unknown as Entry }, target: ".env.production" },
  { name: "modify .env", target: ".env", expect: { text: SECRET_ENV + "\n" } },
  { name: "create .ENV differing in case", target: "cfg/.ENV" },
  { name: "create a private key", target: "keys/id_ed25519" },
  { name: "write a git hook", target: ".git/hooks/pre-commit" },
  { name: "write into a gitignored folder", entries: { ".gitignore": "private/\n" }, target: "private/new.txt" },
  { name: "change .burrowignore", entries: { ".burrowignore": "notes/\n" }, target: ".burrowignore", expect: { text: "notes/\n" } },
  { name: "write into a FIFO", entries: { pipe: { fifo: true } }, target: "pipe" },
  { name: "delete a file outside", target: "$OUT/secret.txt", expect: { text: "" }, text: null },
  {
    name: "folder swapped for a link between check and commit",
    entries: { "sub/file.txt": "inside\n" },
    target: "sub/file.txt",
    expect: { text: "inside\n" },
    between: (fx) => {
      renameSync(fx.path("sub"), fx.path("sub-moved"));
      symlinkSync(fx.outside, fx.path("sub"));
      writeFileSync(join(fx.outside, "file.txt"), "inside\n");
    },
  },
  {
    name: "file swapped for a link between check and commit",
    entries: { "swap.txt": "inside\n" },
    target: "swap.txt",
    expect: { text: "inside\n" },
    between: (fx) => {
      rmSync(fx.path("swap.txt"));
      symlinkSync(join(fx.outside, "secret.txt"), fx.path("swap.txt"));
    },
  },
  {
    name: "folder swapped for a link after the commit's own check",
    entries: { "sub/file.txt": "inside\n" },
    target: "sub/file.txt",
    expect: { text: "inside\n" },
    atStep: {
      step: "checked",
      act: (fx) => {
        renameSync(fx.path("sub"), fx.path("sub-moved"));
        symlinkSync(fx.outside, fx.path("sub"));
      },
    },
  },
  {
    name: "folder swapped for a link just before the renames",
    entries: { "sub/file.txt": "inside\n" },
    target: "sub/file.txt",
    expect: { text: "inside\n" },
    atStep: {
      step: "journal-ready",
      act: (fx) => {
        renameSync(fx.path("sub"), fx.path("sub-moved"));
        symlinkSync(fx.outside, fx.path("sub"));
      },
    },
  },
  {
    name: "file swapped for a FIFO after the commit's own check",
    entries: { "f.txt": "inside\n" },
    target: "f.txt",
    expect: { text: "inside\n" },
    atStep: {
      step: "checked",
      act: (fx) => {
        rmSync(fx.path("f.txt"));
        execFileSync("mkfifo", [fx.path("f.txt")]);
      },
      expectInside: (before) => {
        before["f.txt"] = "<special>";
      },
    },
  },
  {
    name: "root revoked between check and commit",
    entries: { "r.txt": "inside\n" },
    target: "r.txt",
    expect: { text: "inside\n" },
    between: (fx, ws) => {
      ws.revoke(fx.root);
    },
  },
];

const fixtures: Fixture[] = [];
afterEach(() => {
  while (fixtures.length > 0) fixtures.pop()!.cleanup();
});

function fill(fx: Fixture, text: string): string {
  return text.replace(/\$ROOT/g, fx.root).replace(/\$OUT/g, fx.outside).replace(/\$BASE/g, fx.base);
}

/** Read every listed file and insist none of them carries `secret`. */
async function assertListingClean(ws: Workspace, fx: Fixture, secret: string): Promise<void> {
  for (const file of await ws.list()) {
    expect(file.abs.startsWith(fx.root + "/")).toBe(true);
    const read = await ws.read(file.abs);
    expect(JSON.stringify(read)).not.toContain(secret);
    expect(JSON.stringify(read)).not.toContain(fx.marker);
  }
}

describe("reads that try to escape or reach a secret", () => {
  it("has at least 50 adversarial rows in all", () => {
    expect(readCases.length + writeCases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(readCases)("refuses $name", async (row) => {
    const fx = makeFixture({ ...common, ...(row.entries ?? {}) });
    fixtures.push(fx);
    row.prepare?.(fx);
    const outsideBefore = snapshotTree(fx.outside);
    const ws = await fx.workspace();
    const secret = row.secret ?? fx.marker;
    const input = fill(fx, row.input);
    const read = await ws.read(input);
    expect(read.ok).toBe(false);
    expect(JSON.stringify(read)).not.toContain(secret);
    expect(JSON.stringify(read)).not.toContain(fx.marker);
    expect(typeof (read as { reason: string }).reason).toBe("string");
    const located = await ws.locate(input, "read");
    // locate may accept a name that read then refuses for its content (binary, size), never an outside one.
    if (located.ok) expect(ws.contains(located.abs)).toBe(true);
    await assertListingClean(ws, fx, secret);
    expect(snapshotTree(fx.outside)).toEqual(outsideBefore);
  });
});

describe("writes that try to escape or touch a denied path", () => {
  it.each(writeCases)("refuses $name", async (row) => {
    const entries = Object.fromEntries(Object.entries({ ...common, ...(row.entries ?? {}) }).filter(([, v]) => v !== null));
    const fx = makeFixture(entries);
    fixtures.push(fx);
    const ws = await fx.workspace({
      commitHooks: row.atStep
        ? {
            step: (name) => {
              if (name === row.atStep!.step) row.atStep!.act(fx);
            },
          }
        : undefined,
    });
    const target = fill(fx, row.target);
    // The pipeline checks before it proposes; a row may then change the world before the commit.
    const checked = await ws.locate(target, "write");
    // A refused name goes to commit as written: commit must refuse it on its own.
    const abs = checked.ok ? checked.abs : target;
    row.between?.(fx, ws);
    const outsideBefore = snapshotTree(fx.outside);
    const insideBefore = snapshotTree(fx.root);
    if (row.atStep) {
      // The swap happens inside the commit, so the expected tree is the one right after the swap.
      if (row.atStep.expectInside) row.atStep.expectInside(insideBefore, fx);
      else {
        insideBefore["sub-moved/file.txt"] = insideBefore["sub/file.txt"]!;
        delete insideBefore["sub/file.txt"];
        insideBefore["sub"] = `-> ${fx.outside}`;
      }
    }
    const expectedHash = row.expect === undefined || row.expect === "missing" ? null : hashText(row.expect.text);
    const text = row.text === undefined ? `written by ${row.name}\n` : row.text;
    const result = await ws.commit([{ abs, expectedHash, text }]);
    expect(result.ok).toBe(false);
    expect(snapshotTree(fx.outside)).toEqual(outsideBefore);
    expect(snapshotTree(fx.root)).toEqual(insideBefore);
    if (row.atStep && !row.atStep.expectInside) {
      // The folder the commit had checked must be untouched too, wherever it now lives.
      expect(snapshotTree(fx.path("sub-moved"))).toEqual({ "file.txt": "inside\n" });
    }
    expect(await fx.state.list("journals")).toEqual([]);
  });

  it("refuses a whole batch when one file of it escapes, leaving the inside file as it was", async () => {
    const fx = makeFixture(common);
    fixtures.push(fx);
    const ws = await fx.workspace();
    const result = await ws.commit([
      { abs: fx.path("src/a.ts"), expectedHash: hashText("export const a = 1;\n"), text: "changed\n" },
      { abs: join(fx.outside, "new.txt"), expectedHash: null, text: "escaped\n" },
    ]);
    expect(result.ok).toBe(false);
    expect(snapshotTree(fx.root)["src/a.ts"]).toBe("export const a = 1;\n");
    expect(snapshotTree(fx.outside)["new.txt"]).toBeUndefined();
  });
});
