/**
 * A loopback HTTP proxy in front of the fake Ollama that can misbehave in the two ways the fake
 * itself cannot: refuse connections on an address the server was told about (the runtime is not
 * running) and accept them again later on the same port (the user started it), and end a chat
 * stream cleanly but without Ollama's final `"done": true` record.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type ProxyMode = "forward" | "drop-done";

export interface ModelProxy {
  url: string;
  port: number;
  mode: ProxyMode;
  /** Stop listening: connections to the port are refused until `accept()`. */
  refuse(): Promise<void>;
  /** Listen again on the same port. */
  accept(): Promise<void>;
  close(): Promise<void>;
}

export async function startModelProxy(target: string): Promise<ModelProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const proxy: ModelProxy = {
    url: "",
    port: 0,
    mode: "forward",
    async refuse() {
      if (!server) return;
      const closing = server;
      server = undefined;
      await new Promise<void>((resolve) => {
        closing.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    async accept() {
      if (server) return;
      server = createServer((req, res) => forward(req, res));
      server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(port, "127.0.0.1", () => resolve());
      });
      port = (server.address() as AddressInfo).port;
      proxy.port = port;
      proxy.url = `http://127.0.0.1:${port}`;
    },
    close() {
      return proxy.refuse();
    },
  };

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const upstreamRequest = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamResponse) => {
        // A runtime that dies mid-answer must look dead through the proxy too, not merely silent.
        upstreamResponse.on("close", () => {
          if (!upstreamResponse.complete) res.destroy();
        });
        const ndjson = String(upstreamResponse.headers["content-type"] ?? "").includes("ndjson");
        if (proxy.mode !== "drop-done" || !ndjson || !req.url?.startsWith("/api/chat")) {
          res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
          upstreamResponse.pipe(res);
          return;
        }
        // Pass every record through except the final one, then end the response normally.
        const headers = { ...upstreamResponse.headers };
        delete headers["content-length"];
        res.writeHead(upstreamResponse.statusCode ?? 200, headers);
        let pending = "";
        upstreamResponse.setEncoding("utf8");
        upstreamResponse.on("data", (chunk: string) => {
          pending += chunk;
          let newline: number;
          while ((newline = pending.indexOf("\n")) !== -1) {
            const line = pending.slice(0, newline + 1);
            pending = pending.slice(newline + 1);
            if (!isFinalRecord(line)) res.write(line);
          }
        });
        upstreamResponse.on("end", () => {
          if (pending && !isFinalRecord(pending)) res.write(pending);
          res.end();
        });
      },
    );
    upstreamRequest.on("error", () => res.destroy());
    res.on("close", () => upstreamRequest.destroy());
    req.pipe(upstreamRequest);
  }

  await proxy.accept();
  return proxy;
}

function isFinalRecord(line: string): boolean {
  try {
    return (JSON.parse(line) as { done?: unknown }).done === true;
  } catch {
    return false;
  }
}
