// The wire objects of PROTOCOL.md (v1) and the extensions the client uses.

export interface User {
  id: number;
  username: string;
}

export interface PresenceUser extends User {
  online: boolean;
}

export interface Room {
  id: number;
  name: string;
  private: boolean;
  created_at: string;
  last_seq: number;
}

/** A room as `GET /api/rooms` lists it for the caller. */
export interface RoomListing extends Room {
  member: boolean;
  unread: number;
}

export interface Message {
  id: number;
  room: string;
  seq: number;
  user: User;
  text: string;
  created_at: string;
  client_id: string | null;
}

export interface WireError {
  code: string;
  message: string;
  /** rate_limited / unavailable: seconds to wait before trying again. */
  retry_after?: number;
}

export interface TokenPair {
  user: User;
  access_token: string;
  refresh_token: string;
  token_type: "bearer";
  expires_in: number;
}

export interface MessagePage {
  messages: Message[];
  has_more: boolean;
}

export type Ack<T> = ({ ok: true } & T) | { ok: false; error: WireError };

export interface SyncAck {
  messages: Record<string, Message[]>;
  has_more: Record<string, boolean>;
  errors?: Record<string, WireError>;
}

export interface RoomEvent {
  type: "join" | "leave";
  room: string;
  user: User;
}

/** Extension: a public room was created. */
export interface RoomCreated {
  room: Room;
}

/** Extension: the user was invited to a private room. */
export interface Invited {
  room: Room;
  by: User;
}

export interface UserStatus {
  user: User;
  status: "online" | "offline";
}

export interface TypingEvent {
  room: string;
  user: User;
}

/** Extension: why the server is about to disconnect this socket. */
export interface SessionEnded {
  code: "unauthorized";
  message: string;
}
