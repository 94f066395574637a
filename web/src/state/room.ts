// What the client knows, per room: the messages it shows, keyed and deduplicated by seq,
// and the highest seq below which it has seen everything (`contig`). Messages past a gap
// are held back until the gap is filled, so the timeline never shows a hole and never shows
// a message twice (the gap and what is held past it: state/gap.ts). No DOM and no timers
// here: chat/ schedules, this decides.

import { Backoff, type RetryPolicy } from "../retry";
import type { Member, Message, NotifyLevel, PresenceUser, Room, RoomListing, RoomRole, User } from "../types";
import { GapTracker, type GapOutcome } from "./gap";
import { MentionCount } from "./mentions";
import { Outside } from "./outside";
import { isNewer, RevStream } from "./revs";

export interface Notice {
  key: string;
  /** Shown after the message with this seq (live events: the last seq at the time). */
  afterSeq: number;
  text: string;
  at: string;
  /** Who it is about: shown by name before `text` (as they are named now). */
  user?: User;
}

/** How many live messages a room that was never opened keeps. */
const KEEP_UNOPENED = 100;
const KEEP_NOTICES = 200;

/** Loading a page of history again after a failure: 2 s, 4 s, 8 s … up to 30 s. */
export const PAGE_RETRY: RetryPolicy = { firstMs: 2000, maxMs: 30_000 };

export class RoomState {
  id: number;
  name: string;
  isPrivate: boolean;
  /** v2: a room, or a direct conversation ("dm": no joining, leaving or inviting). */
  kind: "room" | "dm";
  /** v2: a DM's participants, the reader included (empty for rooms). */
  people: User[];
  member: boolean;
  /** Highest seq known to exist, and the caller's read mark: unread = lastSeq - readSeq. */
  lastSeq: number;
  readSeq: number;
  readDirty = false;

  /** Shown messages: exactly the seqs oldest..contig. */
  readonly msgs = new Map<number, Message>();
  /** Received past a gap, waiting for it to be filled; and the syncs asked for it. */
  readonly gap = new GapTracker();
  contig: number;
  oldest: number | null = null;
  hasOlder = false;
  /** The latest page has been loaded (the room was opened at least once). */
  loaded = false;
  loadingOlder = false;
  /** The window was put around an older message (a jump: `showAround`) and may end
   * before the newest one; newer pages (`appendNewer`) bring it to the present. */
  private pastWindow = false;
  loadingNewer = false;
  /** Failed loads of the latest page, and of older pages, in a row. */
  readonly latestRetry: Backoff;
  readonly olderRetry: Backoff;
  /** v2: with their roles (and whether they are bots). */
  members: Map<number, Member> | null = null;
  /** v2: the change stream (`rev`); null from a v1 server, whose messages never change. */
  revs: RevStream | null;
  /** Messages known outside the window, newest state each: replied-to ones fetched for
   * their quotes, and changes to messages older than the window (a page loaded later may
   * have been read before them). */
  readonly outside = new Outside();
  /** Unread messages that mention the reader (the listing's count, and live ones). */
  readonly mentioned = new MentionCount();
  /** v2: whose messages notify the reader here. */
  notify: NotifyLevel = "all";
  /** v2: the reader's role here (an owner may delete anyone's message). */
  role: RoomListing["role"] = null;
  /** The reader is banned from it: a public room still listed, but not to join. */
  banned: boolean;
  /** v2 (communities): the topic, and whether the room is archived (read-only). */
  topic: string | null;
  archived: boolean;
  readonly notices: Notice[] = [];
  readonly typing = new Map<number, { user: User; until: number }>();

