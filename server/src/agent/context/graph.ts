/**
 * The reference graph and the personalised PageRank that runs over it. A file that uses a name
 * another file defines gets an edge to that file, weighted by how often it uses the name and by
 * how specific the name is: a long compound identifier defined in one place says far more than
 * `get`, and names defined in many files are left out altogether. PageRank seeded with what the
 * task points at then spreads relevance to the files those point at.
 *
 * Edges are computed per file, so after an edit only the edited file's edges, and those of files
 * that use a name whose definitions moved, are computed again.
 */

export interface ReferenceGraph {
  keys: string[];
  index: Map<string, number>;
  /** Outgoing edges of each node: targets and weights. */
  targets: Int32Array[];
  weights: Float32Array[];
  /** Summed outgoing and incoming weight per node. */
  outWeight: Float64Array;
  inWeight: Float64Array;
  /** How many files reference each name defined elsewhere, for ranking a file's own definitions. */
  referencedBy: ReadonlyMap<string, number>;
}

/** One file's outgoing references: weight per defining file, and the names that linked. */
export interface FileEdges {
  targets: Map<string, number>;
  names: string[];
}

/** Names defined in more files than this are too generic to link files together. */
export const MAX_DEFINERS = 8;

/**
 * The edges of one file: `identIds`/`identCounts` are what it uses (ids into `names`), `definers`
 * names the files that define a name, and `self` is the file's own key (names it defines itself
 * are its own business, not references).
 */
export function edgesOf(
  self: string,
  identIds: Int32Array,
  identCounts: Uint16Array,
  names: readonly string[],
  definers: (name: string) => ReadonlySet<string> | undefined,
): FileEdges {
  const targets = new Map<string, number>();
  const linked: string[] = [];
  for (let i = 0; i < identIds.length; i++) {
    const name = names[identIds[i]!]!;
    const where = definers(name);
    if (!where || where.size === 0 || where.size > MAX_DEFINERS || where.has(self)) continue;
    linked.push(name);
    const weight = (specificity(name) * Math.sqrt(identCounts[i]!)) / where.size;
    for (const target of where) targets.set(target, (targets.get(target) ?? 0) + weight);
  }
  return { targets, names: linked };
}

/** Lay out per-file edges as the arrays PageRank runs over. */
export function assembleGraph(edges: ReadonlyMap<string, FileEdges>, referencedBy: ReadonlyMap<string, number>): ReferenceGraph {
  const keys = [...edges.keys()];
  const index = new Map<string, number>();
  keys.forEach((k, i) => index.set(k, i));
  const targets: Int32Array[] = [];
  const weights: Float32Array[] = [];
  const outWeight = new Float64Array(keys.length);
  const inWeight = new Float64Array(keys.length);
  keys.forEach((key, from) => {
    const out = edges.get(key)!.targets;
    const t = new Int32Array(out.size);
    const w = new Float32Array(out.size);
    let i = 0;
    let total = 0;
    for (const [target, weight] of out) {
      const to = index.get(target);
      if (to === undefined) continue;
      t[i] = to;
      w[i] = weight;
      total += weight;
      inWeight[to] = inWeight[to]! + weight;
      i++;
    }
    targets.push(i === t.length ? t : t.slice(0, i));
    weights.push(i === w.length ? w : w.slice(0, i));
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
