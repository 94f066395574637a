// Unread messages that mention the reader, per room: the listing's count (`mentions`, up to
// its `last_seq`), then the ones that arrive live. Read marks clear them; a message edited
// or deleted so that it no longer mentions the reader stops counting.

import type { Message } from "../types";

export function mentionsOf(m: Message, me: number): boolean {
  return !m.deleted && (m.mentions ?? []).includes(me);
}

export class MentionCount {
  /** The listing's count, and the last seq it covers. */
  private listedCount = 0;
  private listedUpTo = 0;
  /** Seqs past the listing that mention the reader. */
  private readonly live = new Set<number>();

  /** What `GET /api/rooms` says now. */
  listed(count: number, lastSeq: number): void {
    if (lastSeq < this.listedUpTo) return; // an older listing
    this.listedCount = count;
    this.listedUpTo = lastSeq;
    for (const seq of this.live) if (seq <= lastSeq) this.live.delete(seq);
  }

  /** A message, new or changed, of someone else: counted while it mentions the reader. */
  seen(m: Message, me: number): void {
    if (m.seq <= this.listedUpTo) return;
    if (m.user.id !== me && mentionsOf(m, me)) this.live.add(m.seq);
    else this.live.delete(m.seq);
  }

  /** How many are unread with the read mark at `readSeq`. The listing's are all taken as
   * read once the mark passes its last seq (it does not say which seqs they are). */
  count(readSeq: number): number {
    let n = readSeq < this.listedUpTo ? this.listedCount : 0;
    for (const seq of this.live) if (seq > readSeq) n += 1;
    return n;
  }
}
