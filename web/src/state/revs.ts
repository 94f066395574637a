// A room's change stream (PROTOCOL v2 `rev`): the highest rev below which every change has
// been seen (`mark`), and the revs seen past a jump. Every change takes the next rev, so a
// rev seen more than one past the mark means changes were missed: `sync` by rev from the
// mark fetches each of them once, in its latest state. Pure: chat/catchup.ts decides when.

export class RevStream {
  /** Every change with a rev ≤ mark has been seen (or concerns nothing this client holds). */
  mark: number;
  /** Revs seen past the mark, waiting for the ones between. */
  private readonly ahead = new Set<number>();
  /** The highest rev known to exist. */
  latest: number;

  constructor(mark: number) {
    this.mark = mark;
    this.latest = mark;
  }

  /** A change with this rev was seen (a live event, an ack, a sync answer). True when it
   * is news: above the mark and not seen before. */
  note(rev: number): boolean {
    this.latest = Math.max(this.latest, rev);
    if (rev <= this.mark || this.ahead.has(rev)) return false;
    if (rev === this.mark + 1) {
      this.mark = rev;
      this.drain();
    } else {
      this.ahead.add(rev);
    }
    return true;
  }

  /** Every change up to `rev` is known (a `sync` answered up to there). */
  advance(rev: number): void {
    this.latest = Math.max(this.latest, rev);
    if (rev <= this.mark) return;
    this.mark = rev;
    for (const r of this.ahead) if (r <= rev) this.ahead.delete(r);
    this.drain();
  }

  /** Changes up to `rev` only are known for sure: the window was drawn anew from a page
   * read at some point the stream cannot place, so catch up from there. */
  lower(rev: number): void {
    // What was seen above the old mark stays seen; what lies between is fetched again
    // (`behind` says so).
    if (rev < this.mark) this.mark = rev;
  }

  /** Some change between the mark and a rev seen after it is missing. */
  get hasGap(): boolean {
    return this.ahead.size > 0;
  }

  /** Changes are known to exist past the mark (a listing or a jump says so). */
  get behind(): boolean {
    return this.latest > this.mark;
  }

  private drain(): void {
    while (this.ahead.delete(this.mark + 1)) this.mark += 1;
  }
}

/** Whether `incoming` is a newer state of the same message than `current` (by rev; a v1
 * server's messages never change, so without revs nothing replaces anything). */
export function isNewer(
  incoming: { rev?: number | undefined },
  current: { rev?: number | undefined },
): boolean {
  return incoming.rev !== undefined && (current.rev === undefined || incoming.rev > current.rev);
}
