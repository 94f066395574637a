import { describe, expect, it } from "vitest";
import { GAP_RETRY, RoomState } from "../../src/state";
import { alice, bob, listing, msg, seqs } from "../helpers";

/** A room whose latest page has been loaded, with messages 1..n shown. */
function opened(n: number): RoomState {
  const room = new RoomState(listing({ last_seq: n }));
  room.setLatest(
    Array.from({ length: n }, (_, i) => msg(i + 1)),
    false,
  );
  return room;
}

describe("RoomState from a listing", () => {
  it("starts counting at the listed last seq, with the unread count as its read mark", () => {
    const room = new RoomState(listing({ last_seq: 40, unread: 3 }));
    expect(room.contig).toBe(40);
    expect(room.lastSeq).toBe(40);
    expect(room.readSeq).toBe(37);
    expect(room.unread).toBe(3);
    expect(room.hasGap).toBe(false);
  });

  it("counts nothing unread in a room the reader is not in", () => {
    expect(new RoomState(listing({ last_seq: 40, unread: 3, member: false })).unread).toBe(0);
  });

  it("takes a newer listing in, never moving marks back", () => {
    const room = new RoomState(listing({ last_seq: 10, unread: 2 }));
    room.update(listing({ last_seq: 15, unread: 1 }));
    expect(room.lastSeq).toBe(15);
    expect(room.readSeq).toBe(14);
    expect(room.contig).toBe(15); // nothing shown yet: counts from the listing
    room.update(listing({ last_seq: 12, unread: 12 }));
    expect(room.lastSeq).toBe(15);
    expect(room.readSeq).toBe(14);
  });

  it("does not move contig from a listing once it shows messages", () => {
    const room = opened(3);
    room.update(listing({ last_seq: 9 }));
    expect(room.contig).toBe(3);
    expect(room.lastSeq).toBe(9);
  });

  it("forgets its history and people when the reader is no longer a member", () => {
    const room = opened(3);
    room.setMembers([{ ...alice, online: true }]);
    room.update(listing({ last_seq: 3, member: false }));
    expect(room.member).toBe(false);
    expect(room.loaded).toBe(false);
    expect(room.members).toBeNull();
  });
});

