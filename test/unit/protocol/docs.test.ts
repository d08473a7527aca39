/**
 * docs/protocol.md is the contract independent clients are written against, so it must name every
 * command the server serves and no command it does not: the commands table, and the `initialize`
 * answer in the recorded transcript, are both checked against the one command list.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../../server/src/protocol/commands.js";

const page = readFileSync(join(import.meta.dirname, "../../../docs/protocol.md"), "utf8");

/** The text of one `## ` section, up to the next. */
function section(title: string): string {
  const start = page.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`docs/protocol.md has no "## ${title}" section`);
  const end = page.indexOf("\n## ", start + 1);
  return page.slice(start, end < 0 ? undefined : end);
}

/** The commands named in the first column of the commands table (a cell may name several). */
function documentedCommands(): string[] {
  const rows = section("Commands")
    .split("\n")
    .filter((line) => line.startsWith("| `burrow."));
  return rows.flatMap((row) => [...row.split("|")[1]!.matchAll(/`(burrow\.[a-z.]+)`/g)].map((m) => m[1]!));
}

describe("docs/protocol.md and the command list", () => {
  it("documents every command once, and no command the server does not serve", () => {
    const documented = documentedCommands();
    expect(new Set(documented).size, "a command is documented twice").toBe(documented.length);
    expect([...documented].sort()).toEqual([...COMMANDS].sort());
  });

  it("shows the real command list in the recorded initialize answer", () => {
    const transcript = section("A complete transcript of one task");
    const listed = /"commands": (\[[^\]]*\])/.exec(transcript)?.[1];
    expect(listed, "the transcript shows executeCommandProvider.commands").toBeDefined();
    expect(JSON.parse(listed!)).toEqual([...COMMANDS]);
  });
});
