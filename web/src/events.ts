// Every Socket.IO event, typed both ways (PROTOCOL.md § Socket.IO, the parts of v2 the
// server implements, docs/protocol-extensions.md; the server's models are
// src/hubbub/events.py). `Socket<ServerToClientEvents,
// ClientToServerEvents>` then checks each emit's payload and each ack's shape.

import type {
  Ack,
  DmCreated,
  Invited,
  Message,
  PresenceUser,
  Room,
  RoomCreated,
  RoomDeleted,
  RoomEvent,
  RoomUpdated,
  SessionEnded,
  SyncAck,
  TypingEvent,
  UserStatus,
  UserUpdated,
} from "./types";

// ---- client → server payloads ----
/** `joinRoom`, `leaveRoom` and `typing` all name one room. */
export interface RoomRef {
  room: string;
}

export interface SendMessageIn {
  room: string;
  text: string;
  client_id?: string | null;
  /** v2: the seq of a message of the same room this one replies to. */
  reply_to?: number | null;
  /** v2: ids of the sender's uploads to the room (≤ 10); `text` may then be empty. */
  attachments?: number[];
}

/** v2: one message, by its room and seq (`deleteMessage`). */
export interface MessageRef {
  room: string;
  seq: number;
}

/** v2 */
export interface EditMessageIn extends MessageRef {
  text: string;
}

/** v2: `addReaction` / `removeReaction`. */
export interface ReactionIn extends MessageRef {
  emoji: string;
}

export interface SyncIn {
  /** Per room, the last seq seen, or (v2) `{rev}`: the last change seen. At most 500
   * rooms per call. */
  rooms: Record<string, number | { rev: number }>;
}

export interface MarkReadIn {
  room: string;
  seq: number;
}

/** Extension (PROTOCOL v2): a fresh access token for a live socket. */
export interface ReauthIn {
  token: string;
}

// ---- what the acks carry beside `ok: true` ----
export interface JoinRoomAck {
  room: Room;
  messages: Message[];
  members: PresenceUser[];
}

/** `sendMessage`, and (v2) every event that answers "the message". */
export interface MessageAck {
  message: Message;
}

export interface ReauthAck {
  expires_in: number;
}

/** Nothing beside `ok: true`. */
export type NoData = object;

type Acked<In, Out> = (payload: In, ack: (answer: Ack<Out>) => void) => void;

export interface ClientToServerEvents {
  joinRoom: Acked<RoomRef, JoinRoomAck>;
  leaveRoom: Acked<RoomRef, NoData>;
  sendMessage: Acked<SendMessageIn, MessageAck>;
  typing: Acked<RoomRef, NoData>;
  /** v2 */
  editMessage: Acked<EditMessageIn, MessageAck>;
  deleteMessage: Acked<MessageRef, MessageAck>;
  addReaction: Acked<ReactionIn, MessageAck>;
  removeReaction: Acked<ReactionIn, MessageAck>;
  sync: Acked<SyncIn, SyncAck>;
  markRead: Acked<MarkReadIn, NoData>;
  reauth: Acked<ReauthIn, ReauthAck>;
}

export interface ServerToClientEvents {
  receiveMessage: (message: Message) => void;
  /** v2: the whole message after an edit, delete, reaction or reply. */
  messageUpdated: (message: Message) => void;
  /** join and leave; v2 adds kick, ban (the target's sockets hear it, then leave the
   * room), role and mute. */
  roomEvent: (event: RoomEvent) => void;
  /** v2: a room's topic, roles or archived state changed (to its members). */
  roomUpdated: (event: RoomUpdated) => void;
  /** v2: a room was deleted (to its members, whose sockets then leave it). */
  roomDeleted: (event: RoomDeleted) => void;
  userStatus: (event: UserStatus) => void;
  typing: (event: TypingEvent) => void;
  /** Extensions (docs/protocol-extensions.md): the room list changed for this user. */
  roomCreated: (event: RoomCreated) => void;
  invited: (event: Invited) => void;
  /** v2: a DM with this user was opened by someone else (its sockets joined it already). */
  dmCreated: (event: DmCreated) => void;
  /** v2: someone's display name changed. */
  userUpdated: (event: UserUpdated) => void;
  /** Extension: the server is about to disconnect this socket (its token expired, or its
   * login ended); socket.io-client then reports "io server disconnect". */
  sessionEnded: (event: SessionEnded) => void;
}

export type ClientEvent = keyof ClientToServerEvents;
/** The payload of a client → server event. */
export type PayloadOf<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[0];
/** What the server answers a client → server event with. */
export type AckOf<E extends ClientEvent> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];
