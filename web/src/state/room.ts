// What the client knows, per room: the messages it shows, keyed and deduplicated by seq,
// and the highest seq below which it has seen everything (`contig`). Messages past a gap
// are held back until the gap is filled (chat.ts asks `sync` for it), so the timeline never
// shows a hole and never shows a message twice.

import type { Message, PresenceUser, RoomListing, User } from "./types";

export interface Notice {
  key: string;
  /** Shown after the message with this seq (live events: the last seq at the time). */
  afterSeq: number;
  text: string;
  at: string;
}

export type PendingStatus = "sending" | "queued" | "failed";

/** A message the user sent that the server has not acknowledged yet. */
export interface Pending {
  clientId: string;
  room: string;
  text: string;
  status: PendingStatus;
  error?: string;
  createdAt: string;
  /** Set when stored: the pending copy goes once this seq is shown. */
  seq?: number;
  attempts: number;
  /** Rate limited: not before this time (ms since the epoch); the server said how long. */
  notBefore?: number;
}

/** How many live messages a room that was never opened keeps. */
const KEEP_UNOPENED = 100;

export class RoomState {
  id: number;
  name: string;
  isPrivate: boolean;
  member: boolean;
  /** Highest seq known to exist, and the caller's read mark: unread = lastSeq - readSeq. */
  lastSeq: number;
  readSeq: number;
  readDirty = false;

  /** Shown messages: exactly the seqs oldest..contig. */
  readonly msgs = new Map<number, Message>();
  /** Received past a gap, waiting for it to be filled. */
  readonly ahead = new Map<number, Message>();
  contig: number;
  oldest: number | null = null;
  hasOlder = false;
  /** The latest page has been loaded (the room was opened at least once). */
  loaded = false;
  loadingOlder = false;
  /** Failed older-page loads in a row, and when an automatic retry may go. */
  olderFailures = 0;
  olderRetryAt = 0;
  /** Failed loads of the latest page in a row (each retry waits longer). */
  latestFailures = 0;
  members: Map<number, User> | null = null;
  readonly notices: Notice[] = [];
  readonly typing = new Map<number, { user: User; until: number }>();

  constructor(listing: RoomListing) {
    this.id = listing.id;
    this.name = listing.name;
    this.isPrivate = listing.private;
    this.member = listing.member;
    this.lastSeq = listing.last_seq;
    this.readSeq = listing.last_seq - listing.unread;
    this.contig = listing.last_seq;
  }

  get unread(): number {
    return this.member ? Math.max(0, this.lastSeq - this.readSeq) : 0;
  }

  /** No longer a member (left here or elsewhere): a rejoin loads history and people anew. */
  markLeft(): void {
    this.member = false;
    this.loaded = false;
    this.members = null;
  }

  /** Take in what `GET /api/rooms` says now. */
  update(listing: RoomListing): void {
    if (this.member && !listing.member) this.markLeft();
    this.isPrivate = listing.private;
    this.member = listing.member;
    this.lastSeq = Math.max(this.lastSeq, listing.last_seq);
    this.readSeq = Math.max(this.readSeq, listing.last_seq - listing.unread);
    if (!this.loaded && this.msgs.size === 0 && this.ahead.size === 0) {
      // Nothing shown yet: start counting from here (what came before is in `unread`).
      this.contig = Math.max(this.contig, listing.last_seq);
    }
  }

  /**
   * Add a message from any source (live event, ack, sync, latest page).
   * Returns "new" when it became visible or was held, "dup" when already known.
   */
  ingest(m: Message): "new" | "dup" {
    this.lastSeq = Math.max(this.lastSeq, m.seq);
    if (m.seq <= this.contig || this.ahead.has(m.seq)) return "dup";
    if (m.seq === this.contig + 1) {
      this.accept(m);
      this.drainAhead();
    } else {
      this.ahead.set(m.seq, m);
    }
    return "new";
  }

  private accept(m: Message): void {
    this.msgs.set(m.seq, m);
    this.contig = m.seq;
    if (this.oldest === null) this.oldest = m.seq;
    if (!this.loaded && this.msgs.size > KEEP_UNOPENED) {
      // Never opened: keep only the most recent (opening loads the latest page anyway).
      this.msgs.delete(this.oldest);
      this.oldest += 1;
    }
  }

  private drainAhead(): void {
    let next = this.ahead.get(this.contig + 1);
    while (next) {
      this.ahead.delete(next.seq);
      this.accept(next);
      next = this.ahead.get(this.contig + 1);
    }
  }

  get hasGap(): boolean {
    return this.ahead.size > 0;
  }

  /** The latest page (`GET …/messages` without a cursor): becomes the visible window. */
  setLatest(page: Message[], hasMore: boolean): void {
    const all = new Map<number, Message>();
    for (const m of [...this.msgs.values(), ...this.ahead.values(), ...page]) all.set(m.seq, m);
    this.msgs.clear();
    this.ahead.clear();
    const first = page[0];
    this.loaded = true;
    if (!first) {
      // The room was empty when the page was read: whatever we hold arrived since, from
      // seq 1 on (a live message racing the page must not count as already shown).
      this.oldest = null;
      this.hasOlder = false;
      this.contig = 0;
      for (const m of [...all.values()].sort((a, b) => a.seq - b.seq)) this.ingest(m);
      return;
    }
    this.oldest = first.seq;
    this.hasOlder = hasMore;
    this.contig = first.seq - 1;
    for (const m of [...all.values()].sort((a, b) => a.seq - b.seq)) {
      if (m.seq >= first.seq) this.ingest(m);
    }
  }

  /** An older page (`?before=oldest`), just above the visible window. */
  prepend(page: Message[], hasMore: boolean): void {
    for (const m of page) {
      if (this.oldest === null || m.seq < this.oldest) this.msgs.set(m.seq, m);
    }
    const first = page[0];
    if (first && (this.oldest === null || first.seq < this.oldest)) this.oldest = first.seq;
    this.hasOlder = hasMore;
  }

  sorted(): Message[] {
    return [...this.msgs.values()].sort((a, b) => a.seq - b.seq);
  }

  setMembers(members: PresenceUser[]): void {
    this.members = new Map(members.map((u) => [u.id, { id: u.id, username: u.username }]));
  }

  addNotice(text: string): void {
    this.notices.push({
      key: `n${Date.now()}-${this.notices.length}`,
      afterSeq: this.contig,
      text,
      at: new Date().toISOString(),
    });
    if (this.notices.length > 200) this.notices.shift();
  }
}

/** A client_id for a new message: a UUID (a random one also outside secure contexts). */
export function newClientId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
