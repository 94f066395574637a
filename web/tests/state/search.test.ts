import { describe, expect, it } from "vitest";
import { highlightSegments, queryWords, SearchResults } from "../../src/state/search";
import { msg } from "../helpers";

const marked = (text: string, words: string[]): string =>
  highlightSegments(text, words)
    .map((s) => (s.match ? `[${s.text}]` : s.text))
    .join("");

describe("queryWords", () => {
  it("cuts runs of letters and digits, lower-cased, each once", () => {
    expect(queryWords("Hello, hello WORLD 42!")).toEqual(["hello", "world", "42"]);
    expect(queryWords("https://example.com/notes")).toEqual(["https", "example", "com", "notes"]);
  });

  it("splits on underscores and punctuation, keeps letters of any script", () => {
    expect(queryWords("snake_case déjà-vu Ωmega")).toEqual(["snake", "case", "déjà", "vu", "ωmega"]);
  });

  it("has no words for punctuation alone, and skips words over 64 characters", () => {
    expect(queryWords("... !!")).toEqual([]);
    expect(queryWords(`${"x".repeat(65)} ok`)).toEqual(["ok"]);
  });
});

describe("highlightSegments", () => {
  it("marks whole words of the query, in any case", () => {
    expect(marked("Lunch at noon? LUNCH!", ["lunch"])).toBe("[Lunch] at noon? [LUNCH]!");
  });

  it("never marks part of a word", () => {
    expect(marked("lunchbox and lunch", ["lunch"])).toBe("lunchbox and [lunch]");
    expect(marked("prelunch", ["lunch"])).toBe("prelunch");
  });

  it("marks every word of the query, wherever each appears", () => {
    expect(marked("the cat sat on the mat", ["mat", "cat"])).toBe("the [cat] sat on the [mat]");
  });

  it("gives the text back exactly when joined", () => {
    const text = "  a_b <b>bold</b> & émoji 🎉 done ";
    const joined = highlightSegments(text, ["b", "émoji"]).map((s) => s.text).join("");
    expect(joined).toBe(text);
    expect(marked(text, ["b", "émoji"])).toBe("  a_[b] <[b]>bold</[b]> & [émoji] 🎉 done ");
  });

  it("leaves a text with no match as one plain segment, and an empty text as none", () => {
    expect(highlightSegments("nothing here", ["lunch"])).toEqual([
      { text: "nothing here", match: false },
    ]);
    expect(highlightSegments("", ["x"])).toEqual([]);
  });
});

describe("SearchResults", () => {
  it("pages on from the oldest result's id, skipping results already listed", () => {
    const s = new SearchResults("lunch");
    expect(s.searchable).toBe(true);
    expect(s.before).toBeNull();
    expect(s.done).toBe(false);
    s.add({ results: [msg(9), msg(8)], has_more: true });
    expect(s.before).toBe(1008);
    expect(s.hasMore).toBe(true);
    s.add({ results: [msg(8), msg(7)], has_more: false });
    expect(s.results.map((m) => m.seq)).toEqual([9, 8, 7]);
    expect(s.hasMore).toBe(false);
    expect(s.done).toBe(true);
  });

  it("keeps an error to show, cleared by the next page", () => {
    const s = new SearchResults("lunch", "general");
    expect(s.room).toBe("general");
    s.fail("give at least one word");
    expect(s.error).toBe("give at least one word");
    s.add({ results: [], has_more: false });
    expect(s.error).toBeNull();
  });

  it("is not searchable without a word", () => {
    expect(new SearchResults(" ?! ").searchable).toBe(false);
  });
});
