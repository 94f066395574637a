import { describe, expect, it } from "vitest";
import { isNewer, RevStream } from "../../src/state/revs";

describe("RevStream: the highest rev below which every change was seen", () => {
  it("moves one rev at a time, and ignores what it has seen", () => {
    const revs = new RevStream(4);
    expect(revs.note(5)).toBe(true);
    expect(revs.note(6)).toBe(true);
    expect(revs.note(6)).toBe(false);
    expect(revs.note(3)).toBe(false);
    expect(revs.mark).toBe(6);
    expect(revs.hasGap).toBe(false);
  });

  it("sees a jump as missed changes, and closes it when they arrive in any order", () => {
    const revs = new RevStream(10);
    revs.note(13);
    expect(revs.hasGap).toBe(true);
    expect(revs.mark).toBe(10);
    revs.note(12);
    expect(revs.mark).toBe(10);
    revs.note(11);
    expect(revs.mark).toBe(13);
    expect(revs.hasGap).toBe(false);
  });

  it("advances to what a sync answered, keeping what was seen past it", () => {
    const revs = new RevStream(1);
    revs.note(5);
    revs.note(9);
    revs.advance(7);
    expect(revs.mark).toBe(7);
    expect(revs.hasGap).toBe(true); // 8 is still missing
    revs.note(8);
    expect(revs.mark).toBe(9);
    revs.advance(3); // an older answer moves nothing back
    expect(revs.mark).toBe(9);
  });

  it("knows it is behind when a later rev is known to exist", () => {
    const revs = new RevStream(2);
    expect(revs.behind).toBe(false);
    revs.note(4);
    expect(revs.behind).toBe(true);
    revs.advance(4);
    expect(revs.behind).toBe(false);
  });

  it("lowers its mark to fetch again after a page it cannot place, staying behind", () => {
    const revs = new RevStream(20);
    revs.lower(12);
    expect(revs.mark).toBe(12);
    expect(revs.behind).toBe(true);
    revs.lower(15); // never raises
    expect(revs.mark).toBe(12);
    revs.advance(20);
    expect(revs.behind).toBe(false);
  });
});

describe("isNewer", () => {
  it("compares revs, and without them nothing replaces anything", () => {
    expect(isNewer({ rev: 3 }, { rev: 2 })).toBe(true);
    expect(isNewer({ rev: 2 }, { rev: 2 })).toBe(false);
    expect(isNewer({ rev: 1 }, { rev: 2 })).toBe(false);
    expect(isNewer({ rev: 1 }, {})).toBe(true);
    expect(isNewer({}, { rev: 1 })).toBe(false);
    expect(isNewer({}, {})).toBe(false);
  });
});
