// REST calls of communities and integrations (PROTOCOL v2 "Communities", "Integrations";
// docs/protocol-extensions.md): running a room, server admin, bots, webhooks, passwords.
// Each goes through `Api.request` (the token, one refresh-and-retry on 401).

import type { Api } from "./api";
import type {
  Account,
  AuditEntry,
  BotCreated,
  Member,
  RoomRole,
  User,
  Webhook,
  WebhookCreated,
} from "./types";

const room = (name: string): string => `/api/rooms/${encodeURIComponent(name)}`;
const user = (name: string): string => encodeURIComponent(name);

export class CommunityApi {
  constructor(private readonly api: Api) {}

  // ---- a room ----
  async members(name: string): Promise<Member[]> {
    return (await this.api.request<{ members: Member[] }>("GET", `${room(name)}/members`)).members;
  }

  /** Set (or, with "", clear) the topic: owner and moderators. */
  setTopic(name: string, topic: string): Promise<void> {
    return this.api.request("PATCH", room(name), { topic: topic.trim() ? topic : null });
  }

  /** Owner only. */
  setRole(name: string, username: string, role: Exclude<RoomRole, "owner">): Promise<void> {
    return this.api.request("PUT", `${room(name)}/members/${user(username)}/role`, { role });
  }

  kick(name: string, username: string): Promise<void> {
    return this.api.request("POST", `${room(name)}/kick`, { username });
  }

  ban(name: string, username: string): Promise<void> {
    return this.api.request("POST", `${room(name)}/ban`, { username });
  }

  unban(name: string, username: string): Promise<void> {
    return this.api.request("DELETE", `${room(name)}/bans/${user(username)}`);
  }

  mute(name: string, username: string, seconds: number): Promise<void> {
    return this.api.request("POST", `${room(name)}/mute`, { username, seconds });
  }

  async bans(name: string): Promise<User[]> {
    return (await this.api.request<{ users: User[] }>("GET", `${room(name)}/bans`)).users;
  }

  archive(name: string): Promise<void> {
    return this.api.request("POST", `${room(name)}/archive`);
  }

  deleteRoom(name: string): Promise<void> {
    return this.api.request("DELETE", room(name));
  }

  // ---- webhooks ----
  async webhooks(name: string): Promise<Webhook[]> {
    const path = `${room(name)}/webhooks`;
    return (await this.api.request<{ webhooks: Webhook[] }>("GET", path)).webhooks;
  }

  createWebhook(name: string, hookName: string): Promise<WebhookCreated> {
    return this.api.request("POST", `${room(name)}/webhooks`, { name: hookName });
  }

  deleteWebhook(name: string, id: number): Promise<void> {
    return this.api.request("DELETE", `${room(name)}/webhooks/${id}`);
  }

  // ---- bots ----
  async bots(): Promise<User[]> {
    return (await this.api.request<{ bots: User[] }>("GET", "/api/bots")).bots;
  }

  createBot(username: string): Promise<BotCreated> {
    return this.api.request("POST", "/api/bots", { username });
  }

  deleteBot(username: string): Promise<void> {
    return this.api.request("DELETE", `/api/bots/${user(username)}`);
  }

  // ---- accounts ----
  /** A wrong current password answers 401: not a stale token, so no refresh-and-retry
   * (the access token is fresh: `Api.request` refreshes a stale one before sending). */
  changePassword(oldPassword: string, newPassword: string): Promise<void> {
    const body = { old_password: oldPassword, new_password: newPassword };
    return this.api.request("POST", "/api/me/password", body, false);
  }

  // ---- server admins ----
  async accounts(q = "", limit = 50): Promise<Account[]> {
    const query = new URLSearchParams({ q, limit: String(limit) });
    return (await this.api.request<{ users: Account[] }>("GET", `/api/admin/users?${query}`)).users;
  }

  deactivate(username: string): Promise<void> {
    return this.api.request("POST", `/api/admin/users/${user(username)}/deactivate`);
  }

  reactivate(username: string): Promise<void> {
    return this.api.request("POST", `/api/admin/users/${user(username)}/reactivate`);
  }

  async audit(beforeId: number | null = null, limit = 50): Promise<AuditEntry[]> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (beforeId !== null) query.set("before_id", String(beforeId));
    const path = `/api/admin/audit?${query}`;
    return (await this.api.request<{ entries: AuditEntry[] }>("GET", path)).entries;
  }
}
