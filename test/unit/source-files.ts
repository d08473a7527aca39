/**
 * The product's source files, for the tests that check the architecture on the source itself
 * (which modules may import what, and that no imports go round in a cycle).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface SourceFile {
  abs: string;
  /** The path from the repository root, with forward slashes. */
  rel: string;
  text: string;
}

/** Every module under `dir` (server/src by default): TypeScript and JavaScript, without tests and declarations. */
export function productSources(dir = join(repo, "server", "src")): SourceFile[] {
  const out: SourceFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...productSources(abs));
    else if (/\.(ts|mts|cts|js|mjs)$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name)) {
      out.push({ abs, rel: relative(repo, abs).split("\\").join("/"), text: readFileSync(abs, "utf8") });
    }
  }
  return out;
}
