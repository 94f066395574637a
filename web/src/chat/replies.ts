// v2 replies: the messages replies quote (fetched one by one when the window does not hold
// them) and the replies to one message (for the replies panel). Jumping to the quoted
// message is jump.ts's.

import type { Message, MessagePage } from "../types";
import type { Chat } from "./index";

export class Replies {
  /** Quotes being fetched, by "room/seq". */
  private readonly fetching = new Set<string>();

  constructor(private readonly chat: Chat) {}

  /** The message `seq` of `room` as far as known; fetches it when it is not (a redraw
   * follows). Undefined while unknown. */
  original(room: string, seq: number): Message | undefined {
    const state = this.chat.rooms.get(room);
    if (!state) return undefined;
    const m = state.known(seq);
    if (m) return m;
    const key = `${room}/${seq}`;
    if (!this.fetching.has(key)) {
      this.fetching.add(key);
      // The page around a seq, one message long, is that message.
      void this.chat.api
        .messages(room, { around: seq, limit: 1 })
        .then((page) => {
          for (const found of page.messages) state.remember(found);
          this.chat.changed();
        })
        .catch(() => undefined)
        .finally(() => this.fetching.delete(key));
    }
    return undefined;
  }

  /** The replies to a message, oldest first, from `after` on. */
  list(room: string, seq: number, after = 0): Promise<MessagePage> {
    return this.chat.api.replies(room, seq, after);
  }
}
