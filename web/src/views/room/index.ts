// The open room: its header, and below it either the timeline (timeline.ts), who is typing
// and the composer (composer.ts), or the screen for a room the reader is not in (join.ts).

import type { Chat } from "../../chat";
import { h, replace } from "../../dom";
import { icon } from "../../icons";
import type { RoomState } from "../../state";
import { dmMark, roomHref, roomMark } from "../sidebar";
import { Composer } from "./composer";
import { Conversation } from "./conversation";
import { NotifyMenu } from "./notifymenu";
import { typingText } from "./items";
import { outsideKey, outsideScreen } from "./join";
import { RoomSettings } from "../settings";
import { Timeline } from "./timeline";
import { bindDrop } from "./uploadtray";

export class RoomView {
  readonly el: HTMLElement;
  private readonly head: HTMLElement;
  private readonly title = h("h2", { id: "room-title" });
  private readonly kind = h("span", { class: "room-kind" });
  /** v2: the room's topic, under its name; its settings' button (the page: settings/). */
  private readonly topic = h("p", { class: "room-topic" });
  readonly settings: RoomSettings;
  readonly membersToggle = h("button", {
    type: "button",
    class: "members-toggle",
    "aria-controls": "members",
  });
  private readonly body = h("div", { class: "room-body" });
  private readonly composer: Composer;
  private readonly timeline: Timeline;
  private readonly typingLine = h("p", {
    class: "typing",
    role: "status",
    "aria-label": "Who is typing",
  });

  private shown: string | null = null; // the room drawn last
  private outsideKey: string | null = null; // the not-a-member screen drawn last

  /** v2: edits, deletes, reactions, replies (conversation.ts); notification level. */
  private readonly conv: Conversation;
  private readonly notifyMenu: NotifyMenu;

  constructor(private readonly chat: Chat) {
    this.conv = new Conversation(chat);
    this.composer = new Composer(chat, this.conv);
    this.timeline = new Timeline(chat, () => this.composer.focus(), this.conv);
    this.conv.report = (problem) => (this.composer.error.textContent = problem);
    this.conv.focusComposer = () => this.composer.focus();
    this.notifyMenu = new NotifyMenu(chat, this.conv.report);
    this.settings = new RoomSettings(chat);
    const back = h("a", { href: "#/", class: "back", "aria-label": "Back to rooms" }, icon("back"));
    this.head = h(
      "header",
      { class: "room-head", hidden: true },
      back,
      this.title,
      this.kind,
      this.topic,
      h("span", { class: "spacer" }),
      this.settings.button,
      this.notifyMenu.el,
      this.membersToggle,
    );
    this.el = h(
      "main",
      { class: "room-pane", id: "main", "aria-labelledby": "room-title" },
      this.head,
      this.body,
    );
    // v2: files dropped on the room are attached to the next message.
    bindDrop(
      this.el,
      () =>
        this.chat.openRoom?.member === true &&
        !this.chat.openRoom.archived &&
        this.composer.shownIn(this.body),
      (files) => this.composer.attach(files),
    );
  }

  /** Redraw. Keeps the reader's place: at the bottom it follows, elsewhere nothing moves. */
  render(): void {
    const chat = this.chat;
    const name = chat.openName;
    const room = chat.openRoom;
    const switched = name !== this.shown;
    if (switched) this.switchTo(name);
    if (!name) return;

    // A DM is titled with the other people's names (as they are now).
    const dm = room?.kind === "dm";
    const title = room && dm ? chat.people.title(room) : name;
    replace(this.title, dm ? dmMark() : roomMark(room?.isPrivate ?? false), title);
    const kind = dm ? "direct message" : room?.isPrivate ? "private" : "";
    this.kind.textContent = room?.archived ? [kind, "archived"].filter(Boolean).join(", ") : kind;
    const topic = dm ? "" : (room?.topic ?? "");
    if (this.topic.textContent !== topic) this.topic.textContent = topic;
    this.topic.title = topic;
    this.topic.hidden = !topic;
    this.settings.renderButton(room);
    this.composer.retitle(title, dm ? title : `#${name}`);
    this.timeline.retitle(title);
    this.renderMembersToggle(room);
    this.notifyMenu.render(room);

    if (!room || !room.member) {
      this.renderOutside(name, room);
      return;
    }
    this.outsideKey = null;
    if (this.body.firstChild !== this.timeline.el) {
      this.body.replaceChildren(
        this.timeline.el,
        this.timeline.jump,
        this.typingLine,
        this.composer.form,
        this.composer.error,
      );
    }
    this.composer.setReadOnly(
      room.archived ? "This room is archived: it is read-only. You can still read it." : null,
    );
    this.timeline.render(room, switched);
    this.composer.renderReply(room);
    this.composer.renderFiles(room);
    this.conv.replies.refresh();
    const text = typingText([...room.typing.values()].map((t) => chat.people.name(t.user)));
    if (this.typingLine.textContent !== text) this.typingLine.textContent = text;
  }

  private renderMembersToggle(room: RoomState | null): void {
    // Named by its text, "People (3)": the count's pill is hidden from screen readers, who
    // get "(3)" instead (on phones the word is for them only too).
    const members = room?.members?.size;
    const people = members === undefined ? "People" : `People (${members})`;
    if (this.membersToggle.dataset.name !== people) {
      this.membersToggle.dataset.name = people;
      replace(
        this.membersToggle,
        icon("people"),
        h("span", { class: "label" }, "People"),
        members === undefined
          ? null
          : [
              h("span", { class: "count", "aria-hidden": "true" }, String(members)),
              h("span", { class: "sr-only" }, `(${members})`),
            ],
      );
    }
    this.membersToggle.hidden = !room?.member;
  }

  private switchTo(name: string | null): void {
    this.shown = name;
    this.outsideKey = null; // the body is drawn afresh (the welcome may have replaced it)
    this.timeline.switchTo(name);
    this.composer.switchTo(name);
    // No room: no header (its title would be empty); the welcome names the pane.
    this.head.hidden = !name;
    this.el.setAttribute("aria-labelledby", name ? "room-title" : "welcome-title");
    if (!name) {
      this.notifyMenu.render(null);
      this.title.textContent = "";
      this.body.replaceChildren(
        h(
          "div",
          { class: "welcome" },
          h("h2", { id: "welcome-title" }, "Welcome to Hubbub"),
          h("p", { class: "muted" }, "Pick a room on the left, join a public one, or create your own."),
        ),
      );
      this.membersToggle.hidden = true;
    }
  }

  private renderOutside(name: string, room: RoomState | null): void {
    // Built once per room and state: redrawing it on every change would take the focus
    // from its button (and let a click in progress land on a fresh one).
    const key = outsideKey(this.chat, name, room);
    if (this.outsideKey === key && this.body.firstChild !== this.timeline.el) return;
    this.outsideKey = key;
    this.body.replaceChildren(outsideScreen(this.chat, name, room, this.composer.error));
  }

  focusComposer(): void {
    if (this.shown && this.composer.shownIn(this.body)) this.composer.focus();
  }
}

export { roomHref };
