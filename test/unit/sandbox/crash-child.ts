/**
 * The process the crash-safety test kills. It applies version after version of a small set of
 * files through the real `Workspace.commit`, and either kills itself at a named commit step (when
 * BURROW_KILL_AT_STEP is set) or runs until the test kills it at a random moment.
 *
 * With BURROW_RECOVER_KILL_AT_STEP it instead runs `recoverJournals` and kills itself at that
 * step of the recovery, to show that an interrupted recovery can simply run again.
 *
 * Each version v writes every file as "file <i> version <v>" plus padding, makes `toggle.txt`
 * exist only in even versions (so creates and deletes are exercised) and creates new folders.
 */
import { createStateStore, createWorkspace, recoverJournals } from "../../../server/src/agent/sandbox/index.js";
import { FILES, contentOf, parseVersion, TOGGLE } from "./crash-files.js";

const [root, stateDir] = process.argv.slice(2) as [string, string];
const killAt = Number(process.env.BURROW_KILL_AT_STEP ?? "0");
const recoverKillAt = Number(process.env.BURROW_RECOVER_KILL_AT_STEP ?? "0");
let steps = 0;

// Recovery mode: recover what an earlier kill left, and be killed while doing it.
if (recoverKillAt > 0) {
  await recoverJournals(createStateStore(stateDir), () => {}, {
    step() {
      steps++;
      if (steps === recoverKillAt) process.kill(process.pid, "SIGKILL");
    },
  });
  process.exit(0);
}

const workspace = await createWorkspace({
  roots: [root],
  state: createStateStore(stateDir),
  env: { HOME: stateDir },
  commitHooks: {
    step() {
      steps++;
      if (killAt > 0 && steps === killAt) process.kill(process.pid, "SIGKILL");
    },
  },
});

process.stdout.write("ready\n");
for (;;) {
  const current = await workspace.read(FILES[0]!);
  if (!current.ok) throw new Error(`cannot read ${FILES[0]}: ${current.reason}`);
  const version = parseVersion(current.file.text);
  const next = version + 1;
  const writes = [];
  for (const [i, rel] of FILES.entries()) {
    const file = await workspace.read(rel);
    if (!file.ok) throw new Error(`cannot read ${rel}: ${file.reason}`);
    writes.push({ abs: file.file.abs, expectedHash: file.file.hash, text: contentOf(i, next) });
  }
  const toggle = await workspace.read(TOGGLE);
  const toggleAbs = `${root}/${TOGGLE}`;
  if (next % 2 === 0) writes.push({ abs: toggleAbs, expectedHash: null, text: contentOf(99, next) });
  else if (toggle.ok) writes.push({ abs: toggle.file.abs, expectedHash: toggle.file.hash, text: null });
  const result = await workspace.commit(writes);
  if (!result.ok) throw new Error(`commit failed: ${result.reason}`);
}
