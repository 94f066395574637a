// The controller: joins REST, the socket and the state, and is the only place that changes
// the state. Views read `Chat` and call its methods; `subscribe` tells them to redraw.
// Each concern is a part of its own: the room list (rooms.ts), catching up and gaps
// (catchup.ts), history pages (history.ts), read marks (reads.ts), people (presence.ts)
// and sending (outbox.ts). What arrives goes through `ingest` here.

import type { Api } from "../api";
import type { Auth } from "../auth";
import { FileCache } from "../files";
import type { Notifier } from "../notify";
import { Realtime, type ConnState } from "../socket";
import { Outbox, type RoomState } from "../state";
import type { Message, User } from "../types";
import { mentionsOf } from "../state/mentions";
import { shouldNotify } from "../state/notifylevel";
import { Catchup } from "./catchup";
import { Changes } from "./changes";
import { Community } from "./community";
import { History } from "./history";
import { Jumps } from "./jump";
import { Dms } from "./dms";
import { PeopleNames } from "./people";
import { Search } from "./search";
import { Sender } from "./outbox";
import { Presence } from "./presence";
import { Reads } from "./reads";
import { Replies } from "./replies";
import { RoomList } from "./rooms";
import { Uploads } from "./uploads";

export { describeError } from "./errors";
export { MAX_TEXT } from "./outbox";

const ROOMS_EVERY_MS = 60_000;
const TYPING_CHECK_MS = 1000;

export class Chat {
  readonly rooms = new Map<string, RoomState>();
  /** Sends not acknowledged yet, oldest first; kept in this tab's sessionStorage, so a
   * reload while offline does not lose them (a resend reuses the client_id: stored once). */
  readonly outbox: Outbox;
  conn: ConnState = "connecting";
  openName: string | null = null;
  openError: string | null = null;
  roomsLoaded = false;
  /** Whether the open room's timeline is scrolled to its end (set by the room view). */
  atBottom = true;

  // The parts (for each other; views use the methods below).
  readonly realtime: Realtime;
  readonly roomList = new RoomList(this);
  readonly catchup = new Catchup(this);
  readonly history = new History(this);
  readonly reads = new Reads(this);
  readonly presence = new Presence(this);
  readonly sender = new Sender(this);
  /** Jumping to a message by seq (a search hit, a replied-to message): jump.ts. */
  readonly jumps = new Jumps(this);
  /** v2: people's names (display names, live) and direct conversations. */
  readonly people = new PeopleNames(this);
  readonly dms = new Dms(this);
  readonly search = new Search(this);
  /** v2: edits, deletes, reactions, notification levels (changes.ts); quotes and the
   * replies to a message (replies.ts). */
  readonly changes = new Changes(this);
  readonly replies = new Replies(this);
  /** v2: files in the composer (uploads.ts), and attachments' bytes as blob: URLs. */
  readonly uploads: Uploads;
  readonly files = new FileCache((url) => this.api.blob(url));
  /** v2: moderation live (kicks, bans, roles, mutes, topics, archives, deletions), whether
   * the reader is a server admin, and the calls of the settings, bots and admin views. */
  readonly community = new Community(this);

  private readonly listeners = new Set<() => void>();
  private readonly timers: number[] = [];
  private notifyQueued = false;

  constructor(
    readonly me: User,
    readonly api: Api,
    auth: Auth,
    readonly notifier: Notifier,
  ) {
    this.outbox = new Outbox(`hubbub.outbox.${me.id}`, sessionStorage);
    this.uploads = new Uploads(this);
    this.realtime = new Realtime(auth, {
      state: (state) => {
        this.conn = state;
        this.changed();
      },
      connected: () => void this.onConnected(),
      receiveMessage: (m) => this.onMessage(m),
      messageUpdated: (m) => this.onUpdated(m),
      roomEvent: (e) =>
        e.type === "join" || e.type === "leave"
          ? this.presence.onRoomEvent(e)
          : this.community.onRoomEvent(e),
      roomUpdated: (e) => this.community.onRoomUpdated(e),
      roomDeleted: (e) => this.community.onRoomDeleted(e),
      userStatus: (e) => this.presence.onUserStatus(e),
      typing: (e) => this.presence.onTyping(e),
      // The room list changed (a new public room, an invitation): list it again.
      roomCreated: () => void this.refreshRooms(),
      invited: () => void this.refreshRooms(),
      dmCreated: (e) => this.dms.onCreated(e),
      userUpdated: (e) => this.people.onUserUpdated(e),
    });
  }

  // ---- lifecycle and subscriptions ----
  start(): void {
    void this.refreshRooms();
    void this.people.loadMe();
    this.realtime.start();
    this.timers.push(
      window.setInterval(() => this.presence.expireTyping(), TYPING_CHECK_MS),
      window.setInterval(() => void this.refreshRooms(), ROOMS_EVERY_MS),
    );
    window.addEventListener("focus", this.onFocus);
    document.addEventListener("visibilitychange", this.onVisibility);
  }

  stop(): void {
    this.realtime.stop();
    for (const t of this.timers) window.clearInterval(t);
    this.catchup.stop();
    this.history.stop();
    this.reads.stop();
    this.files.clear();
    window.removeEventListener("focus", this.onFocus);
    document.removeEventListener("visibilitychange", this.onVisibility);
    this.listeners.clear();
  }

