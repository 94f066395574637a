import { describe, expect, it } from "vitest";
import { RoomState } from "../../src/state";
import {
  durationText,
  eventNotice,
  goneText,
  joinOffer,
  MAX_MUTE_SECONDS,
  maySeeSettings,
  memberActions,
  MUTE_CHOICES,
  powers,
  runsRoom,
  type Standing,
} from "../../src/state/community";
import { passwordProblem } from "../../src/state/password";
import type { RoomEvent } from "../../src/types";
import { alice, bob, listing } from "../helpers";

const room = (role: Standing["role"], admin = false): Standing => ({ role, admin, kind: "room" });
const ME = 1;

describe("which controls a role may see", () => {
  it("gives members nothing, moderators moderation, owners everything", () => {
    expect(powers(room("member"))).toEqual({
      topic: false,
      invite: false,
      moderate: false,
      roles: false,
      manage: false,
      webhooks: false,
    });
    expect(powers(room("moderator"))).toEqual({
      topic: true,
      invite: true,
      moderate: true,
      roles: false,
      manage: false,
      webhooks: true,
    });
    expect(Object.values(powers(room("owner"))).every(Boolean)).toBe(true);
    expect(runsRoom(room("member"))).toBe(false);
    expect(runsRoom(room("moderator"))).toBe(true);
  });

  it("lets a server admin do what an owner may, but not in DMs", () => {
    expect(powers(room(null, true))).toEqual(powers(room("owner")));
    expect(powers(room("member", true)).manage).toBe(true);
    expect(Object.values(powers({ role: "owner", admin: true, kind: "dm" })).some(Boolean)).toBe(false);
    expect(powers(room(undefined)).moderate).toBe(false); // a v1 server: no roles
  });

  it("offers no action on oneself or the owner", () => {
    for (const who of [room("owner"), room("moderator"), room(null, true)]) {
      expect(Object.values(memberActions(who, ME, { id: ME, role: "owner" })).some(Boolean)).toBe(false);
      expect(Object.values(memberActions(who, ME, { id: 2, role: "owner" })).some(Boolean)).toBe(false);
    }
    expect(Object.values(memberActions(room("moderator"), ME, { id: ME, role: "moderator" })).some(Boolean)).toBe(false);
  });

  it("lets moderators moderate members but not moderators, and never change roles", () => {
    expect(memberActions(room("moderator"), ME, { id: 2, role: "member" })).toEqual({
      makeModerator: false,
      makeMember: false,
      kick: true,
      ban: true,
      mute: true,
    });
    expect(Object.values(memberActions(room("moderator"), ME, { id: 2, role: "moderator" })).some(Boolean)).toBe(false);
  });

  it("lets the owner promote members, demote moderators and moderate both", () => {
    expect(memberActions(room("owner"), ME, { id: 2, role: "member" })).toEqual({
      makeModerator: true,
      makeMember: false,
      kick: true,
      ban: true,
      mute: true,
    });
    expect(memberActions(room("owner"), ME, { id: 2, role: "moderator" })).toEqual({
      makeModerator: false,
      makeMember: true,
      kick: true,
      ban: true,
      mute: true,
    });
    // A member listed without a role (an older server) counts as a member.
    expect(memberActions(room("owner"), ME, { id: 2 }).makeModerator).toBe(true);
  });

  it("shows members nothing to do to anyone", () => {
    expect(Object.values(memberActions(room("member"), ME, { id: 2, role: "member" })).some(Boolean)).toBe(false);
  });
});

describe("mute lengths", () => {
  it("are offered shortest first, each within what the server takes", () => {
    const seconds = MUTE_CHOICES.map((c) => c.seconds);
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
    for (const s of seconds) expect(s >= 1 && s <= MAX_MUTE_SECONDS).toBe(true);
    expect(MUTE_CHOICES.map((c) => c.label)).toEqual(["5 minutes", "1 hour", "8 hours", "1 day", "1 week"]);
    for (const c of MUTE_CHOICES) expect(durationText(c.seconds)).toBe(c.label);
  });

  it("are said in their largest whole unit", () => {
    expect(durationText(1)).toBe("1 second");
    expect(durationText(90)).toBe("90 seconds");
    expect(durationText(120)).toBe("2 minutes");
    expect(durationText(2 * 86400)).toBe("2 days");
    expect(durationText(14 * 86400)).toBe("2 weeks");
  });
});

