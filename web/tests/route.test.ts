import { describe, expect, it } from "vitest";
import {
  closeTarget,
  isPage,
  parseRoute,
  roomFromHash,
  roomHash,
  routeHash,
  sameRoute,
  type PageRoute,
  type Route,
} from "../src/route";

describe("parseRoute", () => {
  it("reads the room list, a room, its settings and the pages", () => {
    expect(parseRoute("")).toEqual({ kind: "home" });
    expect(parseRoute("#")).toEqual({ kind: "home" });
    expect(parseRoute("#/")).toEqual({ kind: "home" });
    expect(parseRoute("#/room/general")).toEqual({ kind: "room", room: "general" });
    expect(parseRoute("#/room/general/settings")).toEqual({ kind: "settings", room: "general" });
    expect(parseRoute("#/admin")).toEqual({ kind: "admin" });
    expect(parseRoute("#/bots")).toEqual({ kind: "bots" });
  });

  it("takes a trailing slash as the same route", () => {
    expect(parseRoute("#/admin/")).toEqual({ kind: "admin" });
    expect(parseRoute("#/bots//")).toEqual({ kind: "bots" });
    expect(parseRoute("#/room/dev-ops/")).toEqual({ kind: "room", room: "dev-ops" });
    expect(parseRoute("#/room/dev-ops/settings/")).toEqual({ kind: "settings", room: "dev-ops" });
  });

  it("decodes the room's name", () => {
    expect(parseRoute("#/room/caf%C3%A9")).toEqual({ kind: "room", room: "café" });
    expect(parseRoute("#/room/a%20b/settings")).toEqual({ kind: "settings", room: "a b" });
  });

  it("reads anything else as the room list", () => {
    for (const hash of [
      "#/room/",
      "#/room",
      "#/room//settings",
      "#/room/general/members",
      "#/room/general/settings/more",
      "#/room/%E0%A4%A", // a malformed escape
      "#/room/a%2Fb", // no room's name holds a slash
      "#/admins",
      "#/admin/users",
      "#/Bots",
      "#composer",
      "#/settings",
    ]) {
      expect(parseRoute(hash), hash).toEqual({ kind: "home" });
    }
  });

  it("names a room called settings, admin or bots as a room", () => {
    expect(parseRoute("#/room/settings")).toEqual({ kind: "room", room: "settings" });
    expect(parseRoute("#/room/admin")).toEqual({ kind: "room", room: "admin" });
    expect(parseRoute("#/room/settings/settings")).toEqual({ kind: "settings", room: "settings" });
  });
});

describe("routeHash", () => {
  const routes: Route[] = [
    { kind: "home" },
    { kind: "room", room: "general" },
    { kind: "room", room: "café bar" },
    { kind: "settings", room: "general" },
    { kind: "settings", room: "a?b#c" },
    { kind: "admin" },
    { kind: "bots" },
  ];

  it("writes the hashes parseRoute reads back", () => {
    for (const route of routes) expect(parseRoute(routeHash(route))).toEqual(route);
  });

  it("writes the addresses the client links to", () => {
    expect(routeHash({ kind: "home" })).toBe("#/");
    expect(routeHash({ kind: "room", room: "general" })).toBe("#/room/general");
    expect(routeHash({ kind: "settings", room: "general" })).toBe("#/room/general/settings");
    expect(routeHash({ kind: "settings", room: "a b" })).toBe("#/room/a%20b/settings");
    expect(routeHash({ kind: "admin" })).toBe("#/admin");
    expect(routeHash({ kind: "bots" })).toBe("#/bots");
    expect(roomHash("a#b")).toBe("#/room/a%23b");
  });
});

describe("the room a hash opens", () => {
  it("is the room's, and none for the pages", () => {
    expect(roomFromHash("#/room/general")).toBe("general");
    expect(roomFromHash("#/room/general/settings")).toBeNull();
    expect(roomFromHash("#/admin")).toBeNull();
    expect(roomFromHash("#/bots")).toBeNull();
    expect(roomFromHash("#/")).toBeNull();
  });
});

describe("pages", () => {
  it("are the settings, admin and bots routes", () => {
    expect(isPage({ kind: "settings", room: "general" })).toBe(true);
    expect(isPage({ kind: "admin" })).toBe(true);
    expect(isPage({ kind: "bots" })).toBe(true);
    expect(isPage({ kind: "room", room: "general" })).toBe(false);
    expect(isPage({ kind: "home" })).toBe(false);
  });

  it("close to their room, or the room list, when the history has no step back", () => {
    const settings: PageRoute = { kind: "settings", room: "general" };
    expect(closeTarget(settings)).toEqual({ kind: "room", room: "general" });
    expect(closeTarget({ kind: "admin" })).toEqual({ kind: "home" });
    expect(closeTarget({ kind: "bots" })).toEqual({ kind: "home" });
  });

  it("are the same route when their addresses are", () => {
    expect(sameRoute(parseRoute("#/admin/"), { kind: "admin" })).toBe(true);
    expect(sameRoute({ kind: "room", room: "a" }, { kind: "settings", room: "a" })).toBe(false);
    expect(sameRoute({ kind: "settings", room: "a" }, { kind: "settings", room: "b" })).toBe(false);
  });
});
