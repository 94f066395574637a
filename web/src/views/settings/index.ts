// A room's settings (rooms, not DMs), opened from the room header: the topic, the members
// with their roles and what the reader may do to them, the bans, the webhooks, archive and
// delete. Every member may open it (to read the topic and who is who), and server admins
// in any room (member or not); the controls show only to those who may use them
// (state/community.ts).

import type { Chat } from "../../chat";
import { h } from "../../dom";
import { icon } from "../../icons";
import type { RoomState } from "../../state";
import { Dialog } from "../dialog";
import { BansSection } from "./bans";
import { ManageSection } from "./manage";
import { MemberSection } from "./members";
import { TopicSection } from "./topic";
import { WebhookSection } from "./webhooks";

export class RoomSettings {
  /** The room header's button. */
  readonly button = h(
    "button",
    { type: "button", class: "small quiet room-settings-button" },
    icon("sliders"),
    h("span", { class: "label" }, "Settings"), // on phones for screen readers only
  );
  private readonly dialog = new Dialog("room-settings", "Room settings");
  private readonly topic: TopicSection;
  private readonly members: MemberSection;
  private readonly bans: BansSection;
  private readonly webhooks: WebhookSection;
  private readonly manage: ManageSection;
  private room: string | null = null;
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
    this.dialog.el.classList.add("wide", "settings");
    this.dialog.body.append(
      this.topic.el,
      this.members.el,
      this.bans.el,
      this.webhooks.el,
      this.manage.el,
    );
    this.dialog.onClose = () => {
      this.room = null;
    };
    this.button.addEventListener("click", () => {
      const room = chat.openRoom;
      if (room) this.open(room);
    });
  }

  get isOpen(): boolean {
    return this.dialog.isOpen;
  }

  open(room: RoomState): void {
    this.room = room.name;
    this.listedFor = null;
    for (const part of [this.topic, this.members, this.bans, this.webhooks, this.manage]) part.reset();
    this.dialog.setTitle(`Settings of #${room.name}`);
    void this.chat.presence.loadMembers(room); // fresh roles
    this.dialog.open(this.dialog.el.querySelector<HTMLElement>(".dialog-head button") ?? undefined);
    this.render();
    // The first field the reader may use (the topic, for those who edit it), else Close.
    const fields = this.dialog.body.querySelectorAll<HTMLElement>("input, select, button");
    [...fields].find((el) => el.offsetParent !== null)?.focus();
  }

  /** The header's button: for members of rooms (not DMs), and server admins. */
  renderButton(room: RoomState | null): void {
    this.button.hidden = !room || !this.chat.community.maySeeSettings(room);
  }

  render(): void {
    const name = this.room;
    if (!name || !this.dialog.isOpen) return;
    const room = this.chat.rooms.get(name);
    if (!room || !this.chat.community.maySeeSettings(room)) {
      // Removed, or the room is gone: nothing here to set any more.
      this.dialog.close();
      return;
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
}