describe("what moderation events say", () => {
  const event = (over: Partial<RoomEvent>): RoomEvent => ({ type: "kick", room: "general", user: bob, by: alice, ...over });
  const name = (u: { username: string }): string => u.username;

  it("tells kicks, bans, roles and mutes, by whom", () => {
    expect(eventNotice(event({ type: "kick" }), name)).toBe("was removed from #general by alice");
    expect(eventNotice(event({ type: "ban" }), name)).toBe("was banned from #general by alice");
    expect(eventNotice(event({ type: "role", role: "moderator" }), name)).toBe("was made a moderator by alice");
    expect(eventNotice(event({ type: "role", role: "member" }), name)).toBe("was made a member by alice");
    const until = "2024-01-01T14:05:00+00:00";
    expect(eventNotice(event({ type: "mute", until }), name, (iso) => `[${iso}]`)).toBe(
      `is muted until [${until}] by alice`,
    );
  });

  it("leaves joins and leaves to presence", () => {
    expect(eventNotice(event({ type: "join" }), name)).toBeNull();
    expect(eventNotice(event({ type: "leave" }), name)).toBeNull();
  });

  it("tells the reader why a room left their list", () => {
    expect(goneText("kick", "general", "alice")).toBe("You were removed from #general by alice.");
    expect(goneText("ban", "general", "alice")).toBe("You were banned from #general by alice.");
    expect(goneText("deleted", "general")).toBe("#general was deleted.");
  });
});

describe("a room's topic, archive and roles", () => {
  it("come from the listing and from roomUpdated", () => {
    const r = new RoomState(listing({ topic: "be kind", archived: false, role: "moderator" }));
    expect([r.topic, r.archived, r.role]).toEqual(["be kind", false, "moderator"]);
    r.applyRoom({ ...listing(), topic: null, archived: true });
    expect([r.topic, r.archived]).toEqual([null, true]);
    r.update(listing({ topic: "again" }));
    expect([r.topic, r.archived]).toEqual(["again", true]);
  });

  it("keeps members' roles and bots, and takes role changes", () => {
    const r = new RoomState(listing());
    r.setMembers([
      { ...alice, online: true, role: "owner" },
      { ...bob, online: false, bot: true },
    ]);
    expect(r.members?.get(alice.id)?.role).toBe("owner");
    expect(r.members?.get(bob.id)).toMatchObject({ role: "member", bot: true });
    r.setMemberRole(bob.id, "moderator");
    expect(r.members?.get(bob.id)?.role).toBe("moderator");
  });
});

describe("who opens a room's settings", () => {
  it("is its members, and server admins in any room but a DM", () => {
    const r = (member: boolean, kind: "room" | "dm" = "room") => ({ member, kind });
    expect(maySeeSettings(r(true), false)).toBe(true);
    expect(maySeeSettings(r(false), false)).toBe(false);
    expect(maySeeSettings(r(false), true)).toBe(true); // an admin, not a member
    expect(maySeeSettings(r(true, "dm"), true)).toBe(false);
    // what the admin sees there: the controls of a room's owner
    expect(powers({ role: null, admin: true, kind: "room" }).manage).toBe(true);
  });
});

describe("a room the reader is not in", () => {
  it("offers Join or Accept, and nothing to someone banned from it", () => {
    const outside = (over: Parameters<typeof listing>[0]) =>
      joinOffer(new RoomState(listing({ member: false, ...over })));
    expect(outside({})).toBe("join");
    expect(outside({ private: true })).toBe("accept");
    expect(outside({ banned: true })).toBe("banned");
    expect(outside({ banned: false })).toBe("join");
  });

  it("follows the listing as the reader is banned and unbanned", () => {
    const r = new RoomState(listing({ member: true }));
    r.update(listing({ member: false, banned: true }));
    expect([r.member, joinOffer(r)]).toEqual([false, "banned"]);
    r.update(listing({ member: false })); // an older server, or unbanned
    expect(joinOffer(r)).toBe("join");
  });
});

describe("a new password", () => {
  it("is checked before asking the server", () => {
    expect(passwordProblem("", "new password", "new password")?.field).toBe("current");
    expect(passwordProblem("old password", "short", "short")?.field).toBe("next");
    expect(passwordProblem("old password", "new password", "new passwort")?.field).toBe("again");
    expect(passwordProblem("same password", "same password", "same password")?.field).toBe("next");
    expect(passwordProblem("old password", "new password", "new password")).toBeNull();
  });
});
