import { describe, expect, it } from "vitest";
import { GAP_RETRY, GapTracker } from "../../src/state";
import { msg, seqs } from "../helpers";

describe("GapTracker: what is held past a gap", () => {
  it("holds messages by seq and hands them back in seq order", () => {
    const gap = new GapTracker();
    for (const seq of [9, 5, 7]) gap.hold(msg(seq));
    expect(gap.size).toBe(3);
    expect(gap.get(7)?.seq).toBe(7);
    expect(gap.get(6)).toBeUndefined();
    expect(seqs(gap.sorted())).toEqual([5, 7, 9]);
    expect(gap.size).toBe(3); // sorted() only looks
  });

  it("keeps the newer state of a held message, by rev", () => {
    const gap = new GapTracker();
    gap.hold(msg(5, { rev: 2, text: "edited" }));
    gap.hold(msg(5, { rev: 1, text: "first" }));
    expect(gap.get(5)?.text).toBe("edited");
    gap.hold(msg(5, { rev: 3, text: "edited again" }));
    expect(gap.get(5)?.text).toBe("edited again");
    expect(gap.size).toBe(1);
  });

  it("without revs (a v1 server) keeps the first copy", () => {
    const gap = new GapTracker();
    gap.hold(msg(5));
    gap.hold(msg(5, { text: "again" }));
    expect(gap.get(5)?.text).toBe("message 5");
  });

  it("takes one message out once it is next in line", () => {
    const gap = new GapTracker();
    gap.hold(msg(5));
    gap.hold(msg(6));
    expect(gap.take(4)).toBeUndefined();
    expect(gap.take(5)?.seq).toBe(5);
    expect(gap.take(5)).toBeUndefined();
    expect(seqs(gap.sorted())).toEqual([6]);
  });

  it("releases everything held, in seq order, holding nothing after", () => {
    const gap = new GapTracker();
    for (const seq of [8, 6]) gap.hold(msg(seq));
    expect(seqs(gap.release())).toEqual([6, 8]);
    expect(gap.size).toBe(0);
    expect(gap.release()).toEqual([]);
  });
});

describe("GapTracker: syncing for a gap", () => {
  it("waits the gap policy's time before each sync", () => {
    const gap = new GapTracker();
    expect(gap.wait()).toBe(GAP_RETRY.firstMs);
    gap.syncing();
    expect(gap.syncs).toBe(1);
    expect(gap.wait()).toBe(800); // constant
  });

  it("is filled when nothing is held any more, and counts anew", () => {
    const gap = new GapTracker();
    gap.syncing();
    expect(gap.synced(false, true)).toBe("filled");
    expect(gap.syncs).toBe(0);
  });

  it("waits for the reconnect when the socket went away, counting the sync", () => {
    const gap = new GapTracker();
    gap.syncing();
    expect(gap.synced(true, false)).toBe("wait");
    expect(gap.syncs).toBe(1);
  });

  it("tries again until the policy's attempts are used, then says skip and counts anew", () => {
    const gap = new GapTracker();
    const outcomes = [];
    for (let i = 0; i < (GAP_RETRY.attempts ?? 0); i++) {
      gap.syncing();
      outcomes.push(gap.synced(true, true));
    }
    expect(outcomes).toEqual(["again", "again", "skipped"]);
    expect(gap.syncs).toBe(0);
  });
});
