// Messages a room knows outside its window (the contiguous run it shows): replied-to ones
// fetched for their quotes, and newer states of older messages (a change to one the window
// does not reach yet: a page loaded later may have been read before it). Newest state
// each, by `rev`; the oldest entries are dropped past a bound.

import type { Message } from "../types";
import { isNewer } from "./revs";

const KEEP = 500;

export class Outside {
  private readonly byseq = new Map<number, Message>();

  get(seq: number): Message | undefined {
    return this.byseq.get(seq);
  }

  /** Keep `m` unless a newer state is known; true when it replaced a known one. */
  put(m: Message): boolean {
    const known = this.byseq.get(m.seq);
    if (known && !isNewer(m, known)) return false;
    this.byseq.delete(m.seq);
    this.byseq.set(m.seq, m);
    if (this.byseq.size > KEEP) {
      const first = this.byseq.keys().next();
      if (!first.done) this.byseq.delete(first.value);
    }
    return known !== undefined;
  }

  /** A page brings `m` into the window: the newest state known of it, forgotten here. */
  take(m: Message): Message {
    const known = this.byseq.get(m.seq);
    if (!known) return m;
    this.byseq.delete(m.seq);
    return isNewer(known, m) ? known : m;
  }

  get size(): number {
    return this.byseq.size;
  }
}
