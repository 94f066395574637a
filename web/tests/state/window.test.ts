// The window around an older message (a jump to a search hit or a replied-to message).
import { describe, expect, it } from "vitest";
import { RoomState } from "../../src/state";
import { listing, msg, seqs } from "../helpers";

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));

/** A room of 100 messages whose latest 50 are shown. */
function latest(): RoomState {
  const room = new RoomState(listing({ last_seq: 100 }));
  room.setLatest(range(51, 100), true);
  return room;
}

describe("RoomState.showAround", () => {
  it("makes the page the window, detached from the present", () => {
    const room = latest();
    room.showAround(range(1, 30), false);
    expect(seqs(room.sorted())).toEqual(range(1, 30).map((m) => m.seq));
    expect(room.oldest).toBe(1);
    expect(room.hasOlder).toBe(false);
    expect(room.contig).toBe(30);
    expect(room.detached).toBe(true);
    expect(room.hasGap).toBe(false); // what it held is not a gap to sync
    expect(room.lastSeq).toBe(100);
  });

  it("holds live messages without asking to sync, then newer pages join them", () => {
    const room = latest();
    room.showAround(range(1, 30), false);
    expect(room.ingest(msg(101))).toBe("new");
    expect(room.hasGap).toBe(false);
    expect(room.msgs.has(101)).toBe(false);
    room.appendNewer(range(31, 80), true);
    expect(room.contig).toBe(101); // the rest was held from the latest window
    expect(room.detached).toBe(false);
    expect(room.msgs.size).toBe(101);
  });

  it("stays detached until a newer page says nothing more is newer", () => {
    const room = new RoomState(listing({ last_seq: 300 }));
    room.showAround(range(100, 149), true);
    expect(room.hasOlder).toBe(true);
    room.appendNewer(range(150, 199), true);
    expect(room.detached).toBe(true);
    expect(room.contig).toBe(199);
    room.appendNewer(range(200, 300), false);
    expect(room.detached).toBe(false);
    expect(room.contig).toBe(300);
    expect(room.ingest(msg(301))).toBe("new");
    expect(room.contig).toBe(301);
  });

  it("after the last newer page, a message past a hole is a gap again", () => {
    const room = new RoomState(listing({ last_seq: 100 }));
    room.showAround(range(1, 50), true);
    room.ingest(msg(103));
    room.appendNewer(range(51, 100), false);
    expect(room.detached).toBe(false);
    expect(room.hasGap).toBe(true); // 101 and 102 are missing: sync for them
  });

  it("is not detached when the page reaches the newest message", () => {
    const room = new RoomState(listing({ last_seq: 20 }));
    room.showAround(range(1, 20), false);
    expect(room.detached).toBe(false);
  });

  it("goes back to the present with the latest page", () => {
    const room = latest();
    room.showAround(range(1, 30), false);
    room.setLatest(range(51, 100), true);
    expect(room.detached).toBe(false);
    expect(room.contig).toBe(100);
    expect(room.oldest).toBe(51);
  });
});

describe("RoomState.showAround and the change stream", () => {
  it("leaves the rev mark where it was (old messages say nothing of the stream)", () => {
    const room = new RoomState(listing({ last_seq: 100, rev: 140 }));
    room.setLatest(
      range(51, 100).map((m) => ({ ...m, rev: m.seq + 40 })),
      true,
    );
    const mark = room.revs?.mark;
    room.showAround(
      range(1, 30).map((m) => ({ ...m, rev: m.seq })),
      false,
    );
    expect(room.detached).toBe(true);
    expect(room.revs?.mark).toBe(mark);
  });
});
