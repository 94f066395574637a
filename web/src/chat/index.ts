// The controller: joins REST, the socket and the state, and is the only place that changes
// the state. Views read `Chat` and call its methods; `subscribe` tells them to redraw.

import { ApiError, type Api } from "./api";
import type { Auth } from "./auth";
import type { Notifier } from "./notify";
import { OfflineError, Realtime, type ConnState } from "./socket";
import { newClientId, RoomState, type Pending } from "./state";
import type {
  Message,
  RoomEvent,
  RoomListing,
  SyncAck,
  TypingEvent,
  User,
  UserStatus,
} from "./types";

export const MAX_TEXT = 4000;
const PAGE = 50;
const GAP_WAIT_MS = 800;
const TYPING_EVERY_MS = 2500;
const TYPING_SHOWN_MS = 5000;
const SEND_TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = 5;
const READ_DEBOUNCE_MS = 300;
const SYNC_MAX_ROOMS = 500; // the server's limit per `sync` call

const sleep = (ms: number) => new Promise<void>((resolve) => window.setTimeout(resolve, ms));

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof OfflineError) return "Not connected.";
  return "Something went wrong.";
}

export class Chat {
  readonly rooms = new Map<string, RoomState>();
  readonly online = new Map<number, User>();
  /** Sends not acknowledged yet, oldest first; kept in this tab's sessionStorage, so a
   * reload while offline does not lose them (a resend reuses the client_id: stored once). */
  readonly outbox: Pending[];
  conn: ConnState = "connecting";
  openName: string | null = null;
  openError: string | null = null;
  roomsLoaded = false;
  /** Whether the open room's timeline is scrolled to its end (set by the room view). */
  atBottom = true;

  private readonly realtime: Realtime;
  private readonly listeners = new Set<() => void>();
  private readonly gapTimers = new Map<string, number>();
  private readonly gapTries = new Map<string, number>();
  private readonly timers: number[] = [];
  private notifyQueued = false;
  private flushing = false;
  private lastTyping = 0;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private readonly latestLoads = new Map<string, Promise<void>>();
  private readonly readTimers = new Map<string, number>();
  private readonly outboxKey: string;
  private savedOutbox = "";

  constructor(
    readonly me: User,
    private readonly api: Api,
    auth: Auth,
    readonly notifier: Notifier,
  ) {
    this.outboxKey = `hubbub.outbox.${me.id}`;
    this.outbox = loadOutbox(this.outboxKey);
    this.realtime = new Realtime(auth, {
      state: (state) => {
        this.conn = state;
        this.changed();
      },
      connected: () => void this.onConnected(),
      receiveMessage: (m) => this.onMessage(m),
      roomEvent: (e) => this.onRoomEvent(e),
      userStatus: (e) => this.onUserStatus(e),
      typing: (e) => this.onTyping(e),
      // The room list changed (a new public room, an invitation): list it again.
      roomCreated: () => void this.refreshRooms(),
      invited: () => void this.refreshRooms(),
    });
  }

  // ---- lifecycle and subscriptions ----
  start(): void {
    void this.refreshRooms();
    this.realtime.start();
    this.timers.push(
      window.setInterval(() => this.expireTyping(), 1000),
      window.setInterval(() => void this.refreshRooms(), 60_000),
    );
    window.addEventListener("focus", this.onFocus);
    document.addEventListener("visibilitychange", this.onVisibility);
  }

