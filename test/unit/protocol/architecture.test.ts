/**
 * The protocol module's place in the layering, checked on the source. Every front end imports it,
 * so it must not depend on one: no LSP library, nothing from lsp/, features/, cli/, services/ or
 * server.ts. The agent core may use its leaf files (a prompt title, an error code), which import
 * nothing at run time, so no import cycle can form between the two.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const src = join(import.meta.dirname, "../../../server/src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

const files = sources(src).map((abs) => {
  const text = readFileSync(abs, "utf8");
  return { rel: relative(src, abs).split("\\").join("/"), imports: allImports(text), runtimeImports: runtimeImports(text) };
});

/** Every module specifier a file imports or re-exports, for types or values, statically or not. */
function allImports(text: string): string[] {
  return [...text.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]!);
}

/** Module specifiers imported for their values (not `import type`, not `export type`). */
function runtimeImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(?!type\b)(?:[\w*${}\s,]+?\s+from\s+)?["']([^"']+)["']/gm)) out.push(m[2]!);
  for (const m of text.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]!);
  return out;
}

const isLsp = (m: string) => /^vscode-(languageserver|jsonrpc)/.test(m);
const isFrontEnd = (m: string) => /(^|\/)(lsp|features|acp|cli|services)\/|(^|\/)(server|cli)\.js$/.test(m);

describe("the protocol module", () => {
  const protocol = files.filter((f) => f.rel.startsWith("protocol/"));

  it("exists", () => {
    expect(protocol.map((f) => f.rel)).toContain("protocol/index.ts");
  });

  it("depends on no protocol library and no front end", () => {
    const offenders = protocol.filter((f) => f.imports.some((m) => isLsp(m) || isFrontEnd(m))).map((f) => f.rel);
    expect(offenders).toEqual([]);
  });

  it("is used by the agent core only through leaf files that import nothing at run time", () => {
    const usedByAgent = new Set(
      files
        .filter((f) => f.rel.startsWith("agent/"))
        .flatMap((f) => f.runtimeImports.filter((m) => m.includes("/protocol/")).map((m) => `protocol/${m.split("/protocol/")[1]!.replace(/\.js$/, ".ts")}`)),
    );
    const notLeaves = [...usedByAgent].filter((rel) => (files.find((f) => f.rel === rel)?.runtimeImports.length ?? 0) > 0);
    expect(notLeaves).toEqual([]);
  });
});
