import { describe, expect, it } from "vitest";
import { emojiMatches, qualified, type EmojiEntry } from "../../src/state/emoji";

const all: EmojiEntry[] = [
  { unicode: "😀", label: "grinning face", group: 0, order: 1, tags: ["face", "grin"] },
  { unicode: "👍", label: "thumbs up", group: 1, order: 3, tags: ["+1", "good", "yes"] },
  { unicode: "🐶", label: "dog face", group: 3, order: 5, tags: ["dog", "pet"] },
  { unicode: "🦮", label: "guide dog", group: 3, order: 6, tags: ["blind"] },
];

describe("emojiMatches", () => {
  it("matches word prefixes of labels and tags, label prefixes first", () => {
    expect(emojiMatches(all, "dog").map((e) => e.unicode)).toEqual(["🐶", "🦮"]);
    expect(emojiMatches(all, "gui dog").map((e) => e.unicode)).toEqual(["🦮"]);
    expect(emojiMatches(all, "+1").map((e) => e.unicode)).toEqual(["👍"]);
    expect(emojiMatches(all, "FACE").map((e) => e.unicode)).toEqual(["😀", "🐶"]);
  });

  it("finds nothing for an empty query or no match", () => {
    expect(emojiMatches(all, "  ")).toEqual([]);
    expect(emojiMatches(all, "zebra")).toEqual([]);
  });
});

describe("qualified", () => {
  it("drops a variation selector the emoji does not need, keeps one it does", () => {
    expect(qualified("👍\uFE0F")).toBe("👍");
    expect(qualified("❤\uFE0F")).toBe("❤\uFE0F");
    expect(qualified("🏳\uFE0F\u200D🌈")).toBe("🏳\uFE0F\u200D🌈");
    expect(qualified("#\uFE0F\u20E3")).toBe("#\uFE0F\u20E3");
  });
});