  stop(): void {
    this.realtime.stop();
    for (const t of this.timers) window.clearInterval(t);
    for (const t of this.gapTimers.values()) window.clearTimeout(t);
    for (const t of this.readTimers.values()) window.clearTimeout(t);
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
      this.saveOutbox();
      for (const listener of this.listeners) listener();
    });
  }

  private saveOutbox(): void {
    const json = JSON.stringify(this.outbox);
    if (json === this.savedOutbox) return;
    this.savedOutbox = json;
    try {
      if (this.outbox.length) sessionStorage.setItem(this.outboxKey, json);
      else sessionStorage.removeItem(this.outboxKey);
    } catch {
      /* storage full or unavailable: the outbox lives in memory only */
    }
  }

  /** Logging out: forget unsent messages. */
  clearOutbox(): void {
    this.outbox.length = 0;
    sessionStorage.removeItem(this.outboxKey);
  }

  get openRoom(): RoomState | null {
    return this.openName ? (this.rooms.get(this.openName) ?? null) : null;
  }

  get totalUnread(): number {
    let total = 0;
    for (const room of this.rooms.values()) total += room.unread;
    return total;
  }

  // ---- connecting ----
  private async onConnected(): Promise<void> {
    // Catch up before sending what waited, so the timeline keeps its order.
    await Promise.all([this.loadOnline(), this.refreshRooms()]);
    await this.sync([...this.rooms.values()].filter((r) => r.member).map((r) => r.name));
    for (const room of this.rooms.values()) if (room.readDirty) this.sendRead(room);
    const open = this.openRoom;
    if (open?.member && open.loaded) void this.loadMembers(open);
    void this.flush();
    this.changed();
  }

  private async loadOnline(): Promise<void> {
    try {
      const users = await this.api.online();
      this.online.clear();
      for (const u of users) this.online.set(u.id, u);
      this.changed();
    } catch {
      /* shown as unknown until the next connect */
    }
  }

  /** List the rooms again. A call while a listing is in flight asks for one more pass
   * after it: the listing under way may predate what prompted the call (a message in a
   * room joined a moment ago). */
  refreshRooms(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        await this.doRefreshRooms();
      } while (this.refreshAgain);
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefreshRooms(): Promise<void> {
    let listings: RoomListing[];
    try {
      listings = await this.api.rooms();
    } catch {
      return; // offline: the next connect refreshes
    }
    const names = new Set(listings.map((l) => l.name));
    for (const listing of listings) {
      const room = this.rooms.get(listing.name);
      if (room) room.update(listing);
      else this.rooms.set(listing.name, new RoomState(listing));
    }
    for (const name of [...this.rooms.keys()]) if (!names.has(name)) this.forget(name);
    this.roomsLoaded = true;
    const open = this.openRoom;
    if (open?.member && !open.loaded) void this.loadLatest(open);
    if (open?.member && !open.members) void this.loadMembers(open);
    this.changed();
  }

  private forget(name: string): void {
    this.rooms.delete(name);
    for (const p of this.outbox) {
      if (p.room === name && p.status !== "failed") {
        p.status = "failed";
        p.error = "You are no longer in this room.";
      }
    }
  }

  // ---- catching up ----
  /** Ask the server for everything after what each room has shown (PROTOCOL.md `sync`). */
  private async sync(names: string[]): Promise<void> {
    for (let i = 0; i < names.length; i += SYNC_MAX_ROOMS) {
      await this.syncSome(names.slice(i, i + SYNC_MAX_ROOMS));
    }
  }

  private async syncSome(names: string[]): Promise<void> {
    const rooms: Record<string, number> = {};
    for (const name of names) {
      const room = this.rooms.get(name);
      if (room) rooms[name] = room.contig;
    }
    let ack;
    try {
      ack = await this.realtime.call<SyncAck>("sync", { rooms }, 15_000);
    } catch {
      return; // offline: the next connect syncs again
    }
    if (!ack.ok) return;
    for (const messages of Object.values(ack.messages)) {
      for (const m of messages) this.ingest(m, false);
    }
    for (const [name, more] of Object.entries(ack.has_more)) {
      const room = this.rooms.get(name);
      if (more && room) await this.restartWindow(room);
    }
    for (const name of Object.keys(ack.errors ?? {})) {
      // No longer readable (left elsewhere, or gone).
      this.forget(name);
      void this.refreshRooms();
    }
    this.changed();
  }

  /** More was missed than one sync returns: show the latest page instead. */
  private async restartWindow(room: RoomState): Promise<void> {
    room.msgs.clear();
    room.ahead.clear();
    room.oldest = null;
    room.loaded = false;
    room.contig = room.lastSeq;
    if (room.name === this.openName) await this.loadLatest(room);
  }

  private scheduleGapFill(room: RoomState): void {
    if (this.gapTimers.has(room.name)) return;
    const timer = window.setTimeout(async () => {
      this.gapTimers.delete(room.name);
      if (!room.hasGap) return;
      const tries = (this.gapTries.get(room.name) ?? 0) + 1;
      this.gapTries.set(room.name, tries);
      await this.sync([room.name]);
      if (room.hasGap && this.realtime.connected) {
        if (tries >= 3) {
          skipGap(room); // the store does not have it: do not wait forever
          this.gapTries.delete(room.name);
          this.changed();
        } else this.scheduleGapFill(room);
      } else if (!room.hasGap) this.gapTries.delete(room.name);
    }, GAP_WAIT_MS);
    this.gapTimers.set(room.name, timer);
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

  private ingest(m: Message, live: boolean): void {
    const room = this.rooms.get(m.room);
    if (!room) return;
    const before = room.readSeq;
    if (room.ingest(m) === "dup") return;
    const mine = m.user.id === this.me.id;
    const fromThisTab = this.matchPending(m);
    // Your own message (from any tab) is read, if everything before it was.
    if (mine && before >= m.seq - 1 && m.seq <= room.contig) this.setRead(room, m.seq);
    // Sent from another device: the server's unread count (which never counts your own
    // messages) is the one to show.
    else if (mine && live && !fromThisTab) void this.refreshRooms();
    this.settle(room);
    if (room.hasGap) this.scheduleGapFill(room);
    if (live && !mine && !this.isWatching(room)) this.notifier.message(m);
    this.changed();
  }

  /** A stored message of ours: the pending copy with its client_id has its seq now.
   * True when this tab sent it. */
  private matchPending(m: Message): boolean {
    if (m.user.id !== this.me.id || !m.client_id) return false;
    const p = this.outbox.find((x) => x.clientId === m.client_id && x.room === m.room);
    if (p) p.seq = m.seq;
    return p !== undefined;
  }

  /** Pending copies of messages now shown in the timeline disappear. */
  private settle(room: RoomState): void {
    for (let i = this.outbox.length - 1; i >= 0; i--) {
      const p = this.outbox[i];
      if (p && p.room === room.name && p.seq !== undefined && p.seq <= room.contig) {
        this.outbox.splice(i, 1);
      }
    }
  }

  /** The reader sees this room's new messages: open, visible and scrolled to the end. */
  isWatching(room: RoomState): boolean {
    return (
      room.name === this.openName && document.visibilityState === "visible" && this.atBottom
    );
  }

  private onRoomEvent(e: RoomEvent): void {
    if (e.user.id === this.me.id) {
      // A membership change made in another tab.
      if (e.type === "leave") this.rooms.get(e.room)?.markLeft();
      void this.refreshRooms();
      return;
    }
    const room = this.rooms.get(e.room);
    if (!room) return;
    if (e.type === "join") {
      room.members?.set(e.user.id, e.user);
      room.addNotice(`${e.user.username} joined #${e.room}`);
    } else {
      room.members?.delete(e.user.id);
      room.typing.delete(e.user.id);
      room.addNotice(`${e.user.username} left #${e.room}`);
    }
    this.changed();
  }

  private onUserStatus(e: UserStatus): void {
    if (e.status === "online") this.online.set(e.user.id, e.user);
    else this.online.delete(e.user.id);
    this.changed();
  }

  private onTyping(e: TypingEvent): void {
    const room = this.rooms.get(e.room);
    if (!room || e.user.id === this.me.id) return;
    room.typing.set(e.user.id, { user: e.user, until: Date.now() + TYPING_SHOWN_MS });
    this.changed();
  }

  private expireTyping(): void {
    const now = Date.now();
    let any = false;
    for (const room of this.rooms.values()) {
      for (const [id, t] of room.typing) {
        if (t.until <= now) {
          room.typing.delete(id);
          any = true;
        }
      }
    }
    if (any) this.changed();
  }

  // ---- rooms ----
  async open(name: string | null): Promise<void> {
    this.openName = name;
    this.openError = null;
    this.atBottom = true;
    this.changed();
    if (!name) return;
    let room = this.rooms.get(name);
    if (!room) {
      await this.refreshRooms();
      if (this.openName !== name) return;
      room = this.rooms.get(name);
      if (!room) {
        this.openError = this.roomsLoaded
          ? `There is no room #${name}, or it is private.`
          : "Cannot reach the server.";
        this.changed();
        return;
      }
    }
    if (!room.member) return; // the view offers to join
    if (!room.loaded) await this.loadLatest(room);
    if (!room.members) await this.loadMembers(room);
  }

  private loadLatest(room: RoomState): Promise<void> {
    let load = this.latestLoads.get(room.name);
    if (!load) {
      load = this.doLoadLatest(room).finally(() => this.latestLoads.delete(room.name));
      this.latestLoads.set(room.name, load);
    }
    return load;
  }

  private async doLoadLatest(room: RoomState): Promise<void> {
    try {
      const page = await this.api.messages(room.name, { limit: PAGE });
      if (room.name === this.openName) this.openError = null;
      room.latestFailures = 0;
      room.setLatest(page.messages, page.has_more);
      for (const m of page.messages) this.matchPending(m);
      this.settle(room);
      if (room.hasGap) this.scheduleGapFill(room);
      // Something arrived while the page was on its way: fetch what the page missed.
      else if (room.lastSeq > room.contig) void this.sync([room.name]);
    } catch (error) {
      if (room.name === this.openName) {
        this.openError = describeError(error);
        // Try again while the room stays open, waiting longer each time (up to 30 s).
        room.latestFailures += 1;
        const wait = Math.min(30_000, 1000 * 2 ** room.latestFailures);
        window.setTimeout(() => {
          if (room.name === this.openName && !room.loaded) void this.loadLatest(room);
        }, wait);
      }
    }
    this.changed();
  }

  private async loadMembers(room: RoomState): Promise<void> {
    try {
      const members = await this.api.members(room.name);
      room.setMembers(members);
      for (const u of members) {
        if (u.online) this.online.set(u.id, { id: u.id, username: u.username });
        else this.online.delete(u.id);
      }
    } catch {
      /* kept as it was */
    }
    this.changed();
  }

  /** The page above the visible window. `asked`: the reader clicked or scrolled for it;
   * otherwise (filling a tall window) a failure waits longer before the next try. */
  async loadOlder(asked = false): Promise<void> {
    const room = this.openRoom;
    if (!room || room.loadingOlder || !room.hasOlder || room.oldest === null) return;
    if (!asked && Date.now() < room.olderRetryAt) return;
    room.loadingOlder = true;
    this.changed();
    try {
      const page = await this.api.messages(room.name, { before: room.oldest, limit: PAGE });
      room.prepend(page.messages, page.has_more);
      room.olderFailures = 0;
      room.olderRetryAt = 0;
    } catch {
      room.olderFailures += 1;
      room.olderRetryAt = Date.now() + Math.min(30_000, 1000 * 2 ** room.olderFailures);
    } finally {
      room.loadingOlder = false;
      this.changed();
    }
  }

  async createRoom(name: string, isPrivate: boolean): Promise<void> {
    await this.api.createRoom(name, isPrivate);
    await this.refreshRooms();
  }

  async join(name: string): Promise<void> {
    await this.api.join(name);
    await this.refreshRooms(); // loads the room's history and members if it is open
  }

  async leave(name: string): Promise<void> {
    await this.api.leave(name);
    this.rooms.get(name)?.markLeft();
    await this.refreshRooms();
  }

  async invite(room: string, username: string): Promise<void> {
    await this.api.invite(room, username);
  }

  // ---- reading ----
  /** Called by the room view whenever the reader sees the end of the open room. */
  markSeen(): void {
    const room = this.openRoom;
    if (!room?.member || !room.loaded || !this.isWatching(room)) return;
    if (room.contig > room.readSeq) {
      this.setRead(room, room.contig);
      this.changed();
    }
  }

  private setRead(room: RoomState, seq: number): void {
    room.readSeq = Math.max(room.readSeq, seq);
    this.sendRead(room);
  }

  /** Tell the server, at most a few times a second per room (a busy room read live). */
  private sendRead(room: RoomState): void {
    room.readDirty = true;
    if (this.readTimers.has(room.name)) return;
    const timer = window.setTimeout(() => {
      this.readTimers.delete(room.name);
      this.emitRead(room);
    }, READ_DEBOUNCE_MS);
    this.readTimers.set(room.name, timer);
  }

  private emitRead(room: RoomState): void {
    const seq = room.readSeq;
    this.realtime
      .call("markRead", { room: room.name, seq })
      .then((ack) => {
        if (ack.ok && room.readSeq === seq) room.readDirty = false;
      })
      .catch(() => undefined); // stays dirty: sent again on reconnect
  }

  // ---- sending ----
  send(text: string): string | null {
    const room = this.openRoom;
    const trimmed = text.trim();
    if (!room?.member || !trimmed) return null;
    if (trimmed.length > MAX_TEXT) return `Messages are at most ${MAX_TEXT} characters.`;
    this.outbox.push({
      clientId: newClientId(),
      room: room.name,
      text: trimmed,
      status: "queued",
      createdAt: new Date().toISOString(),
      attempts: 0,
    });
    this.lastTyping = 0;
    this.changed();
    void this.flush();
    return null;
  }

  retry(clientId: string): void {
    const p = this.outbox.find((x) => x.clientId === clientId);
    if (!p || p.status !== "failed") return;
    p.status = "queued";
    p.attempts = 0;
    delete p.error;
    this.changed();
    void this.flush();
  }

  discard(clientId: string): void {
    const i = this.outbox.findIndex((x) => x.clientId === clientId);
    if (i >= 0 && this.outbox[i]?.status === "failed") this.outbox.splice(i, 1);
    this.changed();
  }

  /**
   * Send the outbox, oldest first, one at a time (so a room gets them in the order typed).
   * A send whose ack did not come (timeout, disconnect) goes again with the same client_id:
   * the server stores it once.
   */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (;;) {
        const p = this.outbox.find((x) => x.status === "queued");
        if (!p || !this.realtime.connected) break;
        p.status = "sending";
        p.attempts += 1;
        this.changed();
        let ack;
        try {
          ack = await this.realtime.call<{ message: Message }>(
            "sendMessage",
            { room: p.room, text: p.text, client_id: p.clientId },
            SEND_TIMEOUT_MS,
          );
        } catch {
          // Disconnected (sent again on reconnect) or no answer in time (again, soon).
          p.status = "queued";
          if (this.realtime.connected && p.attempts >= MAX_ATTEMPTS) {
            p.status = "failed";
            p.error = "The server did not answer.";
          }
          this.changed();
          if (this.realtime.connected) await sleep(1000);
          continue;
        }
        if (ack.ok) {
          p.seq = ack.message.seq;
          this.ingest(ack.message, false);
          const room = this.rooms.get(p.room);
          if (room) this.settle(room);
        } else if (ack.error.code === "rate_limited") {
          // Sending too fast: wait as long as the server says (not a failed attempt), and
          // show it on the message meanwhile.
          const waitMs = Math.max(250, (ack.error.retry_after ?? 1) * 1000);
          p.status = "queued";
          p.attempts -= 1;
          p.notBefore = Date.now() + waitMs;
          this.changed();
          await sleep(waitMs);
          delete p.notBefore;
        } else if (ack.error.code === "unavailable" && p.attempts < MAX_ATTEMPTS) {
          p.status = "queued";
          this.changed();
          await sleep(Math.max(500 * p.attempts, (ack.error.retry_after ?? 0) * 1000));
        } else {
          p.status = "failed";
          p.error = ack.error.message;
        }
        this.changed();
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The reader is typing in the open room: tell the others, at most every few seconds. */
  typing(): void {
    const room = this.openRoom;
    const now = Date.now();
    if (!room?.member || now - this.lastTyping < TYPING_EVERY_MS) return;
    this.lastTyping = now;
    this.realtime.volatile("typing", { room: room.name });
  }
}

/** Give up on a gap the server cannot fill: show what came after it. */
function skipGap(room: RoomState): void {
  const held = [...room.ahead.values()].sort((a, b) => a.seq - b.seq);
  const first = held[0];
  if (!first) return;
  room.ahead.clear();
  room.contig = first.seq - 1;
  for (const m of held) room.ingest(m);
}

function loadOutbox(key: string): Pending[] {
  try {
    const saved = JSON.parse(sessionStorage.getItem(key) ?? "[]") as Pending[];
    if (!Array.isArray(saved)) return [];
    return saved
      .filter((p) => typeof p.clientId === "string" && typeof p.text === "string")
      .map((p) => ({ ...p, status: p.status === "failed" ? "failed" : "queued" }));
  } catch {
    return [];
  }
}
