import { describe, expect, it } from "vitest";
import { chips, listText, reacted } from "../../src/state/reactions";
import type { User } from "../../src/types";
import { alice, bob, msg } from "../helpers";

const people = new Map<number, User>([
  [alice.id, alice],
  [bob.id, { ...bob, display_name: "Bob B." }],
]);

describe("reaction chips", () => {
  const m = msg(1, {
    reactions: [
      { emoji: "👍", user_ids: [bob.id, alice.id] },
      { emoji: "🎉", user_ids: [9] },
      { emoji: "😮", user_ids: [] },
    ],
  });

  it("one per emoji in order, with count, pressed state and who reacted", () => {
    const shown = chips(m, alice.id, (id) => people.get(id));
    expect(shown.map((c) => [c.emoji, c.count, c.mine])).toEqual([
      ["👍", 2, true],
      ["🎉", 1, false],
    ]);
    expect(shown[0]?.label).toBe("👍 2: reacted by Bob B. and you");
    expect(shown[1]?.label).toBe("🎉 1: reacted by someone");
  });

  it("knows whether the reader reacted with an emoji", () => {
    expect(reacted(m, "👍", alice.id)).toBe(true);
    expect(reacted(m, "🎉", alice.id)).toBe(false);
    expect(reacted(msg(2), "👍", alice.id)).toBe(false);
  });

  it("lists names in words", () => {
    expect(listText([])).toBe("");
    expect(listText(["a"])).toBe("a");
    expect(listText(["a", "b", "c"])).toBe("a, b and c");
  });
});
