// The server admin's audit log (`GET /api/admin/audit`, newest first): each entry in
// words, and the pages loaded so far ("load more" asks for entries before the oldest id).
// Pure.

import type { AuditEntry } from "../types";
import { durationText } from "./community";

/** Who did it: the actor's username, or the server's command line. */
export function auditActor(e: AuditEntry): string {
  return e.actor ? e.actor.username : "the command line";
}

const quoted = (s: string): string => `“${s}”`;

/** What happened, after the actor: "banned spammer from #general". */
export function auditAction(e: AuditEntry): string {
  const target = e.target ?? "someone";
  const room = e.room ? `#${e.room}` : "a room";
  switch (e.action) {
    case "kick":
      return `removed ${target} from ${room}`;
    case "ban":
      return `banned ${target} from ${room}`;
    case "unban":
      return `unbanned ${target} from ${room}`;
    case "mute": {
      const seconds = /^(\d+) s$/.exec(e.detail ?? "")?.[1];
      return `muted ${target} in ${room}${seconds ? ` for ${durationText(Number(seconds))}` : ""}`;
    }
    case "role":
      return `made ${target} ${e.detail === "moderator" ? "a moderator" : "a member"} of ${room}`;
    case "topic":
      return e.detail ? `set the topic of ${room} to ${quoted(e.detail)}` : `cleared the topic of ${room}`;
    case "archive":
      return `archived ${room}`;
    case "delete_room":
      // From the command line the room is the target.
      return `deleted #${e.room ?? e.target ?? "?"}`;
    case "deactivate":
      return `deactivated ${target}`;
    case "reactivate":
      return `reactivated ${target}`;
    case "set_role":
      return `changed the server role of ${target}`;
    case "webhook":
      return `created the webhook ${quoted(target)} in ${room}`;
    default:
      return [e.action, e.target, e.room ? `#${e.room}` : null, e.detail].filter(Boolean).join(" ");
  }
}

/** The whole entry in words: "alice banned spammer from #general". */
export function auditText(e: AuditEntry): string {
  return `${auditActor(e)} ${auditAction(e)}`;
}

/** The entries loaded so far, newest first, and whether older ones remain. */
export class AuditPages {
  entries: AuditEntry[] = [];
  hasMore = false;
  loaded = false;

  constructor(readonly pageSize = 50) {}

  /** The id to ask for entries before ("load more"); null for the first page. */
  get before(): number | null {
    return this.entries.at(-1)?.id ?? null;
  }

  /** Take a page: the first (replacing what was there) or the next older one. A full page
   * means there may be more. Entries already held (ids) are not taken twice. */
  take(page: AuditEntry[], first: boolean): void {
    if (first) this.entries = [];
    const seen = new Set(this.entries.map((e) => e.id));
    for (const e of page) if (!seen.has(e.id)) this.entries.push(e);
    this.entries.sort((a, b) => b.id - a.id);
    this.hasMore = page.length >= this.pageSize;
    this.loaded = true;
  }
}
