import { describe, expect, it } from "vitest";
import { MentionCount, mentionsOf } from "../../src/state/mentions";
import {
  insertMention,
  matchPeople,
  mentionAt,
  splitMentions,
} from "../../src/state/mentiontext";
import { shouldNotify } from "../../src/state/notifylevel";
import type { User } from "../../src/types";
import { alice, bob, msg } from "../helpers";

const mentions = (text: string): string[] =>
  splitMentions(text)
    .filter((p) => p.kind === "mention")
    .map((p) => p.text);

describe("splitMentions: as the server reads them", () => {
  it("finds @username and @room, keeping every character", () => {
    const parts = splitMentions("hi @Alice and @room!");
    expect(parts.map((p) => p.text).join("")).toBe("hi @Alice and @room!");
    expect(parts).toContainEqual({ kind: "mention", text: "@Alice", name: "alice" });
    expect(mentions("hi @Alice and @room!")).toEqual(["@Alice", "@room"]);
  });

  it("ignores e-mail addresses, short names and what follows a dot or @", () => {
    expect(mentions("mail a@bob.com or x.@carol @@dave @ab")).toEqual([]);
    expect(mentions("éa@bob")).toEqual([]);
  });

  it("leaves a trailing dot or dash out of the name", () => {
    expect(mentions("thanks @bob.")).toEqual(["@bob"]);
    expect(mentions("@bob.smith- ok")).toEqual(["@bob.smith"]);
    expect(mentions("(@bob)")).toEqual(["@bob"]);
  });
});

describe("mentionAt: the @word being typed", () => {
  it("finds the query up to the caret", () => {
    expect(mentionAt("hello @al", 9)).toEqual({ start: 6, query: "al" });
    expect(mentionAt("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionAt("hey @bob now", 8)).toEqual({ start: 4, query: "bob" });
  });

  it("is not after a word character, nor after a space", () => {
    expect(mentionAt("mail a@b", 8)).toBeNull();
    expect(mentionAt("@bob done", 9)).toBeNull();
    expect(mentionAt("no at here", 5)).toBeNull();
  });
});

describe("matchPeople", () => {
  const people: User[] = [
    alice,
    bob,
    { id: 3, username: "carol", display_name: "Bobby Tables" },
    { id: 4, username: "dave", display_name: "Dave Smith" },
  ];

  it("ranks username prefixes, then display names, then their words; never the reader", () => {
    expect(matchPeople(people, "bo", alice.id).map((c) => c.username)).toEqual(["bob", "carol"]);
    expect(matchPeople(people, "smi", alice.id).map((c) => c.username)).toEqual(["dave"]);
    expect(matchPeople(people, "al", alice.id)).toEqual([]);
  });

  it("labels with the display name and offers @room", () => {
    const all = matchPeople(people, "", alice.id);
    expect(all.map((c) => c.username)).toEqual(["bob", "carol", "dave", "room"]);
    expect(all[1]?.label).toBe("Bobby Tables (@carol)");
    expect(all[0]?.label).toBe("bob");
    expect(matchPeople(people, "ro", alice.id).map((c) => c.username)).toEqual(["room"]);
  });
});

describe("insertMention", () => {
  it("replaces the query with the name and a space", () => {
    expect(insertMention("hi @bo", 3, 6, "bob")).toEqual({ text: "hi @bob ", caret: 8 });
    expect(insertMention("hi @bo there", 3, 6, "bob")).toEqual({ text: "hi @bob there", caret: 8 });
  });
});

describe("MentionCount", () => {
  const me = alice.id;
  const mentioning = (seq: number) => msg(seq, { mentions: [me] });

  it("counts the listing's until the read mark passes it, then live ones", () => {
    const count = new MentionCount();
    count.listed(2, 10);
    expect(count.count(8)).toBe(2);
    count.seen(mentioning(11), me);
    count.seen(msg(12), me);
    expect(count.count(8)).toBe(3);
    expect(count.count(10)).toBe(1);
    expect(count.count(11)).toBe(0);
  });

  it("stops counting a message edited or deleted so it no longer mentions the reader", () => {
    const count = new MentionCount();
    count.seen(mentioning(3), me);
    expect(count.count(0)).toBe(1);
    count.seen(msg(3, { deleted: true, mentions: [] }), me);
    expect(count.count(0)).toBe(0);
  });

  it("never counts one's own messages; a newer listing takes over", () => {
    const count = new MentionCount();
    count.seen(msg(1, { user: alice, mentions: [me] }), me);
    expect(count.count(0)).toBe(0);
    count.seen(mentioning(2), me);
    count.listed(1, 2);
    expect(count.count(0)).toBe(1);
    count.listed(5, 1); // an older listing changes nothing
    expect(count.count(0)).toBe(1);
  });

  it("mentionsOf: the mentions list, not a tombstone", () => {
    expect(mentionsOf(mentioning(1), me)).toBe(true);
    expect(mentionsOf(msg(1, { mentions: [bob.id] }), me)).toBe(false);
    expect(mentionsOf(msg(1), me)).toBe(false);
  });
});

describe("shouldNotify", () => {
  it("all, mentions only, or nothing", () => {
    expect(shouldNotify("all", false)).toBe(true);
    expect(shouldNotify("mentions", false)).toBe(false);
    expect(shouldNotify("mentions", true)).toBe(true);
    expect(shouldNotify("none", true)).toBe(false);
  });
});
