/**
 * Okapi BM25 over the files of the workspace, kept up to date one file at a time. Each file is a
 * document with several fields (contents, path, definition names), each scored on its own and
 * summed with a weight, so a path or a definition that matches counts for more than a passing use.
 *
 * Terms are interned to integers and each document keeps its terms as a sorted typed array, so a
 * 10,000-file repository costs a few bytes per distinct term per file, and a query is a handful of
 * binary searches per document rather than a hash lookup per posting.
 */

export interface FieldSpec {
  name: string;
  weight: number;
  /** BM25 length normalisation for this field (0 = none, 1 = full). */
  b: number;
}

interface FieldVector {
  ids: Int32Array;
  tfs: Float32Array;
  length: number;
}

const K1 = 1.2;

export class Bm25Index {
  private readonly dictionary = new Map<string, number>();
  private readonly documents = new Map<string, FieldVector[]>();
  /** Per field: document frequency by term id, and the summed field lengths. */
  private readonly df: Int32Array[];
  private readonly totalLength: number[];

  constructor(private readonly fields: readonly FieldSpec[]) {
    this.df = fields.map(() => new Int32Array(1024));
    this.totalLength = fields.map(() => 0);
  }

  get size(): number {
    return this.documents.size;
  }

  has(doc: string): boolean {
    return this.documents.has(doc);
  }

  /** Add or replace a document; `fieldTerms[i]` holds the term counts of field i. */
  set(doc: string, fieldTerms: ReadonlyArray<ReadonlyMap<string, number> | ReadonlyArray<readonly [string, number]>>): void {
    this.delete(doc);
    const vectors: FieldVector[] = [];
    for (let f = 0; f < this.fields.length; f++) {
      const entries = [...(fieldTerms[f] ?? [])];
      const pairs: Array<[number, number]> = [];
      let length = 0;
      for (const [term, count] of entries) {
        if (count <= 0) continue;
        pairs.push([this.intern(term), count]);
        length += count;
      }
      pairs.sort((a, b) => a[0] - b[0]);
      const ids = new Int32Array(pairs.length);
      const tfs = new Float32Array(pairs.length);
      pairs.forEach(([id, tf], i) => {
        ids[i] = id;
        tfs[i] = tf;
      });
      const df = this.df[f]!;
      for (const id of ids) df[id] = (df[id] ?? 0) + 1;
      this.totalLength[f]! += length;
      vectors.push({ ids, tfs, length });
    }
    this.documents.set(doc, vectors);
  }

  delete(doc: string): void {
    const old = this.documents.get(doc);
    if (!old) return;
    old.forEach((vector, f) => {
      const df = this.df[f]!;
      for (const id of vector.ids) df[id] = df[id]! - 1;
      this.totalLength[f]! -= vector.length;
    });
    this.documents.delete(doc);
  }

  /** Inverse document frequency of a term in a field (0 when the term is unknown there). */
  idf(term: string, field = 0): number {
    const id = this.dictionary.get(term);
    if (id === undefined) return 0;
    const n = this.documents.size;
    const df = this.df[field]![id] ?? 0;
    if (df === 0) return 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Number of documents whose `field` contains `term`. */
  documentFrequency(term: string, field = 0): number {
    const id = this.dictionary.get(term);
    return id === undefined ? 0 : (this.df[field]![id] ?? 0);
  }

  /**
   * Score every document that matches at least one query term. `query` maps terms to weights
   * (a term the user wrote twice, or spelled as a whole identifier, may weigh more).
   * Returns per-document totals and, per field, the raw field scores for callers that mix them.
   */
  search(query: ReadonlyMap<string, number>): Map<string, { total: number; fields: number[] }> {
    const n = this.documents.size;
    const results = new Map<string, { total: number; fields: number[] }>();
    if (n === 0) return results;
    const terms: Array<{ id: number; weight: number; idf: number[] }> = [];
    for (const [term, weight] of query) {
      const id = this.dictionary.get(term);
      if (id === undefined) continue;
      const idf = this.fields.map((_, f) => {
        const df = this.df[f]![id] ?? 0;
        return df === 0 ? 0 : Math.log(1 + (n - df + 0.5) / (df + 0.5));
      });
      if (idf.every((v) => v === 0)) continue;
      terms.push({ id, weight, idf });
    }
    if (terms.length === 0) return results;
    terms.sort((a, b) => a.id - b.id);
    const average = this.totalLength.map((total) => Math.max(total / n, 1));
    for (const [doc, vectors] of this.documents) {
      let total = 0;
      let fields: number[] | null = null;
      for (let f = 0; f < vectors.length; f++) {
        const spec = this.fields[f]!;
        const vector = vectors[f]!;
        if (vector.ids.length === 0) continue;
        const norm = K1 * (1 - spec.b + (spec.b * vector.length) / average[f]!);
        let score = 0;
        let lo = 0;
        for (const term of terms) {
          if (term.idf[f] === 0) continue;
          const at = lowerBound(vector.ids, term.id, lo);
          if (at >= vector.ids.length) break;
          lo = at;
          if (vector.ids[at] !== term.id) continue;
          const tf = vector.tfs[at]!;
          score += term.weight * term.idf[f]! * ((tf * (K1 + 1)) / (tf + norm));
        }
        if (score > 0) {
          fields ??= new Array<number>(vectors.length).fill(0);
          fields[f] = score;
          total += spec.weight * score;
        }
      }
      if (fields) results.set(doc, { total, fields });
    }
    return results;
  }

  private intern(term: string): number {
    let id = this.dictionary.get(term);
    if (id === undefined) {
      id = this.dictionary.size;
      this.dictionary.set(term, id);
      for (let f = 0; f < this.df.length; f++) {
        const df = this.df[f]!;
        if (id >= df.length) {
          const grown = new Int32Array(df.length * 2);
          grown.set(df);
          this.df[f] = grown;
        }
      }
    }
    return id;
  }
}

/** First index in the sorted `ids` (from `from`) whose value is not below `id`. */
function lowerBound(ids: Int32Array, id: number, from: number): number {
  let lo = from;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
