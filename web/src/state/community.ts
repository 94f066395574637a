// Running a room (PROTOCOL v2 "Communities"), as the client decides what to show: which
// controls the reader's standing lets them use (a control they may not use is not shown),
// how long a mute lasts, and what a moderation event says. Pure: the server decides in
// the end (hubbub/policy.py); this mirrors it so the views offer only what would work.

import type { RoomEvent, RoomRole } from "../types";

/** The reader in a room: their membership's role (null: not a member), whether they are a
 * server admin (who may do what any owner may, outside DMs), and the room's kind. */
export interface Standing {
  role: RoomRole | null | undefined;
  admin: boolean;
  kind: "room" | "dm";
}

/** What the reader may do to the room as a whole. */
export interface Powers {
  /** Edit the topic. */
  topic: boolean;
  /** Invite someone to a private room. */
  invite: boolean;
  /** Kick, ban, mute; see the bans and unban. */
  moderate: boolean;
  /** Make members moderators and back. */
  roles: boolean;
  /** Archive and delete the room. */
  manage: boolean;
  /** List, create and delete incoming webhooks. */
  webhooks: boolean;
}

const NONE: Powers = {
  topic: false,
  invite: false,
  moderate: false,
  roles: false,
  manage: false,
  webhooks: false,
};

/** Owners and moderators (and admins) run a room; owners (and admins) own it. */
export function powers(s: Standing): Powers {
  if (s.kind === "dm") return NONE;
  const runs = s.role === "owner" || s.role === "moderator" || s.admin;
  const owns = s.role === "owner" || s.admin;
  return { topic: runs, invite: runs, moderate: runs, roles: owns, manage: owns, webhooks: runs };
}

/** Whether the reader may open a room's settings: its members (to read the topic and who is
 * who), and server admins in any room but a DM, member or not (they run every room). */
export function maySeeSettings(room: { member: boolean; kind: "room" | "dm" }, admin: boolean): boolean {
  return room.kind !== "dm" && (room.member || admin);
}

/** Whether the reader runs the room at all (the settings show them more than the list). */
export function runsRoom(s: Standing): boolean {
  const p = powers(s);
  return p.moderate || p.manage;
}

/** What the reader may do to one member. */
export interface MemberActions {
  makeModerator: boolean;
  makeMember: boolean;
  kick: boolean;
  ban: boolean;
  mute: boolean;
}

/** Never to oneself or the owner; a moderator only by the owner (or an admin). */
export function memberActions(
  s: Standing,
  me: number,
  target: { id: number; role?: RoomRole | undefined },
): MemberActions {
  const p = powers(s);
  const role = target.role ?? "member";
  const untouchable = target.id === me || role === "owner";
  const moderate = p.moderate && !untouchable && (role !== "moderator" || p.roles);
  return {
    makeModerator: p.roles && !untouchable && role === "member",
    makeMember: p.roles && !untouchable && role === "moderator",
    kick: moderate,
    ban: moderate,
    mute: moderate,
  };
}

export function anyAction(a: MemberActions): boolean {
  return a.makeModerator || a.makeMember || a.kick || a.ban || a.mute;
}

/** The role as the settings show it beside a name ("" for a plain member). */
export function roleLabel(role: RoomRole | undefined): string {
  return role === "owner" ? "owner" : role === "moderator" ? "moderator" : "";
}

/** What a room the reader is not in offers: to join it (public), to accept the invitation
 * (private), or nothing, when the reader is banned from it (joining would be refused). */
export type JoinOffer = "join" | "accept" | "banned";

export function joinOffer(room: { isPrivate: boolean; banned: boolean }): JoinOffer {
  if (room.banned) return "banned";
  return room.isPrivate ? "accept" : "join";
}

// ---- mutes ----
/** The mute lengths offered, shortest first (the server takes 1 s to a year). */
export const MUTE_CHOICES: readonly { seconds: number; label: string }[] = [
  { seconds: 5 * 60, label: "5 minutes" },
  { seconds: 60 * 60, label: "1 hour" },
  { seconds: 8 * 60 * 60, label: "8 hours" },
  { seconds: 24 * 60 * 60, label: "1 day" },
  { seconds: 7 * 24 * 60 * 60, label: "1 week" },
];

export const MAX_MUTE_SECONDS = 366 * 24 * 3600;

/** A length of time in words, in its largest whole unit: "90 seconds", "1 hour", "2 days". */
export function durationText(seconds: number): string {
  const units: [number, string][] = [
    [7 * 86400, "week"],
    [86400, "day"],
    [3600, "hour"],
    [60, "minute"],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

// ---- what moderation events say ----
const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dated = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** When a mute ends: the time today, else the date and time. */
export function untilText(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const sameDay = at.toDateString() === now.toDateString();
  return sameDay ? clock.format(at) : dated.format(at);
}

/** A moderation event as a notice in the room's timeline, after the target's name
 * ("was banned by alice"); null for joins and leaves (presence.ts tells those). */
export function eventNotice(
  e: RoomEvent,
  nameOf: (u: NonNullable<RoomEvent["by"]>) => string,
  until: (iso: string) => string = untilText,
): string | null {
  const by = e.by ? ` by ${nameOf(e.by)}` : "";
  switch (e.type) {
    case "kick":
      return `was removed from #${e.room}${by}`;
    case "ban":
      return `was banned from #${e.room}${by}`;
    case "role":
      return `was made ${e.role === "moderator" ? "a moderator" : "a member"}${by}`;
    case "mute":
      return e.until ? `is muted until ${until(e.until)}${by}` : `is muted${by}`;
    default:
      return null;
  }
}

/** Why a room left the reader's list, when they were kicked or banned from it, or it was
 * deleted: shown in its place and in the announcements. */
export function goneText(
  kind: "kick" | "ban" | "deleted",
  room: string,
  by: string | null = null,
): string {
  const who = by ? ` by ${by}` : "";
  if (kind === "kick") return `You were removed from #${room}${who}.`;
  if (kind === "ban") return `You were banned from #${room}${who}.`;
  return `#${room} was deleted.`;
}
