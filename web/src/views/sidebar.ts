// The room list: joined rooms with unread counts, invitations, public rooms to join, and
// the form that creates a room.

import { describeError, type Chat } from "../chat";
import { h, reconcile } from "../dom";
import { icon } from "../icons";
import { roomHash } from "../route";
import type { RoomState } from "../state";
import { joinOffer } from "../state/community";
import { DmList } from "./dmlist";

export function roomHref(name: string): string {
  return roomHash(name);
}

/** "#" before a public room's name, a lock before a private one's. */
export function roomMark(isPrivate: boolean): HTMLElement {
  return h("span", { class: "hash", "aria-hidden": "true" }, isPrivate ? icon("lock") : "#");
}

/** A person before a direct conversation's title. */
export function dmMark(): HTMLElement {
  return h("span", { class: "hash", "aria-hidden": "true" }, icon("person"));
}

/** What a room link says after its name, for screen readers: "(private), 2 unread". */
export function linkWords(...parts: string[]): string {
  return parts.filter(Boolean).join(", ");
}

export class Sidebar {
  readonly el: HTMLElement;
  private readonly joined = h("ul", { class: "room-list", "aria-labelledby": "rooms-joined" });
  private readonly invited = h("ul", { class: "room-list", "aria-labelledby": "rooms-invited" });
  private readonly open = h("ul", { class: "room-list", "aria-labelledby": "rooms-public" });
  private readonly invitedSection: HTMLElement;
  private readonly openSection: HTMLElement;
  private readonly emptyJoined = h("p", { class: "muted empty" }, "No rooms yet: join or create one.");
  private readonly status = h("p", { class: "form-error", role: "alert" });
  /** v2: direct conversations, apart from rooms. */
  private readonly dms: DmList;

  constructor(private readonly chat: Chat) {
    this.dms = new DmList(chat);
    this.invitedSection = h(
      "section",
      null,
      h("h2", { id: "rooms-invited" }, "Invitations"),
      this.invited,
    );
    this.openSection = h("section", null, h("h2", { id: "rooms-public" }, "Public rooms"), this.open);
    this.el = h(
      "nav",
      { class: "sidebar", "aria-label": "Rooms" },
      h(
        "section",
        null,
        h("h2", { id: "rooms-joined" }, "Your rooms"),
        this.joined,
        this.emptyJoined,
      ),
      this.dms.el,
      this.invitedSection,
      this.openSection,
      this.createForm(),
      this.status,
    );
  }

