// The wire objects of PROTOCOL.md (v1) and the extensions the client uses. Fields marked
// v2 come from PROTOCOL v2, as far as the server implements it; the client does not use
// them yet, and a v1 server leaves them out.

export interface User {
  id: number;
  username: string;
  /** v2 */
  display_name?: string | null;
  /** v2 */
  bot?: boolean;
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
  /** v2: the room's change counter. */
  rev?: number;
  /** v2 */
  kind?: "room" | "dm";
  /** v2: a DM's participants, the caller included (listings, `POST /api/dms`, `dmCreated`). */
  people?: User[];
  /** v2 (communities) */
  topic?: string | null;
  /** v2: read-only from then on. */
  archived?: boolean;
}

/** v2: whose messages in a room notify the caller. */
export type NotifyLevel = "all" | "mentions" | "none";

/** A room as `GET /api/rooms` lists it for the caller. */
export interface RoomListing extends Room {
  member: boolean;
  unread: number;
  /** v2: unread messages that mention the caller. */
  mentions?: number;
  /** v2 */
  notify?: NotifyLevel;
  /** v2: the caller's role; null when not a member. */
  role?: RoomRole | null;
  /** Extension: the caller is banned from it (joining answers forbidden). */
  banned?: boolean;
}

export interface Message {
  id: number;
  room: string;
  seq: number;
  user: User;
  text: string;
  created_at: string;
  client_id: string | null;
  /** v2: the rev of its latest change. */
  rev?: number;
  /** v2 */
  edited_at?: string | null;
  /** v2: a tombstone (text "", no reactions or attachments). */
  deleted?: boolean;
  /** v2: the seq of the message this one replies to, in the same room. */
  reply_to?: number | null;
  /** v2 */
  reply_count?: number;
  /** v2 */
  reactions?: Reaction[];
  /** v2: ids of the mentioned users. */
  mentions?: number[];
  /** v2 */
  attachments?: Attachment[];
}

/** v2 */
export interface Reaction {
  emoji: string;
  user_ids: number[];
}

/** v2 */
export interface Attachment {
  id: number;
  name: string;
  size: number;
  content_type: string;
  url: string;
  width?: number | null;
  height?: number | null;
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
  /** v2: per room, its rev. */
  rev?: Record<string, number>;
  errors?: Record<string, WireError>;
}

export interface RoomEvent {
  /** v2 adds kick, ban, role and mute (each with `by`). */
  type: "join" | "leave" | "kick" | "ban" | "role" | "mute";
  room: string;
  user: User;
  /** v2: who did it (kick, ban, role, mute). */
  by?: User;
  /** v2 (role): the new role. */
  role?: "moderator" | "member";
  /** v2 (mute): when it ends (ISO 8601). */
  until?: string;
}

/** v2: a room's topic, roles or archived state changed. */
export interface RoomUpdated {
  room: Room;
}

/** v2: the room was deleted (its name). */
export interface RoomDeleted {
  room: string;
}

/** Extension: a public room was created. */
export interface RoomCreated {
  room: Room;
}

/** v2: a direct conversation including the user was opened by someone else. */
export interface DmCreated {
  room: Room;
}

/** v2: someone changed their display name (sent to every socket). */
export interface UserUpdated {
  user: User;
}

/** v2: `GET /api/search`, newest first. */
export interface SearchPage {
  results: Message[];
  has_more: boolean;
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

// ---- v2: communities and integrations ----

/** A membership's role. */
export type RoomRole = "owner" | "moderator" | "member";

/** A room's member with their role (`GET /api/rooms/{name}/members` adds `online`). */
export interface Member extends User {
  role?: RoomRole;
}

/** `GET /api/admin/users`: an account as server admins see it. */
export interface Account extends User {
  admin: boolean;
  deactivated: boolean;
}

/** `GET /api/admin/audit`, newest first; `actor` null for the command line. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: { id: number; username: string } | null;
  action: string;
  room: string | null;
  target: string | null;
  detail: string | null;
}

/** `POST /api/bots`: the bot and its token, shown this once. */
export interface BotCreated {
  user: User;
  token: string;
}

/** `GET /api/rooms/{name}/webhooks` (never the secret). */
export interface Webhook {
  id: number;
  name: string;
  bot: User;
}

/** `POST /api/rooms/{name}/webhooks`: the URL, shown this once. */
export interface WebhookCreated {
  id: number;
  name: string;
  url: string;
}