describe("RoomState.ingest: by seq, once", () => {
  it("shows messages in order and moves contig", () => {
    const room = opened(0);
    expect(room.ingest(msg(1))).toBe("new");
    expect(room.ingest(msg(2))).toBe("new");
    expect(room.contig).toBe(2);
    expect(seqs(room.sorted())).toEqual([1, 2]);
  });

  it("drops a message it has shown already (same seq from live, ack or sync)", () => {
    const room = opened(3);
    const before = room.msgs.get(2);
    expect(room.ingest(msg(2, { text: "again" }))).toBe("dup");
    expect(room.msgs.get(2)).toBe(before);
    expect(room.msgs.size).toBe(3);
  });

  it("holds a message past a gap, and drops a second copy of a held one", () => {
    const room = opened(3);
    expect(room.ingest(msg(5))).toBe("new");
    expect(room.contig).toBe(3);
    expect(room.hasGap).toBe(true);
    expect(seqs(room.sorted())).toEqual([1, 2, 3]);
    expect(room.lastSeq).toBe(5);
    expect(room.ingest(msg(5))).toBe("dup");
    expect(room.gap.size).toBe(1);
  });

  it("shows what was held once the gap is filled, in seq order", () => {
    const room = opened(3);
    room.ingest(msg(7));
    room.ingest(msg(5));
    room.ingest(msg(6));
    expect(room.contig).toBe(3);
    room.ingest(msg(4));
    expect(room.contig).toBe(7);
    expect(room.hasGap).toBe(false);
    expect(seqs(room.sorted())).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("keeps only the latest 100 messages of a room never opened", () => {
    const room = new RoomState(listing({ last_seq: 0 }));
    for (let seq = 1; seq <= 130; seq++) room.ingest(msg(seq));
    expect(room.msgs.size).toBe(100);
    expect(room.oldest).toBe(31);
    expect(room.contig).toBe(130);
  });
});

describe("RoomState gaps (the policy itself: gap.test.ts)", () => {
  it("is done once a sync filled the gap, and starts counting anew", () => {
    const room = opened(3);
    room.ingest(msg(5));
    room.gap.syncing();
    room.ingest(msg(4)); // what the sync brought
    expect(room.gapSynced(true)).toBe("filled");
    expect(room.gap.syncs).toBe(0);
    expect(room.contig).toBe(5);
  });

  it("waits for the reconnect when the socket went away meanwhile", () => {
    const room = opened(3);
    room.ingest(msg(5));
    room.gap.syncing();
    expect(room.gapSynced(false)).toBe("wait");
    expect(room.contig).toBe(3);
    expect(room.hasGap).toBe(true);
  });

  it("tries again, then skips a gap the store cannot fill, showing what came after", () => {
    const room = opened(3);
    room.ingest(msg(6));
    room.ingest(msg(7));
    const outcomes = [];
    for (let i = 0; i < (GAP_RETRY.attempts ?? 0); i++) {
      room.gap.syncing();
      outcomes.push(room.gapSynced(true));
    }
    expect(outcomes).toEqual(["again", "again", "skipped"]);
    expect(room.hasGap).toBe(false);
    expect(room.contig).toBe(7);
    expect(seqs(room.sorted())).toEqual([1, 2, 3, 6, 7]);
    expect(room.gap.syncs).toBe(0);
  });

  it("skipping one gap keeps holding what is past the next one", () => {
    const room = opened(3);
    for (const seq of [5, 6, 9]) room.ingest(msg(seq));
    room.skipGap();
    expect(room.contig).toBe(6);
    expect(seqs(room.gap.sorted())).toEqual([9]);
    expect(room.hasGap).toBe(true);
  });
});

describe("RoomState pages", () => {
  it("makes the latest page the window, keeping live messages that arrived meanwhile", () => {
    const room = new RoomState(listing({ last_seq: 10 }));
    room.ingest(msg(11)); // live, before the page came
    room.setLatest([msg(9), msg(10)], true);
    expect(room.loaded).toBe(true);
    expect(room.oldest).toBe(9);
    expect(room.hasOlder).toBe(true);
    expect(room.contig).toBe(11);
    expect(seqs(room.sorted())).toEqual([9, 10, 11]);
  });

  it("holds a live message that the page does not reach", () => {
    const room = new RoomState(listing({ last_seq: 10 }));
    room.ingest(msg(13));
    room.setLatest([msg(9), msg(10)], false);
    expect(room.contig).toBe(10);
    expect(seqs(room.gap.sorted())).toEqual([13]);
  });

  it("after an empty page, counts from seq 1: a racing live message is not taken as seen", () => {
    const room = new RoomState(listing({ last_seq: 0 }));
    room.update(listing({ last_seq: 2 }));
    room.ingest(msg(3));
    room.setLatest([], false);
    expect(room.contig).toBe(0);
    expect(room.oldest).toBeNull();
    expect(seqs(room.gap.sorted())).toEqual([3]);
    expect(room.hasGap).toBe(true);
  });

  it("prepends only what is older than the window", () => {
    const room = new RoomState(listing({ last_seq: 10 }));
    room.setLatest([msg(9), msg(10)], true);
    room.prepend([msg(7), msg(8), msg(9, { text: "stale copy" })], false);
    expect(seqs(room.sorted())).toEqual([7, 8, 9, 10]);
    expect(room.msgs.get(9)?.text).toBe("message 9");
    expect(room.oldest).toBe(7);
    expect(room.hasOlder).toBe(false);
  });

  it("restarts the window at the last known seq when more was missed than a sync returns", () => {
    const room = opened(3);
    room.ingest(msg(9));
    room.restartWindow();
    expect(room.msgs.size).toBe(0);
    expect(room.gap.size).toBe(0);
    expect(room.loaded).toBe(false);
    expect(room.contig).toBe(9);
    expect(room.oldest).toBeNull();
  });

  it("backs off failed page loads on its own clock", () => {
    let now = 0;
    const room = new RoomState(listing(), () => now);
    expect(room.olderRetry.fail()).toBe(2000);
    expect(room.olderRetry.ready).toBe(false);
    now = 2000;
    expect(room.olderRetry.ready).toBe(true);
    expect([room.latestRetry.fail(), room.latestRetry.fail()]).toEqual([2000, 4000]);
  });
});

describe("RoomState people and notices", () => {
  it("expires typing at its time", () => {
    const room = opened(0);
    room.setTyping(alice, 1000);
    room.setTyping(bob, 5000);
    expect(room.expireTyping(999)).toBe(false);
    expect(room.expireTyping(1000)).toBe(true);
    expect([...room.typing.keys()]).toEqual([bob.id]);
  });

  it("places a notice after the last shown message, and keeps the latest 200", () => {
    let now = Date.UTC(2024, 0, 1, 12);
    const room = new RoomState(listing({ last_seq: 0 }), () => now);
    room.setLatest([msg(1), msg(2), msg(3), msg(4)], false);
    room.addNotice("bob joined #general");
    expect(room.notices[0]).toMatchObject({
      afterSeq: 4,
      text: "bob joined #general",
      at: "2024-01-01T12:00:00.000Z",
    });
    for (let i = 0; i < 250; i++) {
      now += 1;
      room.addNotice(`n${i}`);
    }
    expect(room.notices).toHaveLength(200);
    expect(room.notices[0]?.text).toBe("n50");
    expect(room.notices.at(-1)?.text).toBe("n249");
    expect(new Set(room.notices.map((n) => n.key)).size).toBe(200);
  });
});
