// Sending: the outbox (state/outbox.ts) goes out oldest first, one at a time, so a room gets
// messages in the order typed. A send whose ack did not come (timeout, disconnect) goes
// again with the same client_id: the server stores it once.

import type { RetryPolicy } from "../retry";
import type { Attachment } from "../types";
import { delayAfter, gaveUp, serverWait, sleep } from "../retry";
import type { Chat } from "./index";

export const MAX_TEXT = 4000;
const SEND_TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = 5;
/** No answer in time: again after 1 s, up to 5 attempts (a disconnect waits for the
 * reconnect instead, and does not count against them). */
const NO_ANSWER_RETRY: RetryPolicy = { firstMs: 1000, growth: "constant", attempts: MAX_ATTEMPTS };
/** The server is unavailable: again after 0.5 s, 1 s, 1.5 s … or as long as it says. */
const UNAVAILABLE_RETRY: RetryPolicy = { firstMs: 500, growth: "linear", attempts: MAX_ATTEMPTS };
/** Rate limited: as long as the server says (1 s if it does not), at least this long. */
const RATE_LIMITED_FLOOR_MS = 250;

export class Sender {
  private flushing = false;

  constructor(private readonly chat: Chat) {}

  /** Queue a message for the open room (v2: a reply to `replyTo`, with the files uploaded
   * for it — then the text may be empty); an error to show, or null. */
  send(text: string, replyTo?: number, attachments: readonly Attachment[] = []): string | null {
    const chat = this.chat;
    const room = chat.openRoom;
    const trimmed = text.trim();
    if (!room?.member || (!trimmed && attachments.length === 0)) return null;
    if (trimmed.length > MAX_TEXT) return `Messages are at most ${MAX_TEXT} characters.`;
    chat.outbox.add(room.name, trimmed, new Date(), replyTo, attachments);
    chat.uploads.sent(room.name); // its files went with it (failed ones are dropped)
    chat.presence.sent();
    chat.changed();
    void this.flush();
    return null;
  }

  retry(clientId: string): void {
    if (!this.chat.outbox.retry(clientId)) return;
    this.chat.changed();
    void this.flush();
  }

  discard(clientId: string): void {
    const dropped = this.chat.outbox.discard(clientId);
    // Its files are not attached again after a reload either.
    if (dropped?.attachments) this.chat.uploads.dismiss(dropped.attachments);
    this.chat.changed();
  }

  /** Send what is queued, while connected. */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (;;) {
        if (!(await this.sendNext())) break;
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Send the oldest queued message once; false when there is nothing to do (or offline). */
  private async sendNext(): Promise<boolean> {
    const { outbox, realtime } = this.chat;
    const changed = (): void => this.chat.changed();
    const p = outbox.nextQueued();
    if (!p || !realtime.connected) return false;
    p.status = "sending";
    p.attempts += 1;
    changed();
    let ack;
    try {
      ack = await realtime.call(
        "sendMessage",
        {
          room: p.room,
          text: p.text,
          client_id: p.clientId,
          ...(p.replyTo === undefined ? {} : { reply_to: p.replyTo }),
          ...(p.attachments?.length ? { attachments: p.attachments.map((a) => a.id) } : {}),
        },
        SEND_TIMEOUT_MS,
      );
    } catch {
      // Disconnected (sent again on reconnect) or no answer in time (again, soon).
      p.status = "queued";
      if (realtime.connected && gaveUp(NO_ANSWER_RETRY, p.attempts)) {
        p.status = "failed";
        p.error = "The server did not answer.";
      }
      changed();
      if (realtime.connected) await sleep(delayAfter(NO_ANSWER_RETRY, p.attempts));
      return true;
    }
    if (ack.ok) {
      p.seq = ack.message.seq;
      this.chat.ingest(ack.message, false);
      const room = this.chat.rooms.get(p.room);
      if (room) outbox.settle(room.name, room.contig);
    } else if (ack.error.code === "rate_limited") {
      // Sending too fast: wait as long as the server says (not a failed attempt), and
      // show it on the message meanwhile.
      const waitMs = serverWait(RATE_LIMITED_FLOOR_MS, ack.error.retry_after ?? 1);
      p.status = "queued";
      p.attempts -= 1;
      p.notBefore = Date.now() + waitMs;
      changed();
      await sleep(waitMs);
      delete p.notBefore;
    } else if (ack.error.code === "unavailable" && !gaveUp(UNAVAILABLE_RETRY, p.attempts)) {
      p.status = "queued";
      changed();
      await sleep(serverWait(delayAfter(UNAVAILABLE_RETRY, p.attempts), ack.error.retry_after));
    } else {
      p.status = "failed";
      p.error = ack.error.message;
    }
    changed();
    return true;
  }
}
