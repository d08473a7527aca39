/**
 * The `burrow` command line: argv only. It picks the subcommand and hands the rest of the
 * arguments to that subcommand's module, which returns the exit code. The exit codes are part of the
 * public contract (docs/protocol.md, "Command line"): 0 done, 1 rejected or failed, 2 usage error,
 * 3 no model runtime or model.
 */

type Subcommand = { main(argv: string[]): Promise<number> };

// One module per subcommand under cli/, loaded only when used so `burrow --stdio` starts fast.
const subcommands = new Set(["acp", "run", "chat", "doctor", "models", "egress", "edits", "context"]);

const usage = `Usage:
  burrow --stdio                                   the language server (editors start this)
  burrow acp [--provider P] [--model M] [--settings JSON]
                                                   the Agent Client Protocol agent (ACP editors start this)
  burrow run "<task>" [--root DIR] [--provider P] [--model M] [--yes-plan] [--verbose]
  burrow chat [--root DIR] [--provider P] [--model M] [--verbose]
  burrow doctor [--json]
  burrow models list|recommend|pull NAME
  burrow egress [--json]
  burrow edits apply --root DIR [--dry-run] FILE|-
  burrow context --root DIR [--budget TOKENS] [--json] "<task>"
`;

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--stdio" || (first === undefined && !process.stdin.isTTY)) {
    const { startStdioServer } = await import("./server.js");
    startStdioServer();
    return -1; // the server decides when the process ends
  }
  if (first === "--version" || first === "-v") {
    process.stdout.write("burrow 0.1.0\n");
    return 0;
  }
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    (first === undefined ? process.stderr : process.stdout).write(usage);
    return first === undefined ? 2 : 0;
  }
  if (!subcommands.has(first)) {
    process.stderr.write(`burrow: unknown command "${first}".\n\n${usage}`);
    return 2;
  }
  const command = (await import(`./cli/${first}.js`)) as Subcommand;
  return command.main(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`burrow: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
