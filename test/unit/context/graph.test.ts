// The reference graph is maintained file by file; after any sequence of changes it must equal the
// graph built from scratch over the same files. Also: PageRank follows references from the seeds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Corpus, type IndexedFile } from "../../../server/src/agent/context/corpus.js";
import type { FileFacts } from "../../../server/src/agent/context/facts.js";
import { personalizedPageRank, type ReferenceGraph } from "../../../server/src/agent/context/graph.js";

const NAMES = ["parseConfig", "Session", "slugify", "RetryPolicy", "refresh_token", "Store", "dispatchRoute", "computeTotals"];

function file(index: number, defines: string[], uses: string[], version: number): IndexedFile {
  const facts: FileFacts = {
    language: "typescript",
    lines: 10,
    defs: defines.map((name, i) => ({ name, kind: "function", line: i + 1, endLine: i + 1, signature: `function ${name}() {` })),
    idents: uses.map((name, i) => [name, i + 1] as [string, number]),
  };
  const rel = `src/file${index}.ts`;
  return { abs: `/w/${rel}`, root: "/w", rel, display: rel, mtimeMs: version, bytes: 100 + version, hash: `h${index}-${version}-${defines.join(",")}-${uses.join(",")}`, facts };
}

function edgeSet(graph: ReferenceGraph): string[] {
  const out: string[] = [];
  graph.targets.forEach((targets, from) => {
    targets.forEach((to, e) => out.push(`${graph.keys[from]} -> ${graph.keys[to]} ${graph.weights[from]![e]!.toFixed(4)}`));
  });
  return out.sort();
}

const change = fc.record({
  index: fc.integer({ min: 0, max: 7 }),
  remove: fc.boolean(),
  defines: fc.subarray(NAMES, { maxLength: 3 }),
  uses: fc.subarray(NAMES, { maxLength: 5 }),
});

describe("reference graph", () => {
  it("kept up to date by changes equals the graph built from scratch", () => {
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 6 }), (changes, every) => {
        const live = new Corpus();
        const current = new Map<number, IndexedFile>();
        changes.forEach((c, step) => {
          if (c.remove) {
            live.delete(`/w/src/file${c.index}.ts`);
            current.delete(c.index);
          } else {
            const f = file(c.index, c.defines, c.uses, step);
            live.set(f);
            current.set(c.index, f);
          }
          // Ask for the graph now and then, as builds do between edits.
          if (step % every === 0) live.graph();
        });
        const fresh = new Corpus();
        for (const f of current.values()) fresh.set(f);
        expect(edgeSet(live.graph())).toEqual(edgeSet(fresh.graph()));
        expect([...live.graph().referencedBy].sort()).toEqual([...fresh.graph().referencedBy].sort());
      }),
      { numRuns: 300 },
    );
  });

  it("PageRank from a seed reaches what it references, not what references it", () => {
    const corpus = new Corpus();
    corpus.set(file(0, ["parseConfig"], [], 0));
    corpus.set(file(1, ["Session"], ["parseConfig"], 0));
    corpus.set(file(2, ["dispatchRoute"], ["Session"], 0));
    corpus.set(file(3, ["slugify"], [], 0));
    const graph = corpus.graph();
    const seed = graph.index.get("/w/src/file1.ts")!;
    const rank = personalizedPageRank(graph, new Map([[seed, 1]]));
    const of = (i: number) => rank[graph.index.get(`/w/src/file${i}.ts`)!]!;
    expect(of(0)).toBeGreaterThan(0);
    expect(of(2)).toBe(0);
    expect(of(3)).toBe(0);
  });
});
