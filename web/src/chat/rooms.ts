// The room list (`GET /api/rooms`, listed again when it may have changed) and memberships:
// opening, creating, joining, leaving a room, and inviting to one.

import { RoomState } from "../state";
import type { RoomListing } from "../types";
import type { Chat } from "./index";

export class RoomList {
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;

  constructor(private readonly chat: Chat) {}

  /** List the rooms again. A call while a listing is in flight asks for one more pass
   * after it: the listing under way may predate what prompted the call (a message in a
   * room joined a moment ago). */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        await this.load();
      } while (this.refreshAgain);
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async load(): Promise<void> {
    const chat = this.chat;
    let listings: RoomListing[];
    try {
      listings = await chat.api.rooms();
    } catch {
      return; // offline: the next connect refreshes
    }
    const names = new Set(listings.map((l) => l.name));
    for (const listing of listings) {
      const room = chat.rooms.get(listing.name);
      if (room) {
        room.update(listing);
        // Changed since what the stream told (a lost event): catch up by rev.
        if (room.member && listing.rev !== undefined && room.revs && listing.rev > room.revs.mark) {
          room.revs.latest = Math.max(room.revs.latest, listing.rev);
          chat.catchup.holdRevGap(room);
        }
      } else chat.rooms.set(listing.name, new RoomState(listing));
    }
    for (const name of [...chat.rooms.keys()]) if (!names.has(name)) this.forget(name);
    chat.roomsLoaded = true;
    chat.people.learnRooms(listings);
    const open = chat.openRoom;
    if (open?.member && !open.loaded) void chat.history.loadLatest(open);
    if (open?.member && !open.members) void chat.presence.loadMembers(open);
    chat.changed();
  }

  /** No longer readable: drop the room, and fail what waits to be sent there. */
  forget(name: string): void {
    this.chat.rooms.delete(name);
    this.chat.outbox.failRoom(name, "You are no longer in this room.");
  }

  async open(name: string | null): Promise<void> {
    const chat = this.chat;
    chat.openName = name;
    chat.openError = null;
    chat.atBottom = true;
    chat.changed();
    if (!name) return;
    let room = chat.rooms.get(name);
    if (!room) {
      await this.refresh();
      if (chat.openName !== name) return;
      room = chat.rooms.get(name);
      if (!room) {
        chat.openError = chat.roomsLoaded
          ? `There is no room #${name}, or it is private.`
          : "Cannot reach the server.";
        chat.changed();
        return;
      }
    }
    if (!room.member) return; // the view offers to join
    void chat.uploads.restore(name); // v2: files uploaded but not sent yet
    if (!room.loaded) await chat.history.loadLatest(room);
    if (!room.members) await chat.presence.loadMembers(room);
  }

  async create(name: string, isPrivate: boolean): Promise<void> {
    await this.chat.api.createRoom(name, isPrivate);
    await this.refresh();
  }

  async join(name: string): Promise<void> {
    await this.chat.api.join(name);
    await this.refresh(); // loads the room's history and members if it is open
  }

  async leave(name: string): Promise<void> {
    await this.chat.api.leave(name);
    this.chat.rooms.get(name)?.markLeft();
    await this.refresh();
  }
}
