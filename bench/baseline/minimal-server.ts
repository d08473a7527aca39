/**
 * The smallest useful language server built on vscode-languageserver, used as the yardstick for
 * Burrow's own latency. It keeps documents in sync (full or incremental, as the client sends them)
 * and answers every `textDocument/codeAction` with one fixed command-only action, so whatever time
 * it takes is the cost of the library, the pipes and Node itself. Burrow's figures are divided by
 * this server's figures measured in the same run; a ratio near 1 means Burrow adds nothing on the
 * editor's critical path.
 *
 * Start: node --import tsx bench/baseline/minimal-server.ts --stdio
 */
import {
  CodeActionKind,
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type InitializeResult,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";

/** The command the one static action carries; it is listed so clients that filter commands keep it. */
export const MINIMAL_COMMAND = "minimal.noop";

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

connection.onInitialize(
  (): InitializeResult => ({
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      executeCommandProvider: { commands: [MINIMAL_COMMAND] },
    },
    serverInfo: { name: "minimal-baseline", version: "1.0.0" },
  }),
);

connection.onCodeAction((params): CodeAction[] => {
  // Touch the synced document the way a real server would before deciding what to offer.
  const document = documents.get(params.textDocument.uri);
  const line = document ? params.range.start.line : 0;
  return [
    {
      title: "Minimal: do nothing",
      kind: CodeActionKind.QuickFix,
      command: { title: "Minimal: do nothing", command: MINIMAL_COMMAND, arguments: [{ line }] },
    },
  ];
});

connection.onExecuteCommand(() => null);

documents.listen(connection);
connection.listen();
