/**
 * Two ways to get a Burrow server for a test client: in process (fast, for the LSP-level tests of
 * features) and as a spawned `burrow --stdio` over real pipes (for the end-to-end tests). Both
 * return a `TestClient` already initialized, and a `close` that ends everything.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { startBurrowServer } from "../../server/src/server.js";
import { TestClient, type TestClientOptions } from "./test-client.js";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface Harness {
  client: TestClient;
  close(): Promise<void>;
}

/** The server in this process, on in-memory streams. `env` replaces process.env for the server. */
export async function inProcessServer(options: TestClientOptions & { env: NodeJS.ProcessEnv }): Promise<Harness> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const serverConnection = createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  startBurrowServer(serverConnection, { env: options.env });
  const clientConnection = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  const client = new TestClient(clientConnection, options);
  await client.initialize();
  return {
    client,
    async close() {
      await clientConnection.sendRequest("shutdown").catch(() => undefined);
      clientConnection.dispose();
      serverConnection.dispose();
      toServer.end();
      toClient.end();
    },
  };
}

/** `node bin/burrow.js --stdio` (the built server: `npm test` builds before running vitest). */
export async function stdioServer(options: TestClientOptions & { env: NodeJS.ProcessEnv }): Promise<Harness & { child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "burrow.js"), "--stdio"], {
    env: options.env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const client = new TestClient(connection, options);
  await client.initialize();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    client,
    child,
    stderr: () => stderr,
    async close() {
      if (child.exitCode === null) {
        await client.shutdown().catch(() => undefined);
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      connection.dispose();
    },
  };
}
