// Direct conversations (PROTOCOL v2 DMs): opening the one with a set of people (the same
// people always get the same room), and those others open with the reader arriving live
// (`dmCreated`, after the reader's sockets joined it, so its first message follows).

import { RoomState } from "../state";
import type { DmCreated, Room } from "../types";
import type { Chat } from "./index";

export class Dms {
  constructor(private readonly chat: Chat) {}

  /** The DM with these people (made now if new): its room name. Throws the refusal. */
  async open(usernames: string[]): Promise<string> {
    const room = await this.chat.api.openDm(usernames);
    this.add(room);
    return room.name;
  }

  onCreated(e: DmCreated): void {
    this.add(e.room);
  }

  private add(room: Room): void {
    const chat = this.chat;
    chat.people.learn(room.people ?? []);
    const listing = { ...room, kind: room.kind ?? "dm", member: true, unread: 0 } as const;
    const known = chat.rooms.get(room.name);
    if (known) known.update({ ...listing, unread: known.unread });
    else chat.rooms.set(room.name, new RoomState(listing));
    chat.changed();
    // A listing in flight may predate it: list again (the server counts what is unread).
    void chat.refreshRooms();
  }
}
