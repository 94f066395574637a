// Read marks: what the reader has seen, told to the server (`markRead`) at most a few times
// a second per room, and again after a reconnect if it did not get through.

import type { RoomState } from "../state";
import { RetryTimers } from "../retry";
import type { Chat } from "./index";

const READ_DEBOUNCE_MS = 300;

export class Reads {
  private readonly timers = new RetryTimers();

  constructor(private readonly chat: Chat) {}

  stop(): void {
    this.timers.cancelAll();
  }

  /** The reader sees the end of the open room (the room view calls this). */
  markSeen(): void {
    const chat = this.chat;
    const room = chat.openRoom;
    if (!room?.member || !room.loaded || !chat.isWatching(room)) return;
    if (room.contig > room.readSeq) {
      this.setRead(room, room.contig);
      chat.changed();
    }
  }

  setRead(room: RoomState, seq: number): void {
    room.readSeq = Math.max(room.readSeq, seq);
    this.send(room);
  }

  /** After a reconnect: send every mark that did not get through. */
  resend(): void {
    for (const room of this.chat.rooms.values()) if (room.readDirty) this.send(room);
  }

  /** Tell the server, at most a few times a second per room (a busy room read live). */
  private send(room: RoomState): void {
    room.readDirty = true;
    if (this.timers.pending(room.name)) return;
    this.timers.schedule(room.name, READ_DEBOUNCE_MS, () => this.emit(room));
  }

  private emit(room: RoomState): void {
    const seq = room.readSeq;
    this.chat.realtime
      .call("markRead", { room: room.name, seq })
      .then((ack) => {
        if (ack.ok && room.readSeq === seq) room.readDirty = false;
      })
      .catch(() => undefined); // stays dirty: sent again on reconnect
  }
}
