/**
 * No run-time import cycle under server/src. Two modules that need each other at run time load in
 * an order that depends on who imported first, and one of them then sees the other half-initialised
 * (an `undefined` class or constant); a cycle is also the surest sign that a boundary between two
 * jobs was drawn in the wrong place.
 *
 * Only imports that survive compilation count: `import type`, `export type` and imports used only
 * as types are erased, so each module is compiled one file at a time (as `isolatedModules` allows,
 * with esbuild, which erases exactly what TypeScript does and is fast) and the imports of its
 * JavaScript are read with TypeScript's own scanner.
 */
import { dirname, resolve } from "node:path";
import { transformSync } from "esbuild";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { productSources } from "./source-files.js";

/** The module specifiers a TypeScript module still imports once compiled (static, re-exports, literal dynamic imports). */
export function runtimeImports(typescript: string): string[] {
  const js = transformSync(typescript, { loader: "ts", format: "esm", target: "es2022" }).code;
  return ts.preProcessFile(js, true, true).importedFiles.map((f) => f.fileName);
}

/** The run-time import graph of some modules (paths as keys), keeping only imports of each other. */
export function importGraph(modules: Map<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [path, text] of modules) {
    const targets = runtimeImports(text)
      .filter((s) => s.startsWith("."))
      .map((s) => resolve(dirname(path), s.replace(/\.js$/, ".ts")))
      .filter((target) => modules.has(target));
    graph.set(path, [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle's modules (strongly connected components of more than one module, or a module importing itself). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe("import cycles", () => {
  const sources = productSources().filter((f) => f.rel.endsWith(".ts"));

  it("finds the product sources", () => {
    expect(sources.length).toBeGreaterThan(50);
  });

  it("server/src has no run-time import cycle", () => {
    const relOf = new Map(sources.map((f) => [f.abs, f.rel]));
    const found = cycles(importGraph(new Map(sources.map((f) => [f.abs, f.text])))).map((c) => c.map((abs) => relOf.get(abs)!));
    expect(found).toEqual([]);
  });

  // What counts as a run-time import, checked on small modules of two files that import each other.
  const other = 'export const value = 1;\nexport interface Shape { x: number }\nimport { back } from "./a.js";\nexport const use = back;\n';
  it.each([
    ['import { value } from "./b.js";\nexport const back = value;', true],
    ['import type { Shape } from "./b.js";\nexport const back: Shape = { x: 1 };', false],
    ['import { type Shape } from "./b.js";\nexport const back: Shape = { x: 1 };', false],
    ['import { Shape } from "./b.js";\nexport const back: Shape = { x: 1 };', false],
    ['export type { Shape } from "./b.js";\nexport const back = 1;', false],
    ['export { value } from "./b.js";\nexport const back = 1;', true],
    ['import "./b.js";\nexport const back = 1;', true],
    ['export const back = 1;\nexport const later = () => import("./b.js");', true],
  ])("counts %j as a cycle with a module importing it back: %s", (a, expected) => {
    const modules = new Map([
      ["/m/a.ts", a],
      ["/m/b.ts", other],
    ]);
    expect(cycles(importGraph(modules)).length > 0).toBe(expected);
  });
});
