/**
 * The architecture's boundaries, checked on the source text so that breaking one fails the build:
 * only agent/sandbox/ touches the file system, agent/ never imports the LSP library or the ACP SDK
 * (and each front end stays out of the other's protocol), and no product
 * module but the terminal client's server launcher can start processes.
 */
import { describe, expect, it } from "vitest";
import { productSources } from "../source-files.js";

/** Every module specifier a file imports, re-exports, dynamically imports or requires. */
export function importedModules(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?["']([^"']+)["']/g,
    /\bexport\s+(?:type\s+)?[\w*${}\s,]*?\s+from\s+["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]!);
  return found;
}

const isFs = (m: string) => /^(node:)?fs(\/promises)?$/.test(m);
const isLsp = (m: string) => /^vscode-languageserver(\/|$|-protocol)/.test(m) || m === "vscode-jsonrpc" || m.startsWith("vscode-jsonrpc/");
const isAcp = (m: string) => m.startsWith("@agentclientprotocol/");
const isChildProcess = (m: string) => /^(node:)?child_process$/.test(m);

describe("architecture", () => {
  const files = productSources().map((f) => ({ rel: f.rel, imports: importedModules(f.text) }));

  it("finds the product sources", () => {
    expect(files.some((f) => f.rel === "server/src/agent/sandbox/index.ts")).toBe(true);
  });

  it("lets only server/src/agent/sandbox/ import node:fs", () => {
    const offenders = files.filter((f) => !f.rel.startsWith("server/src/agent/sandbox/") && f.imports.some(isFs)).map((f) => f.rel);
    expect(offenders).toEqual([]);
  });

  it("keeps vscode-languageserver out of server/src/agent/", () => {
    const offenders = files.filter((f) => f.rel.startsWith("server/src/agent/") && f.imports.some(isLsp)).map((f) => f.rel);
    expect(offenders).toEqual([]);
  });

  it("keeps each front end's protocol to itself: agent/ knows neither, acp/ no LSP, lsp/ and features/ no ACP", () => {
    const offenders = files
      .filter(
        (f) =>
          (f.rel.startsWith("server/src/agent/") && f.imports.some((m) => isLsp(m) || isAcp(m))) ||
          (f.rel.startsWith("server/src/acp/") && f.imports.some((m) => isLsp(m) || /(^|\/)(lsp|features)\//.test(m) || /(^|\/)server\.js$/.test(m))) ||
          (/^server\/src\/(lsp|features)\//.test(f.rel) && f.imports.some((m) => isAcp(m) || /(^|\/)acp\//.test(m))),
      )
      .map((f) => f.rel);
    expect(offenders).toEqual([]);
  });

  it("lets only server/src/cli/spawn-server.ts import node:child_process", () => {
    const offenders = files.filter((f) => f.rel !== "server/src/cli/spawn-server.ts" && f.imports.some(isChildProcess)).map((f) => f.rel);
    expect(offenders).toEqual([]);
  });

  it.each([
    ['import { promises } from "node:fs";', true],
    ["import fs from 'fs';", true],
    ['import * as fsp from "fs/promises";', true],
    ['import type { Stats } from "node:fs";', true],
    ['const fs = await import("node:fs/promises");', true],
    ['const fs = require("fs");', true],
    ['export { readFile } from "node:fs/promises";', true],
    ['import {\n  readFile,\n  writeFile,\n} from "node:fs";', true],
    ['import { x } from "./fs.js";', false],
    ['import { fsWatch } from "fsevents";', false],
  ])("recognises a file-system import in %j: %s", (text, expected) => {
    expect(importedModules(text).some(isFs)).toBe(expected);
  });
});
