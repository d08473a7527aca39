/**
 * The egress invariant, checked on the source: only the model layer's HTTP client opens network
 * connections, and every `ollama` client is given the egress gate's fetch. (The runtime half of the
 * invariant, that nothing uses the global fetch, is the egress test's stubbed global.)
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../../..");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sources(full));
    else if (name.endsWith(".ts")) out.push(full);
  }
  return out;
}

const files = sources(join(root, "server/src")).map((abs) => ({ rel: relative(root, abs).split("\\").join("/"), text: readFileSync(abs, "utf8") }));

describe("network access in product code", () => {
  it("only the model layer's HTTP client imports a network module", () => {
    const network = /from\s+["'](node:)?(http|https|http2|net|tls|dgram|undici)["']|require\(["'](node:)?(http|https|net|tls)["']\)/;
    const offenders = files.filter((f) => network.test(f.text) && f.rel !== "server/src/agent/model/http-client.ts").map((f) => f.rel);
    expect(offenders).toEqual([]);
  });

  it("every ollama client is given the gate's fetch", () => {
    const constructions = files.flatMap((f) => [...f.text.matchAll(/new Ollama\(([^)]*)\)/g)].map((m) => ({ rel: f.rel, args: m[1]! })));
    expect(constructions.length).toBeGreaterThan(0);
    expect(constructions.filter((c) => !/\bfetch\s*:/.test(c.args))).toEqual([]);
  });

  it("the ollama package is used through its browser entry, which does not touch the file system", () => {
    const nodeEntry = files.filter((f) => /from\s+["']ollama["']/.test(f.text)).map((f) => f.rel);
    expect(nodeEntry).toEqual([]);
  });
});
