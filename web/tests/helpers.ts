// Wire objects for the tests.

import type { Message, RoomListing, User } from "../src/types";

export const alice: User = { id: 1, username: "alice" };
export const bob: User = { id: 2, username: "bob" };

export function listing(over: Partial<RoomListing> = {}): RoomListing {
  return {
    id: 7,
    name: "general",
    private: false,
    created_at: "2024-01-01T00:00:00Z",
    last_seq: 0,
    member: true,
    unread: 0,
    ...over,
  };
}

export function msg(
  seq: number,
  over: Partial<Omit<Message, "seq">> = {},
): Message {
  return {
    id: 1000 + seq,
    room: "general",
    seq,
    user: bob,
    text: `message ${seq}`,
    created_at: new Date(Date.UTC(2024, 0, 1, 12, 0, seq)).toISOString(),
    client_id: null,
    ...over,
  };
}

/** The seqs of a list of messages. */
export function seqs(messages: Iterable<Message>): number[] {
  return [...messages].map((m) => m.seq);
}