  constructor(
    listing: RoomListing,
    private readonly now: () => number = Date.now,
  ) {
    this.id = listing.id;
    this.name = listing.name;
    this.isPrivate = listing.private;
    this.kind = listing.kind ?? "room";
    this.people = listing.people ?? [];
    this.member = listing.member;
    this.lastSeq = listing.last_seq;
    this.readSeq = listing.last_seq - listing.unread;
    this.contig = listing.last_seq;
    this.revs = listing.rev === undefined ? null : new RevStream(listing.rev);
    this.notify = listing.notify ?? "all";
    this.role = listing.role ?? null;
    this.banned = listing.banned ?? false;
    this.topic = listing.topic ?? null;
    this.archived = listing.archived ?? false;
    this.mentioned.listed(listing.mentions ?? 0, listing.last_seq);
    this.latestRetry = new Backoff(PAGE_RETRY, now);
    this.olderRetry = new Backoff(PAGE_RETRY, now);
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
    this.kind = listing.kind ?? this.kind;
    this.people = listing.people ?? this.people;
    this.member = listing.member;
    this.lastSeq = Math.max(this.lastSeq, listing.last_seq);
    this.readSeq = Math.max(this.readSeq, listing.last_seq - listing.unread);
    this.notify = listing.notify ?? this.notify;
    this.role = listing.role ?? null;
    this.banned = listing.banned ?? false;
    this.applyRoom(listing);
    this.mentioned.listed(listing.mentions ?? 0, listing.last_seq);
    if (listing.rev !== undefined) this.revs ??= new RevStream(listing.rev);
    if (!this.loaded && this.msgs.size === 0 && this.gap.size === 0) {
      // Nothing shown yet: start counting from here (what came before is in `unread`).
      this.contig = Math.max(this.contig, listing.last_seq);
      if (listing.rev !== undefined) this.revs?.advance(listing.rev);
    }
  }

  /** v2: a room object (`roomUpdated`, a listing): its topic and archived state. */
  applyRoom(room: Room): void {
    if (room.topic !== undefined) this.topic = room.topic;
    if (room.archived !== undefined) this.archived = room.archived;
  }

  /** The unread messages that mention the reader. */
  get mentions(): number {
    return this.member ? this.mentioned.count(this.readSeq) : 0;
  }

