// The outbox: messages this tab sent that the server has not stored yet, oldest first.
// Each keeps its client_id, so a resend is stored once. Kept in this tab's sessionStorage
// (a reload while offline does not lose them). chat/outbox.ts sends them; this only keeps
// them. No DOM here: the storage is handed in.

import type { Attachment, Message } from "../types";

export type PendingStatus = "sending" | "queued" | "failed";

/** A message the user sent that the server has not acknowledged yet. */
export interface Pending {
  clientId: string;
  room: string;
  text: string;
  status: PendingStatus;
  error?: string;
  createdAt: string;
  /** Set when stored: the pending copy goes once this seq is shown. */
  seq?: number;
  attempts: number;
  /** Rate limited: not before this time (ms since the epoch); the server said how long. */
  notBefore?: number;
  /** v2: the seq of the message this one replies to. */
  replyTo?: number;
  /** v2: the files it takes (uploaded already; sent as their ids). */
  attachments?: Attachment[];
}

/** The part of the Web Storage API the outbox uses. */
export type KeyValueStore = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export class Outbox implements Iterable<Pending> {
  readonly items: Pending[];
  private saved = "";

  constructor(
    private readonly key: string,
    private readonly storage: KeyValueStore | null,
  ) {
    this.items = this.load();
  }

  [Symbol.iterator](): Iterator<Pending> {
    return this.items[Symbol.iterator]();
  }

  private load(): Pending[] {
    try {
      const saved = JSON.parse(this.storage?.getItem(this.key) ?? "[]") as Pending[];
      if (!Array.isArray(saved)) return [];
      return saved
        .filter((p) => typeof p.clientId === "string" && typeof p.text === "string")
        .map((p) => ({ ...p, status: p.status === "failed" ? "failed" : "queued" }));
    } catch {
      return [];
    }
  }

  /** Store the outbox if it changed since last time. */
  save(): void {
    const json = JSON.stringify(this.items);
    if (json === this.saved) return;
    this.saved = json;
    try {
      if (this.items.length) this.storage?.setItem(this.key, json);
      else this.storage?.removeItem(this.key);
    } catch {
      /* storage full or unavailable: the outbox lives in memory only */
    }
  }

  /** Logging out: forget unsent messages. */
  clear(): void {
    this.items.length = 0;
    this.storage?.removeItem(this.key);
  }

  add(
    room: string,
    text: string,
    createdAt: Date = new Date(),
    replyTo?: number,
    attachments: readonly Attachment[] = [],
  ): Pending {
    const p: Pending = {
      clientId: newClientId(),
      room,
      text,
      status: "queued",
      createdAt: createdAt.toISOString(),
      attempts: 0,
    };
    if (replyTo !== undefined) p.replyTo = replyTo;
    if (attachments.length) p.attachments = [...attachments];
    this.items.push(p);
    return p;
  }

  /** The oldest message waiting to be sent. */
  nextQueued(): Pending | undefined {
    return this.items.find((x) => x.status === "queued");
  }

  /** A failed message goes back in the queue, as if new. */
  retry(clientId: string): boolean {
    const p = this.items.find((x) => x.clientId === clientId);
    if (!p || p.status !== "failed") return false;
    p.status = "queued";
    p.attempts = 0;
    delete p.error;
    return true;
  }

  /** A failed message is dropped; it is returned. */
  discard(clientId: string): Pending | undefined {
    const i = this.items.findIndex((x) => x.clientId === clientId);
    if (i >= 0 && this.items[i]?.status === "failed") return this.items.splice(i, 1)[0];
    return undefined;
  }

  /** A stored message of `me`'s: the pending copy with its client_id has its seq now.
   * True when this tab sent it. */
  match(m: Message, me: number): boolean {
    if (m.user.id !== me || !m.client_id) return false;
    const p = this.items.find((x) => x.clientId === m.client_id && x.room === m.room);
    if (p) p.seq = m.seq;
    return p !== undefined;
  }

  /** Pending copies of messages the room now shows (seq ≤ contig) disappear. */
  settle(room: string, contig: number): void {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const p = this.items[i];
      if (p && p.room === room && p.seq !== undefined && p.seq <= contig) this.items.splice(i, 1);
    }
  }

  /** No longer in `room`: what waits to be sent there fails. */
  failRoom(room: string, error: string): void {
    for (const p of this.items) {
      if (p.room === room && p.status !== "failed") {
        p.status = "failed";
        p.error = error;
      }
    }
  }

  forRoom(room: string): Pending[] {
    return this.items.filter((p) => p.room === room);
  }
}

/** A client_id for a new message: a UUID (a random one also outside secure contexts). */
export function newClientId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
