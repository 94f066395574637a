// Every Socket.IO event, typed both ways (PROTOCOL.md § Socket.IO, docs/protocol-extensions.md;
// the server's models are src/hubbub/events.py). `Socket<ServerToClientEvents,
// ClientToServerEvents>` then checks each emit's payload and each ack's shape.

import type {
  Ack,
  Invited,
  Message,
  PresenceUser,
  Room,
  RoomCreated,
  RoomEvent,
  SessionEnded,
  SyncAck,
  TypingEvent,
  UserStatus,
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
}

export interface SyncIn {
  /** Per room, the last seq seen (at most 500 rooms per call). */
  rooms: Record<string, number>;
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

export interface SendMessageAck {
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
  sendMessage: Acked<SendMessageIn, SendMessageAck>;
  typing: Acked<RoomRef, NoData>;
  sync: Acked<SyncIn, SyncAck>;
  markRead: Acked<MarkReadIn, NoData>;
  reauth: Acked<ReauthIn, ReauthAck>;
}

export interface ServerToClientEvents {
  receiveMessage: (message: Message) => void;
  roomEvent: (event: RoomEvent) => void;
  userStatus: (event: UserStatus) => void;
  typing: (event: TypingEvent) => void;
  /** Extensions (docs/protocol-extensions.md): the room list changed for this user. */
  roomCreated: (event: RoomCreated) => void;
  invited: (event: Invited) => void;
  /** Extension: the server is about to disconnect this socket (its token expired, or its
   * login ended); socket.io-client then reports "io server disconnect". */
  sessionEnded: (event: SessionEnded) => void;
}

export type ClientEvent = keyof ClientToServerEvents;
/** The payload of a client → server event. */
export type PayloadOf<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[0];
/** What the server answers a client → server event with. */
export type AckOf<E extends ClientEvent> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];
