/**
 * How the benchmarks start the servers they compare: Burrow as users run it (the built
 * `bin/burrow.js --stdio`), the minimal vscode-languageserver baseline compiled to plain JavaScript
 * (so neither server pays for a TypeScript loader the other does not), and the initialize request an
 * editor like Neovim sends, with the capabilities each scenario needs.
 */
import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { LspProcess, withTimeout } from "./lsp-process.js";

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = path.resolve(benchDir, "..");
const burrowBin = path.join(repoRoot, "bin", "burrow.js");
const builtCli = path.join(repoRoot, "dist", "cli.js");

/** The command that starts Burrow's language server from the build. */
export async function burrowCommand(): Promise<string[]> {
  try {
    await access(builtCli);
  } catch {
    throw new Error(`Burrow is not built (${path.relative(repoRoot, builtCli)} is missing): run "npm run build" first.`);
  }
  return [process.execPath, burrowBin, "--stdio"];
}

/**
 * Compile bench/baseline/minimal-server.ts to an .mjs next to the results (inside the repository, so
 * its bare imports resolve from node_modules) and return the command that starts it.
 */
export async function minimalServerCommand(): Promise<string[]> {
  const source = path.join(benchDir, "baseline", "minimal-server.ts");
  const outDir = path.join(benchDir, "results", ".build");
  const out = path.join(outDir, "minimal-server.mjs");
  const compiled = ts.transpileModule(await readFile(source, "utf8"), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
    fileName: source,
  });
  await mkdir(outDir, { recursive: true });
  await writeFile(out, compiled.outputText);
  return [process.execPath, out, "--stdio"];
}

export interface InitializeOptions {
  root: string;
  /** Declare `workspace.applyEdit` (the server then asks the client to apply edits). */
  applyEdit?: boolean;
  /** Declare the Neovim plugin's custom notifications, so the server sends no prompts. */
  burrowNotifications?: boolean;
  initializationOptions?: unknown;
  clientName?: string;
}

export function initializeParams(options: InitializeOptions): Record<string, unknown> {
  const rootUri = pathToFileURL(options.root).href;
  return {
    processId: process.pid,
    clientInfo: { name: options.clientName ?? "burrow-bench", version: "1.0.0" },
    rootUri,
    rootPath: options.root,
    workspaceFolders: [{ uri: rootUri, name: path.basename(options.root) }],
    initializationOptions: options.initializationOptions ?? { models: { coder: "qwen2.5-coder:1.5b" } },
    capabilities: {
      workspace: {
        applyEdit: options.applyEdit ?? false,
        workspaceEdit: { documentChanges: true, resourceOperations: ["create", "rename", "delete"] },
        configuration: true,
        workspaceFolders: true,
        executeCommand: { dynamicRegistration: false },
      },
      textDocument: {
        synchronization: { dynamicRegistration: false, willSave: false, didSave: true },
        codeAction: {
          dynamicRegistration: false,
          codeActionLiteralSupport: {
            codeActionKind: { valueSet: ["", "quickfix", "refactor", "refactor.rewrite", "source"] },
          },
          resolveSupport: { properties: ["edit"] },
        },
      },
      window: { workDoneProgress: true },
      experimental: options.burrowNotifications === false ? {} : { burrow: { taskUpdate: true, chatDelta: true } },
    },
  };
}

export interface StartedServer {
  server: LspProcess;
  /** The server's initialize result. */
  capabilities: Record<string, any>;
  /** Milliseconds from spawning the process to the initialize response. */
  startupMs: number;
}

/** Spawn a server, initialize it, and send `initialized`. */
export async function startServer(
  command: string[],
  init: InitializeOptions,
  env: Record<string, string> = {},
): Promise<StartedServer> {
  const started = performance.now();
  const server = LspProcess.start({ command, cwd: init.root, env });
  try {
    const result = await withTimeout(
      server.request<{ capabilities: Record<string, any> }>("initialize", initializeParams(init)),
      30_000,
      `the initialize response from ${path.basename(command[1] ?? command[0] ?? "server")}`,
    );
    const startupMs = performance.now() - started;
    await server.notify("initialized", {});
    return { server, capabilities: result.capabilities, startupMs };
  } catch (err) {
    await server.stop(1_000);
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`${reason}\nServer stderr:\n${server.stderr}`);
  }
}

/** The text-sync kind a server asked for: 1 full, 2 incremental. */
export function syncKind(capabilities: Record<string, any>): number {
  const sync = capabilities.textDocumentSync;
  if (typeof sync === "number") return sync;
  return typeof sync?.change === "number" ? sync.change : 1;
}
