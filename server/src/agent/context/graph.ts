/**
 * The reference graph and the personalised PageRank that runs over it. A file that uses a name
 * another file defines gets an edge to that file, weighted by how often it uses the name and by
 * how specific the name is: a long compound identifier defined in one place says far more than
 * `get`, and names defined in many files are left out altogether. PageRank seeded with what the
 * task points at then spreads relevance to the files those point at.
 */

export interface GraphInput {
  /** A stable key per file (its absolute path). */
  key: string;
  /** Identifiers used by the file, as ids into the shared name list, with counts. */
  identIds: Int32Array;
  identCounts: Uint16Array;
}

export interface ReferenceGraph {
  keys: string[];
  index: Map<string, number>;
  /** Outgoing edges of each node: targets and weights. */
  targets: Int32Array[];
  weights: Float32Array[];
  /** Summed outgoing and incoming weight per node. */
  outWeight: Float64Array;
  inWeight: Float64Array;
  /** How many other files reference each node, for ranking a file's own definitions. */
  referencedBy: Map<string, number>;
}

/** Names defined in more files than this are too generic to link files together. */
export const MAX_DEFINERS = 8;

/** Build the graph; `names[id]` spells identifier `id`, and `definers(name)` names the files that define it. */
export function buildGraph(
  files: readonly GraphInput[],
  names: readonly string[],
  definers: (name: string) => ReadonlySet<string> | undefined,
): ReferenceGraph {
  const keys = files.map((f) => f.key);
  const index = new Map<string, number>();
  keys.forEach((k, i) => index.set(k, i));
  const targets: Int32Array[] = [];
  const weights: Float32Array[] = [];
  const outWeight = new Float64Array(files.length);
  const inWeight = new Float64Array(files.length);
  const referencedBy = new Map<string, number>();
  // Per identifier, resolved once for the whole build: its defining nodes and how specific it is.
  const resolved = new Map<number, { nodes: number[]; specificity: number; name: string; definers: ReadonlySet<string> } | null>();
  files.forEach((file, from) => {
    const edges = new Map<number, number>();
    for (let i = 0; i < file.identIds.length; i++) {
      const id = file.identIds[i]!;
      let target = resolved.get(id);
      if (target === undefined) {
        const name = names[id]!;
        const where = definers(name);
        target =
          where && where.size > 0 && where.size <= MAX_DEFINERS
            ? { nodes: [...where].map((k) => index.get(k)).filter((n): n is number => n !== undefined), specificity: specificity(name), name, definers: where }
            : null;
        resolved.set(id, target);
      }
      if (target === null || target.definers.has(file.key)) continue;
      referencedBy.set(target.name, (referencedBy.get(target.name) ?? 0) + 1);
      const weight = (target.specificity * Math.sqrt(file.identCounts[i]!)) / target.nodes.length;
      for (const to of target.nodes) edges.set(to, (edges.get(to) ?? 0) + weight);
    }
    const t = new Int32Array(edges.size);
    const w = new Float32Array(edges.size);
    let i = 0;
    let total = 0;
    for (const [to, weight] of edges) {
      t[i] = to;
      w[i] = weight;
      total += weight;
      inWeight[to] = inWeight[to]! + weight;
      i++;
    }
    targets.push(t);
    weights.push(w);
    outWeight[from] = total;
  });
  return { keys, index, targets, weights, outWeight, inWeight, referencedBy };
}

/** How much a use of `name` says about the file it points to. */
export function specificity(name: string): number {
  if (name.startsWith("_") && !name.startsWith("__")) return 0.3;
  const compound = /[a-z][A-Z]|[A-Za-z]_[A-Za-z]/.test(name);
  if (compound && name.length >= 8) return 3;
  if (name.length >= 6) return 1;
  return 0.5;
}

/**
 * Personalised PageRank by power iteration. `seeds` maps node indices to (unnormalised) restart
 * weights; with no seeds the restart is uniform. Mass at files with no outgoing edges returns to
 * the seeds, so it is not spread over the whole repository. With `reverse` above zero, each
 * reference also carries that share of its weight backwards, from the definition to its user, so
 * relevance reaches the callers and tests of a likely file as well as what it depends on.
 */
export function personalizedPageRank(
  graph: ReferenceGraph,
  seeds: ReadonlyMap<number, number>,
  options: { damping?: number; iterations?: number; reverse?: number } = {},
): Float64Array {
  const damping = options.damping ?? 0.85;
  const iterations = options.iterations ?? 30;
  const reverse = options.reverse ?? 0;
  const n = graph.keys.length;
  const restart = new Float64Array(n);
  let seedTotal = 0;
  for (const weight of seeds.values()) if (weight > 0) seedTotal += weight;
  if (seedTotal > 0) {
    for (const [node, weight] of seeds) if (weight > 0) restart[node] = restart[node]! + weight / seedTotal;
  } else {
    restart.fill(1 / Math.max(n, 1));
  }
  let rank = Float64Array.from(restart);
  let next = new Float64Array(n);
  for (let iteration = 0; iteration < iterations; iteration++) {
    next.fill(0);
    let dangling = 0;
    for (let from = 0; from < n; from++) {
      const mass = rank[from]!;
      if (mass === 0) continue;
      const total = graph.outWeight[from]! + reverse * graph.inWeight[from]!;
      if (total === 0) {
        dangling += mass;
        continue;
      }
      const t = graph.targets[from]!;
      const w = graph.weights[from]!;
      const share = (damping * mass) / total;
      for (let e = 0; e < t.length; e++) next[t[e]!] = next[t[e]!]! + share * w[e]!;
      // What damping holds back returns to the seeds below.
    }
    if (reverse > 0) {
      // Backward flow: along each edge from → to, the target sends mass back to the source.
      for (let from = 0; from < n; from++) {
        const t = graph.targets[from]!;
        const w = graph.weights[from]!;
        for (let e = 0; e < t.length; e++) {
          const to = t[e]!;
          const mass = rank[to]!;
          if (mass === 0) continue;
          const total = graph.outWeight[to]! + reverse * graph.inWeight[to]!;
          next[from] = next[from]! + (damping * mass * reverse * w[e]!) / total;
        }
      }
    }
    const returned = 1 - damping + damping * dangling;
    let delta = 0;
    for (let i = 0; i < n; i++) {
      const value = next[i]! + returned * restart[i]!;
      delta += Math.abs(value - rank[i]!);
      next[i] = value;
    }
    [rank, next] = [next, rank];
    if (delta < 1e-6) break;
  }
  return rank;
}
