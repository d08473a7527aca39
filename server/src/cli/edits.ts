/**
 * `burrow edits apply --root DIR [--dry-run] FILE|-`: replay a saved model answer against a folder
 * with the same parser and matcher the task pipeline uses, for debugging a model's output or for
 * applying an answer produced elsewhere.
 *
 * The files in play are the files the sandbox lets the model see under --root; an answer may also
 * create new files there. The unified diff goes to stdout. If any block fails, every reason goes to
 * stderr and nothing is written; otherwise (without --dry-run) all files are written at once through
 * the sandbox's commit, which re-checks every path and refuses files that changed meanwhile.
 *
 * Exit codes: 0 applied (or, with --dry-run, the diff printed), 1 a block or the write failed,
 * 2 usage error (bad arguments, a folder that cannot be granted, an answer that cannot be read).
 */
import { readOptions } from "./terminal/args.js";
import { basename, dirname, resolve } from "node:path";
import { applyEdits, buildChangeset, parseEdits, type EditBlock, type FileInPlay } from "../agent/edit/index.js";
import { createStateStore, createWorkspace } from "../agent/sandbox/index.js";
import type { FileText, FileWrite, Workspace } from "../agent/sandbox/types.js";
import type { Outcome } from "../agent/outcome.js";

const USAGE = `Usage: burrow edits apply --root DIR [--dry-run] FILE|-

  --root DIR   the folder the answer edits (required); its files are the files in play
  --dry-run    print the diff, write nothing
  FILE         a saved model answer, or - to read it from stdin

Prints the unified diff. Exit 0 applied (or dry run), 1 a block failed (then nothing is written),
2 usage error.
`;

interface Options {
  root: string;
  dryRun: boolean;
  source: string;
}

function parseArgs(argv: string[]): Options | string {
  const [sub, ...rest] = argv;
  if (sub !== "apply") return sub === undefined ? "Say what to do: burrow edits apply …" : `Unknown subcommand "${sub}".`;
  let root: string | undefined;
  let dryRun = false;
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === "--root") {
      root = rest[++i];
      if (!root) return "--root needs a folder.";
    } else if (arg.startsWith("--root=")) {
      root = arg.slice("--root=".length);
      if (!root) return "--root needs a folder.";
    } else if (arg === "--dry-run") dryRun = true;
    else if (arg === "-" || !arg.startsWith("-")) positional.push(arg);
    else return `Unknown option ${arg}.`;
  }
  if (!root) return "Name the folder the answer edits with --root DIR.";
  if (positional.length === 0) return "Name the file holding the model's answer, or - to read it from stdin.";
  if (positional.length > 1) return `Give one answer file, not ${positional.length}.`;
  return { root, dryRun, source: positional[0]! };
}

