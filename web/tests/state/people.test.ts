import { describe, expect, it } from "vitest";
import { displayName, dmTitle, People } from "../../src/state/people";
import type { User } from "../../src/types";

const me: User = { id: 1, username: "alice", display_name: null, bot: false };
const bob: User = { id: 2, username: "bob", display_name: "Bobby Tables", bot: false };
const carol: User = { id: 3, username: "carol", display_name: null, bot: false };
const dave: User = { id: 4, username: "dave", display_name: "  ", bot: false };

describe("displayName", () => {
  it("is the display name when one is set, trimmed", () => {
    expect(displayName(bob)).toBe("Bobby Tables");
    expect(displayName({ username: "bob", display_name: "  Bob  " })).toBe("Bob");
  });

  it("falls back to the username when none is set, or it is blank, or absent (v1)", () => {
    expect(displayName(carol)).toBe("carol");
    expect(displayName(dave)).toBe("dave");
    expect(displayName({ username: "bob", display_name: "" })).toBe("bob");
    expect(displayName({ username: "eve" })).toBe("eve");
  });
});

describe("dmTitle", () => {
  it("names the other people, not me", () => {
    expect(dmTitle([me, bob], me.id)).toBe("Bobby Tables");
  });

  it("comma-joins several, alphabetically, display names when set", () => {
    expect(dmTitle([carol, me, bob], me.id)).toBe("Bobby Tables, carol");
    expect(dmTitle([me, dave, carol, bob], me.id)).toBe("Bobby Tables, carol, dave");
  });

  it("is my own name in a conversation with myself, and a placeholder with nobody known", () => {
    expect(dmTitle([me], me.id)).toBe("alice");
    expect(dmTitle([], me.id)).toBe("Direct message");
  });

  it("takes the names from the given lookup (the directory's fresh copies)", () => {
    const people = new People();
    people.learn({ ...bob, display_name: "Robert" });
    expect(dmTitle([me, bob], me.id, (u) => people.name(u))).toBe("Robert");
  });
});

describe("People", () => {
  it("shows a person's own object until a fresher copy is learned", () => {
    const people = new People();
    expect(people.name(bob)).toBe("Bobby Tables");
    people.learn({ ...bob, display_name: "Bob" });
    expect(people.name(bob)).toBe("Bob");
    expect(people.resolve(bob).display_name).toBe("Bob");
  });

  it("clears a display name when told null", () => {
    const people = new People();
    people.learn(bob);
    people.learn({ ...bob, display_name: null });
    expect(people.name(bob)).toBe("bob");
  });

  it("keeps a known display name when an object lacks the field (v1 objects)", () => {
    const people = new People();
    people.learn(bob);
    people.learn({ id: 2, username: "bob" });
    expect(people.name({ id: 2, username: "bob" })).toBe("Bobby Tables");
  });

  it("counts a version up exactly when what it shows changed", () => {
    const people = new People();
    expect(people.learn(bob)).toBe(true);
    const v = people.version;
    expect(people.learn({ ...bob })).toBe(false);
    expect(people.version).toBe(v);
    expect(people.learn({ ...bob, display_name: "B" })).toBe(true);
    expect(people.version).toBe(v + 1);
    people.learnAll([carol, { ...carol }]);
    expect(people.version).toBe(v + 2);
  });
});
