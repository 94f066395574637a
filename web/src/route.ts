// The client's routes, named by the URL's hash (so a reload, a bookmark and the browser's
// Back come to the same screen). Pure: views/pages.ts moves between them.
//
//   #/                       the room list (no room open)
//   #/room/NAME              a room (or a DM: its name)
//   #/room/NAME/settings     a room's settings page (topic, members, bans, webhooks, …)
//   #/admin                  the server admin's page (users, audit log)
//   #/bots                   the reader's bots
//
// Anything else is the room list.

export type Route =
  | { kind: "home" }
  | { kind: "room"; room: string }
  | { kind: "settings"; room: string }
  | { kind: "admin" }
  | { kind: "bots" };

export type SettingsRoute = Extract<Route, { kind: "settings" }>;

/** The routes that are pages of their own in the main pane (not a room). */
export type PageRoute = Extract<Route, { kind: "settings" | "admin" | "bots" }>;

const HOME: Route = { kind: "home" };

/** The route a hash names. Room names never hold "/" (the server's names are
 * `[a-z0-9_-]`, DMs' too), so `NAME/settings` is not a room's name. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/\/+$/, "");
  if (path === "/admin") return { kind: "admin" };
  if (path === "/bots") return { kind: "bots" };
  const match = /^\/room\/([^/]+)(\/settings)?$/.exec(path);
  if (!match?.[1]) return HOME;
  let room: string;
  try {
    room = decodeURIComponent(match[1]);
  } catch {
    return HOME; // a malformed escape
  }
  if (!room || room.includes("/")) return HOME;
  return match[2] ? { kind: "settings", room } : { kind: "room", room };
}

/** The hash that names a route (what `parseRoute` reads back). */
export function routeHash(route: Route): string {
  switch (route.kind) {
    case "home":
      return "#/";
    case "room":
      return roomHash(route.room);
    case "settings":
      return `${roomHash(route.room)}/settings`;
    case "admin":
      return "#/admin";
    case "bots":
      return "#/bots";
  }
}

export function roomHash(name: string): string {
  return `#/room/${encodeURIComponent(name)}`;
}

/** The room a hash opens in the room pane (null: none; pages open no room). */
export function roomFromHash(hash: string): string | null {
  const route = parseRoute(hash);
  return route.kind === "room" ? route.room : null;
}

export function isPage(route: Route): route is PageRoute {
  return route.kind === "settings" || route.kind === "admin" || route.kind === "bots";
}

/** Where closing a page goes when the browser's history has no step back into the app
 * (the page was opened by its address, or reloaded): a room's settings to the room, the
 * other pages to the room list. */
export function closeTarget(route: PageRoute): Route {
  return route.kind === "settings" ? { kind: "room", room: route.room } : HOME;
}

export function sameRoute(a: Route, b: Route): boolean {
  return routeHash(a) === routeHash(b);
}
