// v2 changes to messages (PROTOCOL v2 § Conversations): editing and deleting one, adding and
// removing reactions, and the room's notification level. Each answers the message in its
// new state, taken in like any other (the `messageUpdated` that follows is then a dup).

import type { AckOf } from "../events";
import type { NotifyLevel } from "../types";
import { reacted } from "../state/reactions";
import { describeError } from "./errors";
import type { Chat } from "./index";

const CHANGE_TIMEOUT_MS = 10_000;

export class Changes {
  constructor(private readonly chat: Chat) {}

  /** Edit one's own message: an error to show, or null. */
  edit(room: string, seq: number, text: string): Promise<string | null> {
    const trimmed = text.trim();
    if (!trimmed) return Promise.resolve("A message cannot be empty: delete it instead.");
    return this.call(() =>
      this.chat.realtime.call("editMessage", { room, seq, text: trimmed }, CHANGE_TIMEOUT_MS),
    );
  }

  /** Delete a message (one's own, or any as the room's owner): an error, or null. */
  remove(room: string, seq: number): Promise<string | null> {
    return this.call(() =>
      this.chat.realtime.call("deleteMessage", { room, seq }, CHANGE_TIMEOUT_MS),
    );
  }

  /** Add the reader's reaction, or take it back if it is there: an error, or null. */
  toggleReaction(room: string, seq: number, emoji: string): Promise<string | null> {
    const m = this.chat.rooms.get(room)?.known(seq);
    const event = m && reacted(m, emoji, this.chat.me.id) ? "removeReaction" : "addReaction";
    return this.call(() =>
      this.chat.realtime.call(event, { room, seq, emoji }, CHANGE_TIMEOUT_MS),
    );
  }

  /** Add a reaction (from the picker: never takes one back). */
  addReaction(room: string, seq: number, emoji: string): Promise<string | null> {
    return this.call(() =>
      this.chat.realtime.call("addReaction", { room, seq, emoji }, CHANGE_TIMEOUT_MS),
    );
  }

  private async call(
    emit: () => Promise<AckOf<"editMessage" | "deleteMessage" | "addReaction">>,
  ): Promise<string | null> {
    try {
      const ack = await emit();
      if (!ack.ok) return ack.error.message;
      this.chat.ingest(ack.message, false);
      return null;
    } catch (error) {
      return describeError(error);
    }
  }

  /** Whose messages in the room notify the reader: an error, or null. */
  async setNotify(name: string, level: NotifyLevel): Promise<string | null> {
    try {
      await this.chat.api.setNotify(name, level);
    } catch (error) {
      return describeError(error);
    }
    const room = this.chat.rooms.get(name);
    if (room) room.notify = level;
    this.chat.changed();
    return null;
  }
}
