// Catching up: `sync` asks the server for everything after what each room has shown
// (PROTOCOL.md `sync`), after every connect and to fill a gap. A gap is held as long as
// RoomState says, then synced; RoomState decides when to give up on it.

import type { RoomState } from "../state";
import { RetryTimers } from "../retry";
import type { Chat } from "./index";

/** The server's limit of rooms per `sync` call. */
const SYNC_MAX_ROOMS = 500;
const SYNC_TIMEOUT_MS = 15_000;

export class Catchup {
  private readonly gapTimers = new RetryTimers();

  constructor(private readonly chat: Chat) {}

  stop(): void {
    this.gapTimers.cancelAll();
  }

  /** Ask for everything after each named room's `contig`, 500 rooms per call. */
  async sync(names: string[]): Promise<void> {
    for (let i = 0; i < names.length; i += SYNC_MAX_ROOMS) {
      await this.syncSome(names.slice(i, i + SYNC_MAX_ROOMS));
    }
  }

  private async syncSome(names: string[]): Promise<void> {
    const chat = this.chat;
    const rooms: Record<string, number> = {};
    for (const name of names) {
      const room = chat.rooms.get(name);
      if (room) rooms[name] = room.contig;
    }
    let ack;
    try {
      ack = await chat.realtime.call("sync", { rooms }, SYNC_TIMEOUT_MS);
    } catch {
      return; // offline: the next connect syncs again
    }
    if (!ack.ok) return;
    for (const messages of Object.values(ack.messages)) {
      for (const m of messages) chat.ingest(m, false);
    }
    for (const [name, more] of Object.entries(ack.has_more)) {
      const room = chat.rooms.get(name);
      if (more && room) await this.restartWindow(room);
    }
    for (const name of Object.keys(ack.errors ?? {})) {
      // No longer readable (left elsewhere, or gone).
      chat.roomList.forget(name);
      void chat.refreshRooms();
    }
    chat.changed();
  }

  /** More was missed than one sync returns: show the latest page instead. */
  private async restartWindow(room: RoomState): Promise<void> {
    room.restartWindow();
    if (room.name === this.chat.openName) await this.chat.history.loadLatest(room);
  }

  /** Messages are held past a gap in `room`: wait briefly for it, then sync. */
  holdGap(room: RoomState): void {
    if (this.gapTimers.pending(room.name)) return;
    this.gapTimers.schedule(room.name, room.gapWait(), () => void this.fillGap(room));
  }

  private async fillGap(room: RoomState): Promise<void> {
    if (!room.hasGap) return;
    room.gapSyncing();
    await this.sync([room.name]);
    const outcome = room.gapSynced(this.chat.realtime.connected);
    if (outcome === "again") this.holdGap(room);
    else if (outcome === "skipped") this.chat.changed();
  }
}
