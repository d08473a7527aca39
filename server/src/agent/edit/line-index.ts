/**
 * An index of a document's lines by their trimmed text, so the matcher looks only at the few
 * places where a SEARCH text could start instead of at every line of a large file.
 *
 * Every matching tier (exact, trailing whitespace, indentation) requires each non-blank SEARCH line
 * to equal its file line once both are trimmed, so the positions of the SEARCH's rarest line are
 * the only candidates. The index is built once per file and kept current through the splices the
 * blocks make: positions recorded at build time are carried through the list of splices, and lines
 * written since are looked up in the (short) ranges they occupy.
 */

interface Splice {
  start: number;
  end: number;
  count: number;
}

interface Range {
  start: number;
  end: number;
}

/** After this many splices the index is rebuilt, so carrying positions through them stays cheap. */
const REBUILD_AFTER_SPLICES = 64;
/** Lines written since the build are scanned on every lookup; past this many the index is rebuilt. */
const REBUILD_FRESH_LINES = 256;

export class LineIndex {
  private base = new Map<string, number[]>();
  private splices: Splice[] = [];
  /** Lines written since the build, as ranges in current positions. */
  private fresh: Range[] = [];

  constructor(private readonly lines: readonly string[]) {
    this.build();
  }

  private build(): void {
    this.base = new Map();
    this.lines.forEach((line, i) => {
      const key = line.trim();
      const list = this.base.get(key);
      if (list) list.push(i);
      else this.base.set(key, [i]);
    });
    this.splices = [];
    this.fresh = [];
  }

  /** Record that lines [start, end) were replaced by `count` lines (the array itself is already changed). */
  noteSplice(start: number, end: number, count: number): void {
    const delta = count - (end - start);
    this.splices.push({ start, end, count });
    const next: Range[] = [];
    for (const r of this.fresh) {
      if (r.end <= start) next.push(r);
      else if (r.start >= end) next.push({ start: r.start + delta, end: r.end + delta });
      else {
        if (r.start < start) next.push({ start: r.start, end: start });
        if (r.end > end) next.push({ start: end + delta, end: r.end + delta });
      }
    }
    if (count > 0) next.push({ start, end: start + count });
    this.fresh = next;
    const freshLines = next.reduce((sum, r) => sum + r.end - r.start, 0);
    // Rebuild when carrying positions or scanning new lines would cost more than a fresh start.
    if (this.splices.length >= REBUILD_AFTER_SPLICES || freshLines > Math.max(REBUILD_FRESH_LINES, this.lines.length / 8)) this.build();
  }

  /** A cheap estimate of how often a trimmed line occurs, for picking the rarest one. */
  estimate(key: string): number {
    let n = this.base.get(key)?.length ?? 0;
    for (const r of this.fresh) n += r.end - r.start;
    return n;
  }

  /** Current positions (ascending) of the lines whose trimmed text is `key`. */
  positions(key: string): number[] {
    const out: number[] = [];
    for (const original of this.base.get(key) ?? []) {
      let p: number | undefined = original;
      for (const s of this.splices) {
        if (p < s.start) continue;
        if (p >= s.end) p += s.count - (s.end - s.start);
        else {
          p = undefined;
          break;
        }
      }
      // A position that survived every splice lies outside the ranges written since, so the scan
      // of those ranges below never reports it twice.
      if (p !== undefined) out.push(p);
    }
    for (const r of this.fresh) {
      for (let i = r.start; i < r.end; i++) if (this.lines[i]!.trim() === key) out.push(i);
    }
    return out.sort((a, b) => a - b);
  }
}