  private readonly onFocus = (): void => void this.refreshRooms();
  private readonly onVisibility = (): void => this.changed();

  subscribe(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Coalesce changes into one redraw (a microtask, so it also runs in background tabs). */
  changed(): void {
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      this.outbox.save();
      for (const listener of this.listeners) listener();
    });
  }

  /** Logging out: forget unsent messages. */
  clearOutbox(): void {
    this.outbox.clear();
  }

  get online(): ReadonlyMap<number, User> {
    return this.presence.online;
  }

  get openRoom(): RoomState | null {
    return this.openName ? (this.rooms.get(this.openName) ?? null) : null;
  }

  get totalUnread(): number {
    let total = 0;
    for (const room of this.rooms.values()) total += room.unread;
    return total;
  }

  /** The reader sees this room's new messages: open, visible and scrolled to the end. */
  isWatching(room: RoomState): boolean {
    return (
      room.name === this.openName && document.visibilityState === "visible" && this.atBottom
    );
  }

  // ---- connecting ----
  private async onConnected(): Promise<void> {
    // Catch up before sending what waited, so the timeline keeps its order.
    if (this.community.admin === null) void this.community.probeAdmin();
    await Promise.all([this.presence.loadOnline(), this.refreshRooms()]);
    await this.catchup.sync([...this.rooms.values()].filter((r) => r.member).map((r) => r.name));
    this.reads.resend();
    const open = this.openRoom;
    if (open?.member && open.loaded) void this.presence.loadMembers(open);
    void this.sender.flush();
    this.changed();
  }

  // ---- incoming ----
  private onMessage(m: Message): void {
    if (!this.rooms.has(m.room)) {
      void this.refreshRooms(); // a room joined elsewhere; its listing counts this one
      return;
    }
    this.rooms.get(m.room)?.typing.delete(m.user.id); // they sent what they typed
    this.ingest(m, true);
  }

  /** v2: a message changed (an edit, a delete, a reaction, a reply to it). */
  private onUpdated(m: Message): void {
    if (this.rooms.has(m.room)) this.ingest(m, false);
  }

  /** A message, or a newer state of one, from any source: live (`receiveMessage`,
   * `messageUpdated`), an ack, `sync`, or a page. */
  ingest(m: Message, live: boolean): void {
    const room = this.rooms.get(m.room);
    if (!room) return;
    const before = room.readSeq;
    const outcome = room.ingest(m);
    if (room.revs?.hasGap) this.catchup.holdRevGap(room);
    if (outcome === "dup") return;
    room.mentioned.seen(m, this.me.id);
    if (outcome === "updated") {
      this.changed();
      return;
    }
    const mine = m.user.id === this.me.id;
    const fromThisTab = this.outbox.match(m, this.me.id);
    // Your own message (from any tab) is read, if everything before it was.
    if (mine && before >= m.seq - 1 && m.seq <= room.contig) this.reads.setRead(room, m.seq);
    // Sent from another device: the server's unread count (which never counts your own
    // messages) is the one to show.
    else if (mine && live && !fromThisTab) void this.refreshRooms();
    this.outbox.settle(room.name, room.contig);
    if (room.hasGap) this.catchup.holdGap(room);
    const mentioned = mentionsOf(m, this.me.id);
    if (live && !mine && !this.isWatching(room) && shouldNotify(room.notify, mentioned)) {
      this.notifier.message(m);
    }
    this.changed();
  }

  // ---- what the views call ----
  refreshRooms(): Promise<void> {
    return this.roomList.refresh();
  }

  open(name: string | null): Promise<void> {
    return this.roomList.open(name);
  }

  loadOlder(asked = false): Promise<void> {
    return this.history.loadOlder(asked);
  }

  createRoom(name: string, isPrivate: boolean): Promise<void> {
    this.community.back(name);
    return this.roomList.create(name, isPrivate);
  }

  join(name: string): Promise<void> {
    this.community.back(name);
    return this.roomList.join(name);
  }

  leave(name: string): Promise<void> {
    return this.roomList.leave(name);
  }

  async invite(room: string, username: string): Promise<void> {
    await this.api.invite(room, username);
  }

  /** Called by the room view whenever the reader sees the end of the open room. */
  markSeen(): void {
    this.reads.markSeen();
  }

  /** Send a message to the open room (v2: a reply to `replyTo`, with the files uploaded
   * for it): an error to show, or null. */
  send(text: string, replyTo?: number): string | null {
    const room = this.openRoom;
    if (room && this.uploads.busy(room.name)) {
      return "Wait for the files to finish uploading (or remove them).";
    }
    // From a detached window (after a jump back): the message shows among the newest.
    if (room?.detached) void this.jumps.toLatest();
    return this.sender.send(text, replyTo, room ? this.uploads.ready(room.name) : []);
  }

  retry(clientId: string): void {
    this.sender.retry(clientId);
  }

  discard(clientId: string): void {
    this.sender.discard(clientId);
  }

  typing(): void {
    this.presence.typing();
  }
}
