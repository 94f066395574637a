// The signed-in screen: top bar (connection state, notifications, log out), room list,
// open room, members. The URL hash names the open room or page (route.ts: a room's
// settings, the admin page, the reader's bots; pages.ts), so a reload comes back to it.

import type { Api } from "../api";
import type { Auth } from "../auth";
import { Chat } from "../chat";
import { h } from "../dom";
import { icon } from "../icons";
import { Notifier } from "../notify";
import type { ConnState } from "../socket";
import { isPage } from "../route";
import type { User } from "../types";
import { AdminView } from "./admin";
import { Announcements } from "./announcements";
import { BotsView } from "./bots";
import { MembersView } from "./members";
import { refreshNames } from "./names";
import { Router } from "./pages";
import { ProfileView } from "./profile";
import { RoomView } from "./room";
import { SearchView } from "./search";
import { Sidebar } from "./sidebar";

const CONN_TEXT: Record<ConnState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Offline, reconnecting…",
  "signed-out": "Signed out",
};

export function mountApp(root: HTMLElement, me: User, api: Api, auth: Auth): () => void {
  const notifier = new Notifier();
  const chat = new Chat(me, api, auth, notifier);
  const sidebar = new Sidebar(chat);
  const room = new RoomView(chat);
  const members = new MembersView(chat);
  const profile = new ProfileView(chat);
  const search = new SearchView(chat);
  // v2: the reader's bots, the server admin's page, and what happened to the reader.
  const bots = new BotsView(chat);
  const admin = new AdminView(chat);
  const announcements = new Announcements(chat);
  profile.append(bots.entry);
  // The pages in the main pane, each at its address; their buttons open them.
  const router = new Router({ settings: room.settings, admin, bots }, room.el);
  admin.button.addEventListener("click", () => router.go({ kind: "admin" }, admin.button));
  room.settings.button.addEventListener("click", () => {
    const name = chat.openName;
    if (name) router.go({ kind: "settings", room: name }, room.settings.button);
  });
  bots.button.addEventListener("click", () => {
    profile.closeFor(); // the page takes the focus; back from it, the profile's button
    router.go({ kind: "bots" }, profile.button);
  });
  notifier.describe = (m) => {
    const room = chat.rooms.get(m.room);
    const who = chat.people.name(m.user);
    return room?.kind === "dm" ? who : `${who} in #${m.room}`;
  };

  const conn = h("p", { class: "conn", role: "status", "aria-label": "Connection" });
  // A toggle named by its text ("Notifications"; on phones for screen readers only), pressed
  // when on: a name that changed with the state would hide the state from screen readers.
  const notify = h("button", { type: "button", class: "small quiet notify-toggle" });
  const logout = h("button", { type: "button", class: "small quiet" }, "Log out");
  // The hash names the open room, so the skip link moves focus itself. Only while there is
  // a message box to skip to.
  const skip = h("a", { href: "#composer", class: "skip-link", hidden: true }, "Skip to message box");
  skip.addEventListener("click", (event) => {
    event.preventDefault();
    room.focusComposer();
  });
  const side = h("div", { class: "side" }, announcements.el, sidebar.el);
  const shell = h(
    "div",
    { class: "shell" },
    skip,
    h(
      "header",
      { class: "topbar" },
      h("h1", { class: "brand" }, h("span", { class: "logo", "aria-hidden": "true" }), "Hubbub"),
      conn,
      search.form,
      h("span", { class: "spacer" }),
      notify,
      admin.button,
      profile.button,
      logout,
    ),
    side,
    room.el, // a page shown goes after it, in its place (pages.ts)
    members.el,
    search.panel,
  );

  let membersShown = window.matchMedia("(min-width: 1100px)").matches;
  // On phones the room list has the screen to itself: then it is the main content.
  const phone = window.matchMedia("(max-width: 720px)");
  const onWidth = (): void => render();
  phone.addEventListener("change", onWidth);
  const setMembers = (shown: boolean): void => {
    membersShown = shown;
    render();
  };
  room.membersToggle.addEventListener("click", () => {
    // Where the results take the people's column, the people take it back.
    const searching = search.isOpen;
    search.close(false);
    setMembers(searching || !membersShown);
  });
  members.onClose = () => {
    setMembers(false);
    room.membersToggle.focus();
  };
  members.el.addEventListener("keydown", (event) => {
    // Where the panel covers the room (narrow screens), Escape closes it.
    if (event.key === "Escape" && getComputedStyle(members.el).position === "fixed") {
      members.onClose?.();
    }
  });

  notify.addEventListener("click", async () => {
    if (notifier.enabled) notifier.disable();
    else await notifier.enable();
    render();
  });
  logout.addEventListener("click", async () => {
    const refresh = auth.session?.refresh;
    chat.clearOutbox();
    chat.stop();
    if (refresh) await api.logout(refresh);
    auth.signOut();
  });

  function render(): void {
    const state = chat.conn;
    conn.dataset.state = state;
    if (conn.textContent !== CONN_TEXT[state]) conn.textContent = CONN_TEXT[state];
    const page = router.view;
    // A page takes the room's place (on phones, the screen).
    shell.dataset.view = chat.openName || page ? "room" : "list";
    room.el.hidden = page !== null;
    if (phone.matches && !chat.openName && !page) side.setAttribute("role", "main");
    else side.removeAttribute("role");
    skip.hidden = page !== null || !chat.openRoom?.member;
    shell.dataset.members = membersShown && chat.openRoom?.member ? "shown" : "hidden";
    shell.dataset.search = search.isOpen ? "open" : "closed";
    room.membersToggle.setAttribute("aria-expanded", String(membersShown));
    notify.hidden = !notifier.supported;
    const on = notifier.enabled;
    notify.setAttribute("aria-pressed", String(on));
    if (notify.dataset.on !== String(on)) {
      notify.dataset.on = String(on);
      notify.replaceChildren(icon(on ? "bell" : "bellOff"), h("span", { class: "label" }, "Notifications"));
    }
    notify.title =
      notifier.permission === "denied"
        ? "Notifications are blocked in this browser's site settings"
        : on
          ? "Turn off notifications"
          : "Notify me of messages in rooms I am not looking at";
    sidebar.render();
    room.render();
    members.render();
    profile.render();
    search.render();
    admin.render(); // its button, and its page if shown
    if (page !== admin) page?.render();
    announcements.render();
    // Names drawn from older copies of people (a rename since): as known now.
    refreshNames(document, chat.people); // the shell, and dialogs in the top layer
    const open = chat.openRoom;
    const place =
      page?.page.title ??
      (open?.kind === "dm" ? chat.people.title(open) : chat.openName && `#${chat.openName}`);
    notifier.title(chat.totalUnread, place);
  }

  // The composer takes the focus when a room opens, where that pops up no keyboard.
  const focusComposer = (): void => {
    if (window.matchMedia("(pointer: fine)").matches) queueMicrotask(() => room.focusComposer());
  };
  router.onChange = (route, previous) => {
    const shown = chat.openName;
    const name = route.kind === "room" ? route.room : null;
    void chat.open(name);
    render(); // now: the page shown takes the focus, or the room gives it back
    // From a page, the router gives the focus back (to what opened it, or onReturn).
    if (name && name !== shown && !isPage(previous)) focusComposer();
  };
  // Away from a page, not back to the button that opened it.
  router.onReturn = focusComposer;
  const onHash = (): void => router.sync();
  chat.subscribe(render);
  window.addEventListener("hashchange", onHash);
  document.addEventListener("keydown", router.onKey);
  root.replaceChildren(shell);
  chat.start();
  onHash();

  return () => {
    window.removeEventListener("hashchange", onHash);
    document.removeEventListener("keydown", router.onKey);
    phone.removeEventListener("change", onWidth);
    chat.stop();
    shell.remove();
  };
}
