/**
 * Okapi BM25 over the files of the workspace, kept up to date one file at a time. Each file is a
 * document with several fields (contents, path, definition names), each scored on its own, so a
 * caller can weigh a path or a definition that matches above a passing use.
 *
 * Terms are interned to integers. Each field keeps, per term, a posting list of (document, term
 * frequency) pairs packed in one array of small integers (most terms occur in a few files, so the
 * per-list overhead matters more than the per-entry one), and a query touches only the documents that contain its
 * terms: on a 10,000-file repository a task costs its matches, not a pass over every file.
 * Removing a document leaves tombstones that are swept out once they make up a fifth of a list.
 */

export interface FieldSpec {
  name: string;
  /** BM25 length normalisation for this field (0 = none, 1 = full). */
  b: number;
}

const K1 = 1.2;

/** A posting list: document slot and term frequency, interleaved; `dead` counts removed documents' pairs. */
interface Postings {
  pairs: number[];
  dead: number;
}

interface Document {
  key: string;
  slot: number;
  /** Per field: the term ids it holds (to update document frequencies on removal) and its length. */
  terms: Int32Array[];
  lengths: number[];
}

export class Bm25Index {
  private readonly dictionary = new Map<string, number>();
  private readonly documents = new Map<string, Document>();
  /** Live document per slot (null once removed); slots are reused after a sweep. */
  private readonly slots: Array<Document | null> = [];
  private readonly freeSlots: number[] = [];
  /** Per field: postings by term id, and the summed field lengths. */
  private readonly postings: Array<Array<Postings | undefined>>;
  private readonly totalLength: number[];

  constructor(private readonly fields: readonly FieldSpec[]) {
    this.postings = fields.map(() => []);
    this.totalLength = fields.map(() => 0);
  }

  get size(): number {
    return this.documents.size;
  }

  has(key: string): boolean {
    return this.documents.has(key);
  }

  /** Add or replace a document; `fieldTerms[i]` holds the term counts of field i. */
  set(key: string, fieldTerms: ReadonlyArray<Iterable<readonly [string, number]>>): void {
    this.delete(key);
    const slot = this.freeSlots.pop() ?? this.slots.length;
    const doc: Document = { key, slot, terms: [], lengths: [] };
    for (let f = 0; f < this.fields.length; f++) {
      const ids: number[] = [];
      let length = 0;
      for (const [term, count] of fieldTerms[f] ?? []) {
        if (count <= 0) continue;
        const id = this.intern(term);
        ids.push(id);
        length += count;
        (this.postings[f]![id] ??= { pairs: [], dead: 0 }).pairs.push(slot, Math.round(count));
      }
      doc.terms.push(Int32Array.from(ids));
      doc.lengths.push(length);
      this.totalLength[f]! += length;
    }
    this.slots[slot] = doc;
    this.documents.set(key, doc);
  }

  delete(key: string): void {
    const doc = this.documents.get(key);
    if (!doc) return;
    for (let f = 0; f < this.fields.length; f++) {
      this.totalLength[f]! -= doc.lengths[f]!;
      for (const id of doc.terms[f]!) {
        const list = this.postings[f]![id]!;
        list.dead++;
        if (list.dead * 10 > list.pairs.length) this.sweep(list);
      }
    }
    this.slots[doc.slot] = null;
    this.documents.delete(key);
    // A slot is reused only once no posting list can still name it: after every list it appeared
    // in has been swept. Until then it stays empty (null), which the search skips.
    this.pendingSlots.push(doc.slot);
    if (this.pendingSlots.length > 256) this.sweepAll();
  }

  /** Number of documents whose `field` contains `term`. */
  documentFrequency(term: string, field = 0): number {
    const id = this.dictionary.get(term);
    if (id === undefined) return 0;
    const list = this.postings[field]![id];
    return list ? list.pairs.length / 2 - list.dead : 0;
  }

  /**
   * Score every document that matches at least one query term. `query` maps terms to weights
   * (a term the user wrote twice, or spelled as a whole identifier, may weigh more).
   * Returns per document the BM25 score of each field.
   */
  search(query: ReadonlyMap<string, number>): Map<string, number[]> {
    const n = this.documents.size;
    const results = new Map<string, number[]>();
    if (n === 0) return results;
    for (let f = 0; f < this.fields.length; f++) {
      const b = this.fields[f]!.b;
      const average = Math.max(this.totalLength[f]! / n, 1);
      for (const [term, weight] of query) {
        const id = this.dictionary.get(term);
        if (id === undefined) continue;
        const list = this.postings[f]![id];
        if (!list) continue;
        const pairs = list.pairs;
        const df = pairs.length / 2 - list.dead;
        if (df <= 0) continue;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        for (let i = 0; i < pairs.length; i += 2) {
          const doc = this.slots[pairs[i]!];
          if (!doc) continue;
          const tf = pairs[i + 1]!;
          const norm = K1 * (1 - b + (b * doc.lengths[f]!) / average);
          let scores = results.get(doc.key);
          if (!scores) {
            scores = new Array<number>(this.fields.length).fill(0);
            results.set(doc.key, scores);
          }
          scores[f] = scores[f]! + weight * idf * ((tf * (K1 + 1)) / (tf + norm));
        }
      }
    }
    return results;
  }

  private readonly pendingSlots: number[] = [];

  /** Drop the entries of removed documents from one list. */
  private sweep(list: Postings): void {
    const pairs = list.pairs;
    let kept = 0;
    for (let i = 0; i < pairs.length; i += 2) {
      if (!this.slots[pairs[i]!]) continue;
      pairs[kept++] = pairs[i]!;
      pairs[kept++] = pairs[i + 1]!;
    }
    pairs.length = kept;
    list.dead = 0;
  }

  /** Sweep every list that holds tombstones, then let the removed documents' slots be reused. */
  private sweepAll(): void {
    for (const lists of this.postings) for (const list of lists) if (list && list.dead > 0) this.sweep(list);
    this.freeSlots.push(...this.pendingSlots);
    this.pendingSlots.length = 0;
  }

  private intern(term: string): number {
    let id = this.dictionary.get(term);
    if (id === undefined) {
      id = this.dictionary.size;
      this.dictionary.set(term, id);
    }
    return id;
  }
}
