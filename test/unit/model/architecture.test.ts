/**
 * The egress invariant, checked on the source: only the model layer's HTTP client opens network
 * connections, and every `ollama` client is given the egress gate's fetch. (The runtime half of the
 * invariant, that nothing uses the global fetch, is the egress test's stubbed global.) And the
 * catalogue's promise: what is particular to a provider is data in its entry, so no other module of
 * the agent core tests a provider's name.
 */
import { describe, expect, it } from "vitest";
import { providerEntries } from "../../../server/src/agent/model/catalogue.js";
import { productSources } from "../source-files.js";

const files = productSources();

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

describe("the provider catalogue", () => {
  it("is the only place in the agent core that tests a provider's name", () => {
    const names = providerEntries.flatMap((e) => [e.name, ...(e.aliases ?? [])]).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const quoted = `["'](?:${names.join("|")})["']`;
    const comparison = new RegExp(`(?:===|!==)\\s*${quoted}|${quoted}\\s*(?:===|!==)|case\\s+${quoted}`);
    const offenders = files.filter((f) => f.rel.startsWith("server/src/agent/") && f.rel !== "server/src/agent/model/catalogue.ts" && comparison.test(f.text)).map((f) => f.rel);
    expect(offenders).toEqual([]);
  });

  it("has one entry per name, and no alias that is another entry's name", () => {
    const names = providerEntries.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    const aliases = providerEntries.flatMap((e) => e.aliases ?? []);
    expect(aliases.filter((a) => names.includes(a))).toEqual([]);
    expect(new Set(aliases).size).toBe(aliases.length);
  });
});
