import { describe, expect, it } from "vitest";
import type { Notice, Pending } from "../../src/state";
import type { Message } from "../../src/types";
import {
  GROUP_MS,
  pendingState,
  timelineItems,
  typingText,
  type TimelineInput,
  type TimelineItem,
} from "../../src/views/room/items";
import { alice, bob, msg } from "../helpers";

// Local times, so that day boundaries hold in any time zone.
const at = (day: number, hour: number, minute = 0, second = 0): string =>
  new Date(2024, 0, day, hour, minute, second).toISOString();

function m(seq: number, user = bob, when = at(1, 12, 0, seq)): Message {
  return msg(seq, { user, created_at: when });
}

function notice(key: string, afterSeq: number, when: string): Notice {
  return { key, afterSeq, text: `notice ${key}`, at: when };
}

function pending(clientId: string, over: Partial<Pending> = {}): Pending {
  return {
    clientId,
    room: "general",
    text: "hi",
    status: "queued",
    createdAt: at(1, 13),
    attempts: 1,
    ...over,
  };
}

function items(over: Partial<TimelineInput>): TimelineItem[] {
  return timelineItems({
    messages: [],
    notices: [],
    pending: [],
    shows: () => false,
    me: alice.id,
    connected: true,
    now: Date.parse(at(1, 13)),
    ...over,
  });
}

const keys = (list: TimelineItem[]): string[] => list.map((i) => i.key);

describe("timeline items", () => {
  it("puts one day separator before each day's first item", () => {
    const list = items({ messages: [m(1, bob, at(1, 9)), m(2, bob, at(1, 18)), m(3, bob, at(2, 8))] });
    expect(list.map((i) => i.kind)).toEqual(["day", "message", "message", "day", "message"]);
    expect(keys(list)).toEqual(["d2024-01-01", "m1", "m2", "d2024-01-02", "m3"]);
  });

  it("draws a message compact after the same author's within five minutes", () => {
    const list = items({
      messages: [
        m(1, bob, at(1, 12, 0)),
        m(2, bob, at(1, 12, 4)), // same author, 4 min: compact
        m(3, alice, at(1, 12, 5)), // another author
        m(4, alice, at(1, 12, 11)), // same author, 6 min later
        m(5, alice, at(1, 12, 11, 30)),
      ],
    });
    const compact = list.flatMap((i) => (i.kind === "message" ? [[i.message.seq, i.compact]] : []));
    expect(compact).toEqual([
      [1, false],
      [2, true],
      [3, false],
      [4, false],
      [5, true],
    ]);
    expect(keys(list)).toContain("m2c");
  });

  it("ends a group at exactly five minutes", () => {
    const start = Date.parse(at(1, 12));
    const list = items({
      messages: [m(1, bob, at(1, 12)), m(2, bob, new Date(start + GROUP_MS).toISOString())],
    });
    expect(keys(list)).toEqual(["d2024-01-01", "m1", "m2"]);
  });

  it("ends a group at a new day, even a minute later", () => {
    const list = items({ messages: [m(1, bob, at(1, 23, 59)), m(2, bob, at(2, 0, 0))] });
    expect(keys(list)).toEqual(["d2024-01-01", "m1", "d2024-01-02", "m2"]);
  });

  it("places notices after the message they followed, and a notice ends a group", () => {
    const list = items({
      messages: [m(1, bob, at(1, 12, 0)), m(2, bob, at(1, 12, 1)), m(3, bob, at(1, 12, 2))],
      notices: [notice("n2", 1, at(1, 12, 0, 30)), notice("n1", 0, at(1, 11))],
    });
    expect(keys(list)).toEqual(["d2024-01-01", "n1", "m1", "n2", "m2", "m3c"]);
  });

  it("shows notices after the last message at the end, with their own day", () => {
    const list = items({
      messages: [m(1, bob, at(1, 12))],
      notices: [notice("n1", 1, at(2, 9))],
    });
    expect(keys(list)).toEqual(["d2024-01-01", "m1", "d2024-01-02", "n1"]);
  });

  it("shows pending sends after the messages, leaving out those already shown", () => {
    const list = items({
      messages: [m(1, bob, at(1, 12))],
      pending: [pending("a", { seq: 1 }), pending("b"), pending("c", { status: "failed" })],
      shows: (seq) => seq === 1,
    });
    expect(keys(list)).toEqual(["d2024-01-01", "m1", "pbsending", "pcfailedc"]);
  });

  it("groups a pending send with the reader's own last message", () => {
    const list = items({
      messages: [m(1, alice, at(1, 12, 58))],
      pending: [pending("a", { createdAt: at(1, 13) })],
    });
    const last = list.at(-1);
    expect(last).toMatchObject({ kind: "pending", compact: true, state: "sending" });
    expect(last?.key).toBe("pasendingc");
  });

  it("does not group a pending send with someone else's message", () => {
    const list = items({
      messages: [m(1, bob, at(1, 12, 58))],
      pending: [pending("a", { createdAt: at(1, 13) })],
    });
    expect(list.at(-1)).toMatchObject({ kind: "pending", compact: false });
  });

  it("starts a new day for a pending send typed after midnight", () => {
    const list = items({
      messages: [m(1, alice, at(1, 23, 59))],
      pending: [pending("a", { createdAt: at(2, 0, 1) })],
    });
    expect(keys(list)).toEqual(["d2024-01-01", "m1", "d2024-01-02", "pasending"]);
  });

  it("is empty for an empty room", () => {
    expect(items({})).toEqual([]);
  });
});

describe("pendingState", () => {
  const now = 1_000_000;
  it("says why a message is not sent yet", () => {
    expect(pendingState(pending("a", { status: "failed" }), true, now)).toBe("failed");
    expect(pendingState(pending("a", { notBefore: now + 1 }), true, now)).toBe("throttled");
    expect(pendingState(pending("a", { notBefore: now }), true, now)).toBe("sending");
    expect(pendingState(pending("a", { status: "sending" }), true, now)).toBe("sending");
    expect(pendingState(pending("a"), false, now)).toBe("waiting");
  });
});

describe("typingText", () => {
  it("names one or two people, alphabetically, and counts more", () => {
    expect(typingText([])).toBe("");
    expect(typingText(["bob"])).toBe("bob is typing…");
    expect(typingText(["carol", "bob"])).toBe("bob and carol are typing…");
    expect(typingText(["a", "b", "c"])).toBe("Several people are typing…");
  });
});

describe("timeline items (v2)", () => {
  it("makes a message anew when its rev, editing state or quoted original changes", () => {
    const reply = msg(2, { rev: 5, reply_to: 1 });
    const original = msg(1, { rev: 3 });
    const list = items({
      messages: [reply],
      editing: 2,
      original: (seq) => (seq === 1 ? original : undefined),
    });
    const item = list.find((i) => i.kind === "message");
    expect(item?.key).toBe("m2r5eq3");
    expect(item?.kind === "message" && item.editing).toBe(true);
    expect(item?.kind === "message" && item.quote).toEqual({ seq: 1, original });
    const unknown = items({ messages: [reply], original: () => undefined });
    expect(unknown.find((i) => i.kind === "message")?.key).toBe("m2r5q?");
  });

  it("keeps v1 keys for messages without revs or replies", () => {
    const list = items({ messages: [msg(1)], editing: null });
    expect(keys(list)).toContain("m1");
  });
});
