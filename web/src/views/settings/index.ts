// A room's settings (rooms, not DMs), the page at `#/room/NAME/settings`, opened from the
// room header: the topic, the members with their roles and what the reader may do to them,
// the bans, the webhooks, archive and delete. Every member may open it (to read the topic
// and who is who), and server admins in any room (member or not); the controls show only
// to those who may use them (state/community.ts). Anyone else is told there is nothing for
// them here.

import type { Chat } from "../../chat";
import { h } from "../../dom";
import { icon } from "../../icons";
import type { SettingsRoute } from "../../route";
import type { RoomState } from "../../state";
import { Page } from "../page";
import type { PageView } from "../pages";
import { BansSection } from "./bans";
import { ManageSection } from "./manage";
import { MemberSection } from "./members";
import { TopicSection } from "./topic";
import { WebhookSection } from "./webhooks";

export class RoomSettings implements PageView {
  /** The room header's button (the app opens the page from it). */
  readonly button = h(
    "button",
    { type: "button", class: "small quiet room-settings-button" },
    icon("sliders"),
    h("span", { class: "label" }, "Settings"), // on phones for screen readers only
  );
  readonly page = new Page("room-settings", "Room settings");
  private readonly topic: TopicSection;
  private readonly members: MemberSection;
  private readonly bans: BansSection;
  private readonly webhooks: WebhookSection;
  private readonly manage: ManageSection;
  private room: string | null = null;
  /** The room whose settings were shown since the page opened (they go when it goes). */
  private shownFor: string | null = null;
  /** Whether the bans and webhooks were listed since the reader came to run the room. */
  private listedFor: string | null = null;

  constructor(private readonly chat: Chat) {
    this.topic = new TopicSection(chat);
    this.members = new MemberSection(chat);
    this.bans = new BansSection(chat);
    this.webhooks = new WebhookSection(chat);
    this.manage = new ManageSection(chat);
    this.members.onBanned = () => {
      if (this.room) void this.bans.load(this.room);
    };
    this.page.el.classList.add("settings");
    this.page.body.append(
      this.topic.el,
      this.members.el,
      this.bans.el,
      this.webhooks.el,
      this.manage.el,
    );
  }

  enter(route: SettingsRoute): void {
    this.room = route.room;
    this.shownFor = null;
    this.listedFor = null;
    for (const part of [this.topic, this.members, this.bans, this.webhooks, this.manage]) part.reset();
    this.page.setTitle(`Settings of #${route.room}`);
    this.render();
  }

  /** The header's button: for members of rooms (not DMs), and server admins. */
  renderButton(room: RoomState | null): void {
    this.button.hidden = !room || !this.chat.community.maySeeSettings(room);
  }

  render(): void {
    const name = this.room;
    if (!name || !this.page.shown) return;
    const room = this.chat.rooms.get(name);
    if (!room || !this.chat.community.maySeeSettings(room)) {
      if (this.shownFor === name) {
        // Removed, or the room is gone: nothing here to set any more (the room says why).
        queueMicrotask(() => this.page.onClose?.());
        return;
      }
      this.page.setNote(this.why(name, room), !this.waiting(room));
      return;
    }
    this.page.setNote(null);
    if (this.shownFor !== name) {
      this.shownFor = name;
      void this.chat.presence.loadMembers(room); // fresh roles
    }
    const standing = this.chat.community.standing(room);
    const may = this.chat.community.powers(room);
    this.topic.render(room, may.topic);
    this.members.render(room, standing);
    this.bans.el.hidden = !may.moderate;
    this.webhooks.el.hidden = !may.webhooks;
    this.manage.el.hidden = !may.manage;
    this.manage.render(room);
    if ((may.moderate || may.webhooks) && this.listedFor !== name) {
      this.listedFor = name;
      if (may.moderate) void this.bans.load(name);
      if (may.webhooks) void this.webhooks.load(name);
    }
  }

  /** Whether it is too early to tell (the rooms, or whether the reader is an admin, not
   * known yet). */
  private waiting(room: RoomState | undefined): boolean {
    if (!room) return !this.chat.roomsLoaded;
    return room.kind === "room" && !room.member && this.chat.community.admin === null;
  }

  private why(name: string, room: RoomState | undefined): string {
    if (this.waiting(room)) return "Loading…";
    if (!room) return `There is no room #${name}, or it is private.`;
    if (room.kind === "dm") return "A direct conversation has no settings.";
    return `Only the members of #${name} can see its settings.`;
  }
}
