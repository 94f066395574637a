import { describe, expect, it } from "vitest";
import { MAX_PICKED, PickerSelection, pickerHint } from "../../src/state/picker";
import type { User } from "../../src/types";

const user = (id: number): User => ({ id, username: `user${id}` });

describe("PickerSelection", () => {
  it("is not ready empty, ready with one to eight people", () => {
    const s = new PickerSelection(1);
    expect(s.ready).toBe(false);
    s.add(user(2));
    expect(s.ready).toBe(true);
    for (let id = 3; id <= 9; id++) expect(s.add(user(id))).toBe("added");
    expect(s.size).toBe(MAX_PICKED);
    expect(s.ready).toBe(true);
  });

  it("refuses a ninth person, and says why", () => {
    const s = new PickerSelection(1);
    for (let id = 2; id <= 9; id++) s.add(user(id));
    expect(s.full).toBe(true);
    expect(s.add(user(10))).toBe("full");
    expect(s.size).toBe(8);
    expect(s.selectable(user(10))).toBe(false);
    expect(s.selectable(user(5))).toBe(true); // can still be unticked
    expect(pickerHint(s)).toMatch(/at most 8/);
    s.remove(5);
    expect(s.selectable(user(10))).toBe(true);
    expect(pickerHint(s)).toBe("");
  });

  it("never picks oneself", () => {
    const s = new PickerSelection(1);
    expect(s.add(user(1))).toBe("self");
    expect(s.toggle(user(1))).toBe("self");
    expect(s.selectable(user(1))).toBe(false);
    expect(s.size).toBe(0);
  });

  it("picks each person once, toggles, and gives the usernames in picked order", () => {
    const s = new PickerSelection(1);
    s.add(user(3));
    s.add(user(2));
    s.add(user(3));
    expect(s.usernames()).toEqual(["user3", "user2"]);
    expect(s.toggle(user(3))).toBe("removed");
    expect(s.toggle(user(4))).toBe("added");
    expect(s.usernames()).toEqual(["user2", "user4"]);
    expect(s.has(4)).toBe(true);
    s.clear();
    expect(s.size).toBe(0);
  });
});
