// `burrow edits apply` from the command line: the real entry point in a child process, real
// folders under the temp directory, and the exit codes of the contract (0 applied or dry run,
// 1 a block failed and nothing was written, 2 usage error).
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const repo = join(import.meta.dirname, "../../..");
const cli = join(repo, "server/src/cli.ts");

let base: string;
let root: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "burrow-edits-cli-"));
  root = join(base, "project");
  mkdirSync(join(root, "src"), { recursive: true });
  writeFileSync(join(root, "src/greet.py"), 'def greet(name):\n    return "Hello, " + name\n');
  writeFileSync(join(root, "src/win.txt"), "one\r\ntwo\r\n");
});

afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

function run(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", cli, "edits", ...args], {
      cwd: repo,
      env: { ...process.env, XDG_STATE_HOME: join(base, "state"), BURROW_STATE_DIR: "" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

/** `burrow edits apply` on the project with `answer` piped to stdin, the way most cases run it. */
function applyFromStdin(answer: string): ReturnType<typeof run> {
  return run(["apply", "--root", root, "-"], answer);
}

const goodAnswer = [
  "src/greet.py",
  "```python",
  "<<<<<<< SEARCH",
  '    return "Hello, " + name',
  "=======",
  '    return f"Hello, {name}"',
  ">>>>>>> REPLACE",
  "```",
  "",
  "src/win.txt",
  "```",
  "one",
  "TWO",
  "```",
  "",
  "src/added.py",
  "```python",
  "print('added')",
  "```",
  "",
].join("\n");

const failingAnswer = [
  "src/win.txt",
  "```",
  "one",
  "changed",
  "```",
  "",
  "src/greet.py",
  "```python",
  "<<<<<<< SEARCH",
  "    return 'not in the file'",
  "=======",
  "    return 1",
  ">>>>>>> REPLACE",
  "```",
  "",
].join("\n");

function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix + entry.name;
      if (entry.isDirectory()) walk(join(dir, entry.name), rel + "/");
      else out[rel] = readFileSync(join(dir, entry.name), "utf8");
    }
  };
  walk(root, "");
  return out;
}

describe("burrow edits apply", () => {
  it("prints the diff and writes nothing on --dry-run (exit 0)", async () => {
    const answer = join(base, "answer.md");
    writeFileSync(answer, goodAnswer);
    const before = snapshot();
    const result = await run(["apply", "--root", root, "--dry-run", answer]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--- a/src/greet.py\n+++ b/src/greet.py");
    expect(result.stdout).toContain('+    return f"Hello, {name}"');
    expect(result.stdout).toContain("--- /dev/null\n+++ b/src/added.py");
    expect(result.stderr).toContain("dry run");
    expect(snapshot()).toEqual(before);
  });

  it("applies an answer read from stdin, keeping CRLF, and creates new files (exit 0)", async () => {
    const result = await applyFromStdin(goodAnswer);
    expect(result.stderr).toContain("applied 3 changes to 3 files");
    expect(result.code).toBe(0);
    expect(snapshot()).toEqual({
      "src/greet.py": 'def greet(name):\n    return f"Hello, {name}"\n',
      "src/win.txt": "one\r\nTWO\r\n",
      "src/added.py": "print('added')\n",
    });
  });

  it("writes nothing at all when one block fails, and says which and why (exit 1)", async () => {
    const before = snapshot();
    const result = await applyFromStdin(failingAnswer);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Edit block 2 (SEARCH/REPLACE for src/greet.py)");
    expect(result.stderr).toContain("does not match any lines of src/greet.py");
    expect(result.stderr).toContain("no file was changed");
    expect(result.stdout).toBe("");
    expect(snapshot()).toEqual(before);
  });

  it("refuses a cut-off answer without writing (exit 1)", async () => {
    const before = snapshot();
    const result = await applyFromStdin(goodAnswer + "src/greet.py\n```python\ndef greet(");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cut off");
    expect(snapshot()).toEqual(before);
  });

  it("refuses a new file outside the folder (exit 1)", async () => {
    const result = await applyFromStdin("../escape.py\n```python\nprint(1)\n```\n");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("../escape.py");
    expect(existsSync(join(base, "escape.py"))).toBe(false);
  });

  it("reads an answer saved inside the folder without treating it as a file in play", async () => {
    writeFileSync(join(root, "answer.md"), goodAnswer.split("\n\nsrc/win.txt")[0]! + "\n");
    const result = await run(["apply", "--root", root, join(root, "answer.md")]);
    expect(result.code).toBe(0);
    expect(readFileSync(join(root, "src/greet.py"), "utf8")).toContain('f"Hello, {name}"');
  });

  it("reads an answer that the folder's ignore rules hide", async () => {
    writeFileSync(join(base, ".gitignore"), "*.answer\n");
    writeFileSync(join(base, "saved.answer"), goodAnswer);
    const result = await run(["apply", "--root", root, "--dry-run", join(base, "saved.answer")]);
    expect(result.stderr).toContain("dry run");
    expect(result.code).toBe(0);
  });

  it.each([
    [[], "Say what to do"],
    [["apply", "-"], "--root"],
    [["apply", "--root", "ROOT"], "Name the file"],
    [["apply", "--root", "ROOT", "a.md", "b.md"], "one answer file"],
    [["apply", "--root", "ROOT", "--force", "-"], "Unknown option --force"],
    [["undo", "--root", "ROOT", "-"], 'Unknown subcommand "undo"'],
    [["apply", "--root", "/nonexistent/burrow/folder", "-"], "does not exist"],
    [["apply", "--root", "ROOT", "MISSING"], "cannot read the answer"],
  ])("exits 2 on a usage error: %j", async (args, message) => {
    const resolved = args.map((a) => (a === "ROOT" ? root : a === "MISSING" ? join(base, "missing.md") : a));
    const result = await run(resolved, goodAnswer);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe("burrow edits apply and the sandbox", () => {
  it("refuses to create a file the sandbox keeps from the model, printing no diff (exit 1)", async () => {
    const result = await applyFromStdin(".env\n```\nSECRET=1\n```\n");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("looks like a secret");
    expect(result.stdout).toBe("");
    expect(existsSync(join(root, ".env"))).toBe(false);
  });

  it("creates the folders a new file needs", async () => {
    const result = await applyFromStdin("docs/deep/notes.md\n```markdown\n# Notes\n```\n");
    expect(result.code).toBe(0);
    expect(readFileSync(join(root, "docs/deep/notes.md"), "utf8")).toBe("# Notes\n");
  });
});