export async function main(argv: string[]): Promise<number> {
  const given = readOptions(argv, "burrow edits", USAGE, parseArgs);
  if (!given.ok) return given.exitCode;
  const options = given.options;
  const state = createStateStore();
  const reasons: string[] = [];
  const workspace = await createWorkspace({ roots: [options.root], state, log: (m) => reasons.push(m) });
  if (workspace.roots().length === 0) {
    process.stderr.write(`burrow edits: ${reasons[0] ?? `"${options.root}" cannot be granted.`}\n`);
    return 2;
  }

  const response = options.source === "-" ? await readStdin() : await readAnswerFile(options.source);
  if (typeof response !== "string") {
    process.stderr.write(`burrow edits: ${response.reason}\n`);
    return 2;
  }
  const answerAbs = options.source === "-" ? undefined : resolve(options.source);

  // Parse once with names only to learn which files the answer touches, then read just those.
  const listed = (await workspace.list()).filter((f) => f.abs !== answerAbs);
  const names: FileInPlay[] = listed.map((f) => ({ path: f.rel, text: null }));
  const firstPass = parseEdits(response, names, { allowNewFiles: true });
  if (!firstPass.ok) return fail(firstPass.reason);

  const read = await readTouched(workspace, firstPass.blocks, new Set(listed.map((f) => f.rel)));
  if (!read.ok) return fail(read.reason);
  const files: FileInPlay[] = listed.map((f) => ({ path: f.rel, text: read.texts.get(f.rel)?.text ?? null }));
  // Files the answer creates join the files in play as not yet existing.
  for (const block of firstPass.blocks) {
    if (!files.some((f) => f.path === block.path)) files.push({ path: block.path, text: null });
  }
  const parsed = parseEdits(response, files, { allowNewFiles: true });
  if (!parsed.ok) return fail(parsed.reason);
  const applied = applyEdits(files, parsed.blocks);
  if (!applied.ok) return fail(applied.message);

  const changeset = buildChangeset(applied.files);
  if (changeset.files.length === 0) {
    process.stderr.write("burrow edits: the answer leaves every file as it was; nothing to write.\n");
    return 0;
  }
  // Check every path the sandbox would write before showing a diff that could not be applied.
  const writes: FileWrite[] = [];
  for (const file of changeset.files) {
    const existing = read.texts.get(file.path);
    if (existing) {
      writes.push({ abs: existing.abs, expectedHash: existing.hash, text: file.after });
      continue;
    }
    const located = await workspace.locate(file.path, "write");
    if (!located.ok) return fail(`${file.path}: ${located.reason}`);
    writes.push({ abs: located.abs, expectedHash: null, text: file.after });
  }

  process.stdout.write(changeset.diff);
  for (const note of applied.files.flatMap((f) => f.notes ?? [])) process.stderr.write(`burrow edits: note: ${note}\n`);
  if (options.dryRun) {
    process.stderr.write(`burrow edits: dry run, ${describe(changeset.files.length, changeset.hunks.length)} not written.\n`);
    return 0;
  }
  const committed = await workspace.commit(writes);
  if (!committed.ok) return fail(`nothing was written: ${committed.reason}`);
  process.stderr.write(`burrow edits: applied ${describe(changeset.files.length, changeset.hunks.length)}.\n`);
  return 0;
}

function fail(reason: string): number {
  process.stderr.write(`burrow edits: ${reason}\n`);
  return 1;
}

function describe(files: number, hunks: number): string {
  return `${hunks} change${hunks === 1 ? "" : "s"} to ${files} file${files === 1 ? "" : "s"}`;
}

/** Read the files the blocks name, through the sandbox (which refuses secrets, binaries and ignored files). */
async function readTouched(
  workspace: Workspace,
  blocks: EditBlock[],
  known: Set<string>,
): Promise<Outcome<{ texts: Map<string, FileText> }>> {
  const texts = new Map<string, FileText>();
  for (const path of new Set(blocks.map((b) => b.path))) {
    if (!known.has(path)) continue;
    const result = await workspace.read(path);
    if (!result.ok) return { ok: false, reason: `${path}: ${result.reason}` };
    texts.set(path, result.file);
  }
  return { ok: true, texts };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Read the answer file through a sandbox over its own folder, since only the sandbox reads files.
 * The answer is named by the user, not by a model, so the folder's ignore and secret rules are
 * waived for that one name (an answer saved in an ignored scratch folder is common). That sandbox
 * never writes, so its state store is a folder beside the answer's folder that is never created:
 * the real state directory may well lie inside the answer's folder (answers saved in $HOME).
 */
async function readAnswerFile(path: string): Promise<string | { reason: string }> {
  const abs = resolve(path);
  const folder = dirname(abs);
  const reasons: string[] = [];
  const reader = await createWorkspace({
    roots: [folder],
    state: createStateStore(resolve(dirname(folder), `${basename(folder)}.burrow-reader-unused`)),
    settings: { maxFileBytes: 64 * 1024 * 1024, allow: ["/" + basename(abs).replace(/[\\*?[\]!#]/g, "\\$&")] },
    log: (m) => reasons.push(m),
  });
  const hint = `pipe it in instead: burrow edits apply --root DIR - < ${path}`;
  if (reader.roots().length === 0) return { reason: `cannot read the answer ${path}: ${reasons[0] ?? "its folder cannot be opened"}; ${hint}` };
  const result = await reader.read(abs);
  if (!result.ok) return { reason: `cannot read the answer ${path}: ${result.reason}` };
  return result.file.text;
}
