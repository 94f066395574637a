// Jumping to a message by its room and seq (a search hit, a replied-to message): the room
// shows the page around it (`GET …/messages?around=SEQ`) when its window does not hold it,
// and the timeline brings it into view and highlights it (`target`, taken by
// views/room/timeline.ts). A window put around an older message is detached from the
// present (RoomState.detached): newer pages extend it as the reader scrolls down, and
// `toLatest` goes back to the newest messages.

import type { RoomState } from "../state";
import { describeError } from "./errors";
import type { Chat } from "./index";

const AROUND = 50;
const NEWER = 50;

export interface JumpTarget {
  room: string;
  seq: number;
}

export class Jumps {
  /** The message the timeline should bring into view, once its room shows it. */
  target: JumpTarget | null = null;

  constructor(private readonly chat: Chat) {}

  /**
   * Show message `seq` of `room`: load what it takes for the room's window to hold it.
   * The caller opens the room (the view sets the address), before or after this call.
   */
  async to(roomName: string, seq: number): Promise<void> {
    const chat = this.chat;
    this.target = { room: roomName, seq };
    chat.changed();
    let room = chat.rooms.get(roomName);
    if (!room) {
      await chat.refreshRooms(); // a room made or joined a moment ago
      room = chat.rooms.get(roomName);
    }
    if (!room?.member) {
      this.target = null; // the room view says why it cannot show it (or offers to join)
      chat.changed();
      return;
    }
    if (!room.loaded) await chat.history.loadLatest(room); // often the hit is recent
    if (!room.msgs.has(seq)) await this.around(room, seq);
    if (this.target?.room === roomName && this.target.seq === seq && !room.msgs.has(seq)) {
      this.target = null; // not in the room (any more)
    }
    chat.changed();
  }

  /** The timeline showed the target. */
  taken(): void {
    this.target = null;
  }

  private async around(room: RoomState, seq: number): Promise<void> {
    const chat = this.chat;
    try {
      const page = await chat.api.messages(room.name, { around: seq, limit: AROUND });
      room.showAround(page.messages, page.has_more);
      this.settle(room);
    } catch (error) {
      this.target = null;
      if (room.name === chat.openName) chat.openError = describeError(error);
    }
  }

  /** The reader reached the end of a detached window: the next newer page. */
  async loadNewer(): Promise<void> {
    const chat = this.chat;
    const room = chat.openRoom;
    if (!room?.detached || room.loadingNewer) return;
    room.loadingNewer = true;
    chat.changed();
    try {
      const page = await chat.api.messages(room.name, { after: room.contig, limit: NEWER });
      room.appendNewer(page.messages, page.has_more);
      this.settle(room);
    } catch {
      /* the reader scrolls or clicks again */
    } finally {
      room.loadingNewer = false;
      chat.changed();
    }
  }

  /** Back to the newest messages of the open room (from a detached window). */
  async toLatest(): Promise<void> {
    const chat = this.chat;
    const room = chat.openRoom;
    if (!room) return;
    this.target = null;
    chat.atBottom = true;
    if (room.detached) await chat.history.loadLatest(room);
    chat.changed();
  }

  /** After a page: this tab's sends it holds are sent, and anything newer it missed is
   * fetched once the window reaches the present. */
  private settle(room: RoomState): void {
    const chat = this.chat;
    for (const m of room.msgs.values()) chat.outbox.match(m, chat.me.id);
    chat.outbox.settle(room.name, room.contig);
    if (room.detached) return;
    if (room.hasGap) chat.catchup.holdGap(room);
    else if (room.lastSeq > room.contig) void chat.catchup.sync([room.name]);
  }
}
