import { describe, expect, it } from "vitest";
import { RoomState } from "../../src/state";
import { listing, msg, seqs } from "../helpers";

/** A v2 room whose latest page holds messages 1..n, message i at rev i. */
function opened(n: number, rev = n): RoomState {
  const room = new RoomState(listing({ last_seq: n, rev }));
  room.setLatest(
    Array.from({ length: n }, (_, i) => msg(i + 1, { rev: i + 1 })),
    false,
  );
  return room;
}

describe("RoomState: changed messages, by seq and rev", () => {
  it("replaces a shown message with a newer state, never with an older one", () => {
    const room = opened(3);
    expect(room.ingest(msg(2, { rev: 4, text: "edited", edited_at: "x" }))).toBe("updated");
    expect(room.msgs.get(2)?.text).toBe("edited");
    expect(room.ingest(msg(2, { rev: 2, text: "message 2" }))).toBe("dup");
    expect(room.msgs.get(2)?.text).toBe("edited");
    expect(room.ingest(msg(2, { rev: 4, text: "edited" }))).toBe("dup");
    expect(room.revs?.mark).toBe(4);
  });

  it("takes a change to a message it has not received as that message", () => {
    const room = opened(2);
    // Message 3 was missed; its edit (rev 4) arrives: held past the gap like a new one.
    expect(room.ingest(msg(3, { rev: 4, text: "edited" }))).toBe("new");
    expect(seqs(room.sorted())).toEqual([1, 2, 3]);
    expect(room.msgs.get(3)?.text).toBe("edited");
    expect(room.revs?.hasGap).toBe(true); // rev 3 was missed
    // The creation (rev 3) arriving late does not undo the edit.
    expect(room.ingest(msg(3, { rev: 3, text: "message 3" }))).toBe("dup");
    expect(room.msgs.get(3)?.text).toBe("edited");
    expect(room.revs?.hasGap).toBe(false);
  });

  it("updates a held message too, keeping the newest", () => {
    const room = opened(1);
    room.ingest(msg(3, { rev: 3 }));
    room.ingest(msg(3, { rev: 5, deleted: true, text: "" }));
    room.ingest(msg(3, { rev: 4, text: "edited" }));
    room.ingest(msg(2, { rev: 2 }));
    expect(room.msgs.get(3)?.deleted).toBe(true);
  });

  it("keeps a change to a message older than the window for the page that brings it", () => {
    const room = new RoomState(listing({ last_seq: 60, rev: 60 }));
    room.setLatest(
      Array.from({ length: 10 }, (_, i) => msg(51 + i, { rev: 51 + i })),
      true,
    );
    expect(room.ingest(msg(5, { rev: 61, text: "edited" }))).toBe("dup");
    expect(room.known(5)?.text).toBe("edited");
    // An older page read before the edit arrives: the edit wins.
    room.prepend(
      Array.from({ length: 50 }, (_, i) => msg(1 + i, { rev: 1 + i })),
      false,
    );
    expect(room.msgs.get(5)?.text).toBe("edited");
    expect(room.msgs.get(6)?.text).toBe("message 6");
  });

  it("remembers a quoted message outside the window, and updates it", () => {
    const room = opened(3);
    room.remember(msg(1, { rev: 1 })); // shown: nothing to keep outside
    expect(room.outside.size).toBe(0);
    const far = new RoomState(listing({ last_seq: 100, rev: 100 }));
    far.remember(msg(7, { rev: 7 }));
    expect(far.known(7)?.text).toBe("message 7");
    expect(far.ingest(msg(7, { rev: 101, deleted: true, text: "" }))).toBe("updated");
    expect(far.known(7)?.deleted).toBe(true);
    far.remember(msg(7, { rev: 7 })); // a stale fetch answered late
    expect(far.known(7)?.deleted).toBe(true);
  });

  it("a page keeps a newer state that arrived live before it", () => {
    const room = new RoomState(listing({ last_seq: 2, rev: 2 }));
    room.ingest(msg(3, { rev: 3 }));
    room.ingest(msg(3, { rev: 4, text: "edited" }));
    room.setLatest([msg(1, { rev: 1 }), msg(2, { rev: 2 }), msg(3, { rev: 3 })], false);
    expect(room.msgs.get(3)?.text).toBe("edited");
  });

  it("catches up from a page that predates what a listing counted", () => {
    // The listing (rev 9, last seq 5) raced the page, read at seq 3 (rev 3).
    const room = new RoomState(listing({ last_seq: 0, rev: 0 }));
    room.update(listing({ last_seq: 5, rev: 9 }));
    expect(room.revs?.mark).toBe(9);
    room.setLatest([msg(1, { rev: 1 }), msg(2, { rev: 2 }), msg(3, { rev: 3 })], false);
    expect(room.contig).toBe(3);
    expect(room.revs?.mark).toBe(3); // seqs 4 and 5 (revs > 3) are fetched by rev
    expect(room.revs?.behind).toBe(true);
  });

  it("keeps its mark when the page is newer than what it counted", () => {
    const room = new RoomState(listing({ last_seq: 2, rev: 5 }));
    room.setLatest([msg(1, { rev: 1 }), msg(2, { rev: 5 })], false);
    expect(room.revs?.mark).toBe(5);
    expect(room.revs?.behind).toBe(false);
  });

  it("has no change stream from a v1 server", () => {
    const room = new RoomState(listing({ last_seq: 1 }));
    expect(room.revs).toBeNull();
    room.setLatest([msg(1)], false);
    expect(room.ingest(msg(1, { text: "other" }))).toBe("dup");
  });
});