  // ---- messages, by seq ----
  /**
   * Add a message, or a newer state of one, from any source (live event, ack, sync, page).
   * Returns "new" when it became visible or was held, "updated" when it replaced an older
   * state of one shown, "dup" when nothing shown changed. A newer state never gives way to
   * an older one (by `rev`).
   */
  ingest(m: Message): "new" | "updated" | "dup" {
    this.lastSeq = Math.max(this.lastSeq, m.seq);
    if (m.rev !== undefined) this.revs?.note(m.rev);
    if (this.gap.get(m.seq)) {
      this.gap.hold(m); // the newer state of the two
      return "dup";
    }
    if (m.seq <= this.contig) {
      const shown = this.msgs.get(m.seq);
      if (shown) {
        if (!isNewer(m, shown)) return "dup";
        this.msgs.set(m.seq, m);
        return "updated";
      }
      return this.outside.put(m) ? "updated" : "dup";
    }
    if (m.seq !== this.contig + 1) {
      this.gap.hold(m);
      return "new";
    }
    let next: Message | undefined = m;
    while (next) {
      this.accept(next);
      next = this.gap.take(this.contig + 1); // what was held and now follows on
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

  /** Keep a message outside the window (a replied-to one fetched for its quote), or a
   * newer state of one shown. True when something known changed. */
  remember(m: Message): boolean {
    const shown = this.msgs.get(m.seq);
    if (!shown) return this.outside.put(m);
    if (!isNewer(m, shown)) return false;
    this.msgs.set(m.seq, m);
    return true;
  }

  /** A message by seq, wherever it is known (shown, held, or outside the window). */
  known(seq: number): Message | undefined {
    return this.msgs.get(seq) ?? this.gap.get(seq) ?? this.outside.get(seq);
  }

  /** The latest page (`GET …/messages` without a cursor): becomes the visible window. */
  setLatest(page: Message[], hasMore: boolean): void {
    this.pastWindow = false;
    const before = this.contig;
    page = page.map((m) => this.outside.take(m));
    this.window(page, hasMore);
    if (this.contig < before) {
      // The page predates what the room had counted (a listing moved `contig` while it was
      // on its way): catch up on every change after the newest one it holds.
      let pageRev = 0;
      for (const m of page) pageRev = Math.max(pageRev, m.rev ?? 0);
      this.revs?.lower(pageRev);
    }
  }

  private window(page: Message[], hasMore: boolean): void {
    const all = new Map<number, Message>();
    for (const m of [...this.msgs.values(), ...this.gap.release(), ...page]) {
      const had = all.get(m.seq);
      if (!had || !isNewer(had, m)) all.set(m.seq, m);
    }
    this.msgs.clear();
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
      if (this.oldest === null || m.seq < this.oldest) this.msgs.set(m.seq, this.outside.take(m));
    }
    const first = page[0];
    if (first && (this.oldest === null || first.seq < this.oldest)) this.oldest = first.seq;
    this.hasOlder = hasMore;
  }

  /** More was missed than one sync returns: drop the window (the latest page replaces it). */
  restartWindow(): void {
    this.msgs.clear();
    this.gap.release();
    this.oldest = null;
    this.loaded = false;
    this.contig = this.lastSeq;
  }

  /** A page around one message (`?around=SEQ`: jumping to a search hit or a replied-to
   * message) becomes the window, as the latest page does; what was shown after it is held
   * (not shown: the window is contiguous) until newer pages reach it. */
  showAround(page: Message[], hasMore: boolean): void {
    // Not `setLatest`: a page of older messages says nothing of where the change stream
    // is (its revs are old), so the rev mark stays where it is.
    this.window(
      page.map((m) => this.outside.take(m)),
      hasMore,
    );
    this.pastWindow = true;
  }

  /** The window ends before the newest message: live messages are held, not synced for,
   * and newer pages (`?after=contig`) extend it. */
  get detached(): boolean {
    return this.pastWindow && this.contig < this.lastSeq;
  }

  /** A newer page (`?after=contig`), just below the window of a detached room. */
  appendNewer(page: Message[], hasMore: boolean): void {
    for (const m of page) this.ingest(this.outside.take(m));
    if (!hasMore) this.pastWindow = false;
  }

  sorted(): Message[] {
    return [...this.msgs.values()].sort((a, b) => a.seq - b.seq);
  }

  // ---- gaps (state/gap.ts) ----
  /** Messages are held past a gap: `sync` for it (after `gap.wait()`). */
  get hasGap(): boolean {
    // A detached window holds what came after it on purpose (newer pages reach it).
    return this.gap.size > 0 && !this.detached;
  }

  /** A `sync` for the gap came back (see `GapTracker.synced`); "skipped" shows what came
   * after the gap. */
  gapSynced(connected: boolean): GapOutcome {
    const outcome = this.gap.synced(this.hasGap, connected);
    if (outcome === "skipped") this.skipGap();
    return outcome;
  }

  /** Give up on the gap: show what came after it (up to the next gap, if any). */
  skipGap(): void {
    const held = this.gap.release();
    const first = held[0];
    if (!first) return;
    this.contig = first.seq - 1;
    for (const m of held) this.ingest(m);
  }

  // ---- people ----
  setMembers(members: (PresenceUser & { role?: RoomRole })[]): void {
    this.members = new Map(
      members.map(({ id, username, display_name, bot, role }) => [
        id,
        { id, username, display_name: display_name ?? null, bot: bot ?? false, role: role ?? "member" },
      ]),
    );
  }

  /** v2: a member's new role (`roomEvent` role). */
  setMemberRole(id: number, role: RoomRole): void {
    const member = this.members?.get(id);
    if (member) this.members?.set(id, { ...member, role });
  }

  /** `user` is typing: show it until `until` (ms since the epoch). */
  setTyping(user: User, until: number): void {
    this.typing.set(user.id, { user, until });
  }

  /** Forget who stopped typing; true when someone did. */
  expireTyping(now: number = this.now()): boolean {
    let any = false;
    for (const [id, t] of this.typing) {
      if (t.until <= now) {
        this.typing.delete(id);
        any = true;
      }
    }
    return any;
  }

  addNotice(text: string, user?: User): void {
    this.notices.push({
      key: `n${this.now()}-${this.notices.length}`,
      afterSeq: this.contig,
      text,
      at: new Date(this.now()).toISOString(),
      ...(user ? { user } : {}),
    });
    if (this.notices.length > KEEP_NOTICES) this.notices.shift();
  }
}
