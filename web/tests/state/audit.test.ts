import { describe, expect, it } from "vitest";
import { AuditPages, auditText } from "../../src/state/audit";
import type { AuditEntry } from "../../src/types";

function entry(id: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at: "2024-01-01T12:00:00+00:00",
    actor: { id: 1, username: "alice" },
    action: "kick",
    room: "general",
    target: "spammer",
    detail: null,
    ...over,
  };
}

describe("audit entries in words", () => {
  it("say who did what to whom, where", () => {
    expect(auditText(entry(1))).toBe("alice removed spammer from #general");
    expect(auditText(entry(1, { action: "ban" }))).toBe("alice banned spammer from #general");
    expect(auditText(entry(1, { action: "unban" }))).toBe("alice unbanned spammer from #general");
    expect(auditText(entry(1, { action: "mute", detail: "3600 s" }))).toBe(
      "alice muted spammer in #general for 1 hour",
    );
    expect(auditText(entry(1, { action: "role", target: "bob", detail: "moderator" }))).toBe(
      "alice made bob a moderator of #general",
    );
    expect(auditText(entry(1, { action: "role", target: "bob", detail: "member" }))).toBe(
      "alice made bob a member of #general",
    );
    expect(auditText(entry(1, { action: "topic", target: null, detail: "be kind" }))).toBe(
      "alice set the topic of #general to “be kind”",
    );
    expect(auditText(entry(1, { action: "topic", target: null, detail: null }))).toBe(
      "alice cleared the topic of #general",
    );
    expect(auditText(entry(1, { action: "archive", target: null }))).toBe("alice archived #general");
    expect(auditText(entry(1, { action: "delete_room", target: null }))).toBe("alice deleted #general");
    expect(auditText(entry(1, { action: "webhook", target: "ci" }))).toBe(
      "alice created the webhook “ci” in #general",
    );
  });

  it("say account changes, and the command line as the actor", () => {
    expect(auditText(entry(1, { action: "deactivate", room: null, target: "bob" }))).toBe("alice deactivated bob");
    expect(auditText(entry(1, { action: "reactivate", room: null, target: "bob" }))).toBe("alice reactivated bob");
    const cli = { actor: null, room: null, detail: "command line" };
    expect(auditText(entry(1, { ...cli, action: "set_role", target: "carol" }))).toBe(
      "the command line changed the server role of carol",
    );
    expect(auditText(entry(1, { ...cli, action: "delete_room", target: "old-room" }))).toBe(
      "the command line deleted #old-room",
    );
  });

  it("fall back to the raw fields for an action not known yet", () => {
    expect(auditText(entry(1, { action: "frobnicate", detail: "x" }))).toBe("alice frobnicate spammer #general x");
  });
});

describe("audit pages", () => {
  it("ask for entries before the oldest held, and stop after a short page", () => {
    const pages = new AuditPages(2);
    expect(pages.before).toBeNull();
    pages.take([entry(9), entry(8)], true);
    expect(pages.hasMore).toBe(true);
    expect(pages.before).toBe(8);
    pages.take([entry(8), entry(7)], false); // one already held
    expect(pages.entries.map((e) => e.id)).toEqual([9, 8, 7]);
    pages.take([entry(6)], false);
    expect(pages.hasMore).toBe(false);
    expect(pages.entries.map((e) => e.id)).toEqual([9, 8, 7, 6]);
    pages.take([entry(10)], true); // the newest page again replaces them
    expect(pages.entries.map((e) => e.id)).toEqual([10]);
  });
});