  private createForm(): HTMLElement {
    const name = h("input", {
      id: "new-room-name",
      name: "name",
      required: true,
      maxlength: 64,
      pattern: "[a-z0-9_\\-]+",
      autocomplete: "off",
      autocapitalize: "none",
      spellcheck: "false",
      placeholder: "e.g. design-review",
    });
    const priv = h("input", { id: "new-room-private", type: "checkbox", name: "private" });
    const error = h("p", { class: "form-error", role: "alert" });
    const button = h("button", { type: "submit" }, "Create room");
    const form = h(
      "form",
      { class: "create-room", "aria-labelledby": "create-room-title", novalidate: true },
      h("h2", { id: "create-room-title" }, "Create a room"),
      h("label", { for: "new-room-name" }, "Room name"),
      name,
      h("label", { class: "check", for: "new-room-private" }, priv, "Private (invite only)"),
      error,
      button,
    );
    name.addEventListener("input", () => {
      const lowered = name.value.toLowerCase().replace(/\s+/g, "-");
      if (lowered !== name.value) name.value = lowered;
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      const value = name.value.trim();
      if (!/^[a-z0-9_-]{1,64}$/.test(value)) {
        error.textContent = "Room names are 1–64 of a–z, 0–9, - and _.";
        name.focus();
        return;
      }
      button.disabled = true;
      try {
        await this.chat.createRoom(value, priv.checked);
        name.value = "";
        priv.checked = false;
        location.hash = roomHref(value);
      } catch (e) {
        error.textContent = describeError(e);
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  render(): void {
    const rooms = [...this.chat.rooms.values()]
      .filter((r) => r.kind !== "dm") // in their own section
      .sort((a, b) => a.name.localeCompare(b.name));
    const joined = rooms.filter((r) => r.member);
    const invited = rooms.filter((r) => !r.member && r.isPrivate);
    const open = rooms.filter((r) => !r.member && !r.isPrivate);
    reconcile(
      this.joined,
      joined.map((room) => ({
        key: room.name,
        make: () => this.joinedItem(room),
        update: (el) => this.updateJoined(el, room),
      })),
    );
    this.emptyJoined.hidden = joined.length > 0 || !this.chat.roomsLoaded;
    reconcile(
      this.invited,
      invited.map((room) => ({ key: room.name, make: () => this.joinItem(room, "Accept") })),
    );
    this.invitedSection.hidden = invited.length === 0;
    reconcile(
      this.open,
      // keyed by the offer too: a ban or an unban draws the item anew
      open.map((room) => ({
        key: `${room.name}|${joinOffer(room)}`,
        make: () => this.joinItem(room, "Join"),
      })),
    );
    this.openSection.hidden = open.length === 0;
    this.dms.render();
  }

  private joinedItem(room: RoomState): HTMLElement {
    const li = h(
      "li",
      null,
      h(
        "a",
        { href: roomHref(room.name), class: "room-link" },
        h("span", { class: "room-name" }, roomMark(room.isPrivate), room.name),
        h("span", { class: "mention-badge", hidden: true, "aria-hidden": "true" }),
        h("span", { class: "badge", "aria-hidden": "true" }),
        h("span", { class: "sr-only link-more" }),
      ),
    );
    this.updateJoined(li, room);
    return li;
  }

  private updateJoined(li: HTMLElement, room: RoomState): void {
    const link = li.querySelector("a");
    const badge = li.querySelector<HTMLElement>(".badge");
    if (!link || !badge) return;
    const current = room.name === this.chat.openName;
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
    const unread = room.unread;
    const text = unread > 99 ? "99+" : String(unread);
    if (badge.textContent !== text) badge.textContent = text;
    badge.hidden = unread === 0;
    // v2: unread messages that mention the reader, apart from the unread count.
    const mentions = room.mentions;
    const mentionBadge = li.querySelector<HTMLElement>(".mention-badge");
    if (mentionBadge) {
      const at = `@${mentions > 99 ? "99+" : mentions}`;
      if (mentionBadge.textContent !== at) mentionBadge.textContent = at;
      mentionBadge.hidden = mentions === 0;
    }
    const mentioned = mentions ? `${mentions} ${mentions === 1 ? "mention" : "mentions"}` : "";
    // Named by its text (what it shows comes first): the name, then the marks and counts in
    // words ("general 2 unread, 1 mention"; the badges themselves are hidden from it).
    const more = linkWords(room.isPrivate ? "(private)" : "", unread ? `${unread} unread` : "", mentioned);
    const words = li.querySelector<HTMLElement>(".link-more");
    if (words && words.textContent !== more) words.textContent = more;
    li.classList.toggle("unread", unread > 0);
  }

  private joinItem(room: RoomState, verb: string): HTMLElement {
    const name = h("span", { class: "room-name" }, roomMark(room.isPrivate), room.name);
    if (joinOffer(room) === "banned") {
      // Listed (it is public) but not to join: the server would refuse.
      return h("li", { class: "joinable" }, name, h("span", { class: "muted" }, "Banned"));
    }
    const button = h(
      "button",
      { type: "button", class: "small", "aria-label": `${verb} ${room.name}` },
      verb,
    );
    button.addEventListener("click", async () => {
      button.disabled = true;
      this.status.textContent = "";
      try {
        await this.chat.join(room.name);
        location.hash = roomHref(room.name);
      } catch (e) {
        this.status.textContent = describeError(e);
        button.disabled = false;
      }
    });
    return h("li", { class: "joinable" }, name, button);
  }
}
