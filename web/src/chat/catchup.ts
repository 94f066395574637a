// Catching up: `sync` asks the server for what each room missed (PROTOCOL.md `sync`), after
// every connect, to fill a gap in seq, and when the change stream jumped. A v2 server is
// asked by `rev`: every message new or changed since the room's mark, each once in its
// latest state (has_more: go on from the last one's rev); a v1 server by seq. RoomState
// decides when to give up on a gap in seq.

import type { RoomState } from "../state";
import { RetryTimers } from "../retry";
import type { SyncAck } from "../types";
import type { Chat } from "./index";

/** The server's limit of rooms per `sync` call. */
const SYNC_MAX_ROOMS = 500;
const SYNC_TIMEOUT_MS = 15_000;
/** Calls per room in one catch-up (500 messages each at most) before giving up on going
 * through every change and showing the latest page instead. */
const MAX_ROUNDS = 8;
/** A jump in the change stream waits this long for what is in flight, then syncs. */
const REV_GAP_WAIT_MS = 800;

export class Catchup {
  private readonly gapTimers = new RetryTimers();
  private readonly revTimers = new RetryTimers();

  constructor(private readonly chat: Chat) {}

  stop(): void {
    this.gapTimers.cancelAll();
    this.revTimers.cancelAll();
  }

  /** Catch the named rooms up, 500 rooms per call. */
  async sync(names: string[]): Promise<void> {
    for (let i = 0; i < names.length; i += SYNC_MAX_ROOMS) {
      await this.syncSome(names.slice(i, i + SYNC_MAX_ROOMS));
    }
  }

  private async syncSome(names: string[]): Promise<void> {
    const chat = this.chat;
    let pending = names;
    for (let round = 1; pending.length > 0; round++) {
      const rooms: Record<string, number | { rev: number }> = {};
      for (const name of pending) {
        const room = chat.rooms.get(name);
        if (room) rooms[name] = room.revs ? { rev: room.revs.mark } : room.contig;
      }
      let ack;
      try {
        ack = await chat.realtime.call("sync", { rooms }, SYNC_TIMEOUT_MS);
      } catch {
        return; // offline: the next connect syncs again
      }
      if (!ack.ok) return;
      pending = await this.take(ack, rooms, round >= MAX_ROUNDS);
      chat.changed();
    }
  }

  /** Take a `sync` answer in; the rooms to ask again (they have more). */
  private async take(
    ack: SyncAck,
    asked: Record<string, number | { rev: number }>,
    lastRound: boolean,
  ): Promise<string[]> {
    const chat = this.chat;
    for (const messages of Object.values(ack.messages)) {
      for (const m of messages) chat.ingest(m, false);
    }
    const again: string[] = [];
    for (const [name, mark] of Object.entries(asked)) {
      const room = chat.rooms.get(name);
      if (!room || ack.errors?.[name]) continue;
      const more = ack.has_more[name] ?? false;
      const roomRev = ack.rev?.[name];
      if (typeof mark === "number" || !room.revs) {
        if (more) await this.restartWindow(room);
      } else if (!more) {
        if (roomRev !== undefined) room.revs.advance(roomRev);
      } else if (lastRound) {
        // Too much changed to go through: the latest page replaces the window.
        await this.restartWindow(room, roomRev);
      } else {
        // Every change up to the last one answered has been seen (each message comes
        // once, in its latest state, ascending by rev).
        const last = ack.messages[name]?.at(-1)?.rev;
        if (last !== undefined) room.revs.advance(last);
        again.push(name);
      }
    }
    for (const name of Object.keys(ack.errors ?? {})) {
      // No longer readable (left elsewhere, or gone).
      chat.roomList.forget(name);
      void chat.refreshRooms();
    }
    return again;
  }

  /** More was missed than catching up should fetch: show the latest page instead. */
  private async restartWindow(room: RoomState, roomRev?: number): Promise<void> {
    room.restartWindow();
    if (roomRev !== undefined) room.revs?.advance(roomRev);
    if (room.name === this.chat.openName) await this.chat.history.loadLatest(room);
  }

  /** Messages are held past a gap in `room`: wait briefly for it, then sync. */
  holdGap(room: RoomState): void {
    if (this.gapTimers.pending(room.name)) return;
    this.gapTimers.schedule(room.name, room.gap.wait(), () => void this.fillGap(room));
  }

  private async fillGap(room: RoomState): Promise<void> {
    if (!room.hasGap) return;
    room.gap.syncing();
    await this.sync([room.name]);
    const outcome = room.gapSynced(this.chat.realtime.connected);
    if (outcome === "again") this.holdGap(room);
    else if (outcome === "skipped") this.chat.changed();
  }

  /** The room's change stream jumped (or is known to be ahead): wait briefly for what is
   * in flight, then sync by rev. */
  holdRevGap(room: RoomState): void {
    if (this.revTimers.pending(room.name) || this.gapTimers.pending(room.name)) return;
    this.revTimers.schedule(room.name, REV_GAP_WAIT_MS, () => {
      const revs = room.revs;
      if (!revs || !(revs.hasGap || revs.behind) || !this.chat.realtime.connected) return;
      if (this.chat.rooms.get(room.name) === room && room.member) void this.sync([room.name]);
    });
  }
}
