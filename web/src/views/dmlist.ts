// The sidebar's "Direct messages": the reader's DMs, each titled with the other people's
// names (live, as they rename), with unread counts, and the "New message" button that opens
// the picker (picker.ts).

import type { Chat } from "../chat";
import { h, reconcile } from "../dom";
import { icon } from "../icons";
import type { RoomState } from "../state";
import { botBadge } from "./badges";
import { PickerView } from "./picker";
import { dmMark, linkWords, roomHref } from "./sidebar";

export class DmList {
  readonly el: HTMLElement;
  private readonly list = h("ul", { class: "room-list", "aria-labelledby": "dms-title" });
  private readonly empty = h("p", { class: "muted empty" }, "No direct messages yet.");
  private readonly picker: PickerView;

  constructor(private readonly chat: Chat) {
    this.picker = new PickerView(chat);
    const start = h(
      "button",
      { type: "button", class: "small quiet new-dm", title: "Start a direct conversation" },
      icon("compose"),
      "New message",
    );
    start.addEventListener("click", () => this.picker.open());
    this.el = h(
      "section",
      { class: "dms" },
      h("div", { class: "section-head" }, h("h2", { id: "dms-title" }, "Direct messages"), start),
      this.list,
      this.empty,
    );
  }

  /** The DMs, by title. */
  private rooms(): RoomState[] {
    const chat = this.chat;
    return [...chat.rooms.values()]
      .filter((r) => r.kind === "dm" && r.member)
      .map((r) => ({ r, title: chat.people.title(r) }))
      .sort((a, b) => a.title.localeCompare(b.title))
      .map(({ r }) => r);
  }

  render(): void {
    const rooms = this.rooms();
    reconcile(
      this.list,
      rooms.map((room) => ({
        key: room.name,
        make: () => this.item(room),
        update: (el) => this.update(el, room),
      })),
    );
    this.empty.hidden = rooms.length > 0 || !this.chat.roomsLoaded;
    this.picker.render();
  }

  private item(room: RoomState): HTMLElement {
    const li = h(
      "li",
      null,
      h(
        "a",
        { href: roomHref(room.name), class: "room-link" },
        dmMark(),
        h("span", { class: "room-name" }),
        // v2: a conversation with a bot says so.
        botBadge({ bot: room.people.some((u) => u.id !== this.chat.me.id && u.bot) }),
        h("span", { class: "badge", "aria-hidden": "true" }),
        h("span", { class: "sr-only link-more" }),
      ),
    );
    this.update(li, room);
    return li;
  }

  private update(li: HTMLElement, room: RoomState): void {
    const link = li.querySelector("a");
    const name = li.querySelector<HTMLElement>(".room-name");
    const badge = li.querySelector<HTMLElement>(".badge");
    if (!link || !name || !badge) return;
    const title = this.chat.people.title(room);
    if (name.textContent !== title) name.textContent = title;
    if (room.name === this.chat.openName) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
    const unread = room.unread;
    const text = unread > 99 ? "99+" : String(unread);
    if (badge.textContent !== text) badge.textContent = text;
    badge.hidden = unread === 0;
    // Named by its text (what it shows comes first): the title, then what it is and its
    // count in words ("Bob (direct message), 2 unread"; the badge is hidden from it).
    const more = linkWords("(direct message)", unread ? `${unread} unread` : "");
    const words = li.querySelector<HTMLElement>(".link-more");
    if (words && words.textContent !== more) words.textContent = more;
    li.classList.toggle("unread", unread > 0);
  }
}
