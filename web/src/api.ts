// REST calls (PROTOCOL.md § REST), with the bearer token and one refresh-and-retry on 401.

import { waitText } from "./format";
import type { Auth } from "./auth";
import type {
  Attachment,
  MessagePage,
  NotifyLevel,
  PresenceUser,
  Room,
  RoomListing,
  SearchPage,
  TokenPair,
  User,
  WireError,
} from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export class Api {
  constructor(private readonly auth: Auth) {}

  /** One call with the token (`retry`: refresh and try again once on a 401). The calls of
   * communities and integrations (communityapi.ts) go through it too. */
  async request<T>(method: Method, path: string, body?: unknown, retry = true): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const token = await this.auth.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, "network", "Cannot reach the server.");
    }
    if (response.status === 401 && token && retry) {
      if ((await this.auth.refresh(token)) === "ok") return this.request(method, path, body, false);
    }
    if (!response.ok) throw await errorOf(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  // ---- accounts (no token needed) ----
  async register(username: string, password: string): Promise<TokenPair> {
    return this.credentials("/api/auth/register", username, password);
  }

  async login(username: string, password: string): Promise<TokenPair> {
    return this.credentials("/api/auth/login", username, password);
  }

  private async credentials(path: string, username: string, password: string): Promise<TokenPair> {
    let response: Response;
    try {
      response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username, password }),
      });
    } catch {
      throw new ApiError(0, "network", "Cannot reach the server.");
    }
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as TokenPair;
  }

  async logout(refreshToken: string): Promise<void> {
    try {
      await fetch("/api/auth/logout", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: refreshToken }),
      });
    } catch {
      /* offline: the token expires by itself */
    }
  }

  // ---- the rest ----
  me(): Promise<User> {
    return this.request("GET", "/api/me");
  }

  async rooms(): Promise<RoomListing[]> {
    return (await this.request<{ rooms: RoomListing[] }>("GET", "/api/rooms")).rooms;
  }

  createRoom(name: string, isPrivate: boolean): Promise<Room> {
    return this.request("POST", "/api/rooms", { name, private: isPrivate });
  }

  join(room: string): Promise<Room> {
    return this.request("POST", `/api/rooms/${encodeURIComponent(room)}/join`);
  }

  leave(room: string): Promise<void> {
    return this.request("POST", `/api/rooms/${encodeURIComponent(room)}/leave`);
  }

  invite(room: string, username: string): Promise<void> {
    return this.request("POST", `/api/rooms/${encodeURIComponent(room)}/invite`, { username });
  }

  async members(room: string): Promise<PresenceUser[]> {
    const path = `/api/rooms/${encodeURIComponent(room)}/members`;
    return (await this.request<{ members: PresenceUser[] }>("GET", path)).members;
  }

  messages(
    room: string,
    cursor: { before?: number; after?: number; around?: number; limit?: number } = {},
  ) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(cursor)) {
      if (value !== undefined) query.set(key, String(value));
    }
    const qs = query.size ? `?${query}` : "";
    return this.request<MessagePage>("GET", `/api/rooms/${encodeURIComponent(room)}/messages${qs}`);
  }

  /** v2: the replies to a message, by seq. */
  replies(room: string, seq: number, after = 0, limit = 50): Promise<MessagePage> {
    const path = `/api/rooms/${encodeURIComponent(room)}/messages/${seq}/replies`;
    return this.request("GET", `${path}?after=${after}&limit=${limit}`);
  }

  /** v2: whose messages in the room notify the caller. */
  setNotify(room: string, level: NotifyLevel): Promise<void> {
    return this.request("PUT", `/api/rooms/${encodeURIComponent(room)}/notifications`, { level });
  }

  /** v2: set (or, with null, clear) one's display name. */
  setDisplayName(displayName: string | null): Promise<User> {
    return this.request("PATCH", "/api/me", { display_name: displayName });
  }

  /** v2: people whose username or display name starts with `q`. */
  async findUsers(q: string, limit = 20): Promise<PresenceUser[]> {
    const query = new URLSearchParams({ q, limit: String(limit) });
    return (await this.request<{ users: PresenceUser[] }>("GET", `/api/users?${query}`)).users;
  }

  /** v2: the direct conversation with these people (made if new): a room with `people`. */
  openDm(usernames: string[]): Promise<Room> {
    return this.request("POST", "/api/dms", { usernames });
  }

  /** v2: messages holding every word of `q`, newest first. */
  search(q: string, options: { room?: string | null; before?: number | null; limit?: number } = {}) {
    const query = new URLSearchParams({ q, limit: String(options.limit ?? 20) });
    if (options.room) query.set("room", options.room);
    if (options.before) query.set("before_id", String(options.before));
    return this.request<SearchPage>("GET", `/api/search?${query}`);
  }

  async online(): Promise<User[]> {
    return (await this.request<{ users: User[] }>("GET", "/api/users/online")).users;
  }

  // ---- files (v2) ----
  /** The access token, for calls made apart from `request` (uploads with progress). */
  token(): Promise<string | null> {
    return this.auth.token();
  }

  /** `token` was refused (401): true when a fresh one is to be had (refreshed once). */
  async renewed(token: string): Promise<boolean> {
    return (await this.auth.refresh(token)) === "ok";
  }

  /** The caller's uploads to a room that no message uses yet. */
  async pendingUploads(room: string): Promise<Attachment[]> {
    const path = `/api/rooms/${encodeURIComponent(room)}/uploads`;
    return (await this.request<{ attachments: Attachment[] }>("GET", path)).attachments;
  }

  /** A file's bytes (an attachment's `url` takes the token like every call). */
  async blob(path: string, retry = true): Promise<Blob> {
    const token = await this.auth.token();
    let response: Response;
    try {
      response = await fetch(path, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
    } catch {
      throw new ApiError(0, "network", "Cannot reach the server.");
    }
    if (response.status === 401 && token && retry && (await this.renewed(token))) {
      return this.blob(path, false);
    }
    if (!response.ok) throw await errorOf(response);
    return response.blob();
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  let error: WireError = { code: "http_" + response.status, message: response.statusText };
  try {
    const body = (await response.json()) as { error?: WireError; detail?: unknown };
    if (body.error) error = body.error;
  } catch {
    /* not JSON */
  }
  const wait = error.retry_after ?? Number(response.headers.get("Retry-After") ?? NaN);
  const message = error.message || "Something went wrong.";
  return new ApiError(
    response.status,
    error.code,
    Number.isFinite(wait) ? `${message}. Try again in ${waitText(wait)}.` : message,
  );
}
