// People: who is online, who is in each room (and joins and leaves it), who is typing — and
// telling the others when the reader types.

import type { RoomState } from "../state";
import type { RoomEvent, TypingEvent, User, UserStatus } from "../types";
import type { Chat } from "./index";

const TYPING_EVERY_MS = 2500;
const TYPING_SHOWN_MS = 5000;

export class Presence {
  readonly online = new Map<number, User>();
  private lastTyping = 0;

  constructor(private readonly chat: Chat) {}

  async loadOnline(): Promise<void> {
    try {
      const users = await this.chat.api.online();
      this.online.clear();
      for (const u of users) this.online.set(u.id, u);
      this.chat.people.learn(users);
      this.chat.changed();
    } catch {
      /* shown as unknown until the next connect */
    }
  }

  async loadMembers(room: RoomState): Promise<void> {
    try {
      const members = await this.chat.api.members(room.name);
      room.setMembers(members);
      this.chat.people.learn(members);
      for (const u of members) {
        if (u.online) this.online.set(u.id, { id: u.id, username: u.username });
        else this.online.delete(u.id);
      }
    } catch {
      /* kept as it was */
    }
    this.chat.changed();
  }

  onUserStatus(e: UserStatus): void {
    this.chat.people.learn([e.user]);
    if (e.status === "online") this.online.set(e.user.id, e.user);
    else this.online.delete(e.user.id);
    this.chat.changed();
  }

  onRoomEvent(e: RoomEvent): void {
    const chat = this.chat;
    if (e.user.id === chat.me.id) {
      // A membership change made in another tab.
      if (e.type === "leave") chat.rooms.get(e.room)?.markLeft();
      void chat.refreshRooms();
      return;
    }
    const room = chat.rooms.get(e.room);
    if (!room) return;
    if (e.type === "join") {
      room.members?.set(e.user.id, e.user);
      room.addNotice(`joined #${e.room}`, e.user);
    } else {
      room.members?.delete(e.user.id);
      room.typing.delete(e.user.id);
      room.addNotice(`left #${e.room}`, e.user);
    }
    chat.changed();
  }

  onTyping(e: TypingEvent): void {
    const room = this.chat.rooms.get(e.room);
    if (!room || e.user.id === this.chat.me.id) return;
    room.setTyping(e.user, Date.now() + TYPING_SHOWN_MS);
    this.chat.changed();
  }

  /** Forget who stopped typing (every second). */
  expireTyping(): void {
    const now = Date.now();
    let any = false;
    for (const room of this.chat.rooms.values()) if (room.expireTyping(now)) any = true;
    if (any) this.chat.changed();
  }

  /** The reader is typing in the open room: tell the others, at most every few seconds. */
  typing(): void {
    const room = this.chat.openRoom;
    const now = Date.now();
    if (!room?.member || now - this.lastTyping < TYPING_EVERY_MS) return;
    this.lastTyping = now;
    this.chat.realtime.volatile("typing", { room: room.name });
  }

  /** The reader sent what they typed: the next keystroke tells the others at once. */
  sent(): void {
    this.lastTyping = 0;
  }
}
