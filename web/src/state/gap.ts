// A room's gap: the messages received past a hole in its seqs, held (not shown) until the
// hole is filled, and the `sync`s asked for it. A gap is held briefly (`wait`), then the
// controller asks `sync` for it; after a few syncs that do not fill it, the store does not
// have it, and what came after it is shown (`synced` says "skipped"; the room `release`s
// what was held). Pure: chat/catchup.ts schedules, state/room.ts keeps the window.

import { delayAfter, gaveUp, type RetryPolicy } from "../retry";
import type { Message } from "../types";
import { isNewer } from "./revs";

/** Messages past a gap wait this long for it, then `sync` is asked for it; after this many
 * syncs that do not fill it, the store does not have it: show what came after. */
export const GAP_RETRY: RetryPolicy = { firstMs: 800, growth: "constant", attempts: 3 };

/** What to do once a `sync` for a room's gap has come back. */
export type GapOutcome = "filled" | "wait" | "again" | "skipped";

export class GapTracker {
  /** Received past a gap, by seq, waiting for it to be filled. */
  private readonly held = new Map<number, Message>();
  /** Syncs asked for the current gap so far. */
  syncs = 0;

  /** How many messages are held. */
  get size(): number {
    return this.held.size;
  }

  get(seq: number): Message | undefined {
    return this.held.get(seq);
  }

  /** Hold `m` (or, if one with its seq is held, the newer state of the two). */
  hold(m: Message): void {
    const had = this.held.get(m.seq);
    if (!had || isNewer(m, had)) this.held.set(m.seq, m);
  }

  /** The held message with this seq, no longer held (it is next in line to be shown). */
  take(seq: number): Message | undefined {
    const m = this.held.get(seq);
    if (m) this.held.delete(seq);
    return m;
  }

  /** What is held, in seq order. */
  sorted(): Message[] {
    return [...this.held.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Everything held, in seq order, no longer held (skipped to, or a new window). */
  release(): Message[] {
    const all = this.sorted();
    this.held.clear();
    return all;
  }

  /** How long to hold the gap before the next `sync` for it. */
  wait(): number {
    return delayAfter(GAP_RETRY, this.syncs + 1);
  }

  /** A `sync` for the gap goes out. */
  syncing(): void {
    this.syncs += 1;
  }

  /**
   * That `sync` came back: `open`, a gap is still held; `connected`, the socket is still up.
   * "filled": nothing is held any more; "wait": offline, the reconnect syncs; "again": hold
   * it once more; "skipped": the store does not have it, so the caller shows what came
   * after it (`release`). Counting starts anew after "filled" and "skipped".
   */
  synced(open: boolean, connected: boolean): GapOutcome {
    if (!open) {
      this.syncs = 0;
      return "filled";
    }
    if (!connected) return "wait";
    if (!gaveUp(GAP_RETRY, this.syncs)) return "again";
    this.syncs = 0;
    return "skipped";
  }
}
