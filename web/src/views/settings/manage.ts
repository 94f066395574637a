// The room settings' archive and delete (the owner, or a server admin): both asked first,
// in an accessible dialog (confirm.ts). Archiving makes the room read-only for good;
// deleting takes it and everything in it away from every member.

import { describeError, type Chat } from "../../chat";
import { h } from "../../dom";
import type { RoomState } from "../../state";
import { confirmDialog } from "../confirm";

export class ManageSection {
  readonly el: HTMLElement;
  private readonly archive = h("button", { type: "button", class: "small" }, "Archive room");
  private readonly archived = h("p", { class: "muted" }, "This room is archived: it is read-only.");
  private readonly remove = h("button", { type: "button", class: "small danger" }, "Delete room");
  private readonly status = h("p", { class: "form-status", role: "status" });
  private room: string | null = null;

  constructor(private readonly chat: Chat) {
    this.el = h(
      "section",
      { class: "settings-section danger-zone", "aria-labelledby": "settings-manage-title" },
      h("h3", { id: "settings-manage-title" }, "Archive or delete"),
      h(
        "p",
        { class: "hint muted" },
        "Archiving keeps the room readable but nobody can post in it any more. Deleting removes it and all its messages for everyone.",
      ),
      this.archived,
      h("div", { class: "row-actions" }, this.archive, this.remove),
      this.status,
    );
    this.archive.addEventListener("click", () => void this.onArchive());
    this.remove.addEventListener("click", () => void this.onDelete());
  }

  reset(): void {
    this.status.textContent = "";
  }

  render(room: RoomState): void {
    this.room = room.name;
    this.archive.hidden = room.archived;
    this.archived.hidden = !room.archived;
  }

  private async onArchive(): Promise<void> {
    const room = this.room;
    if (!room) return;
    const sure = await confirmDialog({
      title: `Archive #${room}?`,
      text: "Everyone can still read it, but nobody can send, edit or react in it any more. This cannot be undone.",
      action: "Archive",
    });
    if (!sure) return;
    await this.run(this.archive, () => this.chat.community.api.archive(room), `#${room} is archived.`);
  }

  private async onDelete(): Promise<void> {
    const room = this.room;
    if (!room) return;
    const sure = await confirmDialog({
      title: `Delete #${room}?`,
      text: "The room, its messages and its files are deleted for every member. This cannot be undone.",
      action: "Delete room",
    });
    if (!sure) return;
    await this.run(this.remove, () => this.chat.community.api.deleteRoom(room), `#${room} is deleted.`);
  }

  private async run(button: HTMLButtonElement, call: () => Promise<void>, done: string): Promise<void> {
    button.disabled = true;
    this.status.textContent = "";
    try {
      await call();
      this.status.textContent = done;
      if (this.room) this.chat.community.changedFrom(this.room);
    } catch (e) {
      this.status.textContent = `Could not do that: ${describeError(e)}`;
    } finally {
      button.disabled = false;
    }
  }
}
