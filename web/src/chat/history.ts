// History: the latest page of a room (when it is opened, and again after a failure, waiting
// longer each time) and older pages above it (when the reader scrolls up).

import type { RoomState } from "../state";
import { RetryTimers } from "../retry";
import { describeError } from "./errors";
import type { Chat } from "./index";

const PAGE = 50;

export class History {
  /** One load of the latest page per room at a time. */
  private readonly latestLoads = new Map<string, Promise<void>>();
  private readonly retries = new RetryTimers();

  constructor(private readonly chat: Chat) {}

  stop(): void {
    this.retries.cancelAll();
  }

  loadLatest(room: RoomState): Promise<void> {
    let load = this.latestLoads.get(room.name);
    if (!load) {
      load = this.doLoadLatest(room).finally(() => this.latestLoads.delete(room.name));
      this.latestLoads.set(room.name, load);
    }
    return load;
  }

  private async doLoadLatest(room: RoomState): Promise<void> {
    const chat = this.chat;
    try {
      const page = await chat.api.messages(room.name, { limit: PAGE });
      if (room.name === chat.openName) chat.openError = null;
      room.latestRetry.reset();
      room.setLatest(page.messages, page.has_more);
      for (const m of page.messages) chat.outbox.match(m, chat.me.id);
      chat.outbox.settle(room.name, room.contig);
      if (room.hasGap) chat.catchup.holdGap(room);
      // Something arrived or changed while the page was on its way: fetch what it missed.
      else if (room.lastSeq > room.contig || room.revs?.behind) void chat.catchup.sync([room.name]);
    } catch (error) {
      if (room.name === chat.openName) {
        chat.openError = describeError(error);
        // Try again while the room stays open, waiting longer each time.
        this.retries.schedule(room.name, room.latestRetry.fail(), () => {
          if (room.name === chat.openName && !room.loaded) void this.loadLatest(room);
        });
      }
    }
    chat.changed();
  }

  /** The page above the visible window. `asked`: the reader clicked or scrolled for it;
   * otherwise (filling a tall window) a failure waits longer before the next try. */
  async loadOlder(asked = false): Promise<void> {
    const chat = this.chat;
    const room = chat.openRoom;
    if (!room || room.loadingOlder || !room.hasOlder || room.oldest === null) return;
    if (!asked && !room.olderRetry.ready) return;
    room.loadingOlder = true;
    chat.changed();
    try {
      const page = await chat.api.messages(room.name, { before: room.oldest, limit: PAGE });
      room.prepend(page.messages, page.has_more);
      room.olderRetry.reset();
    } catch {
      room.olderRetry.fail();
    } finally {
      room.loadingOlder = false;
      chat.changed();
    }
  }
}
