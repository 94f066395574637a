// The room header's notification level (PROTOCOL v2 `notify`): all messages, mentions
// only, or nothing, saved on the server (`PUT …/notifications`); browser notifications
// follow it (chat/index.ts, state/notifylevel.ts).

import type { Chat } from "../../chat";
import { h } from "../../dom";
import type { RoomState } from "../../state";
import { NOTIFY_LABELS, NOTIFY_LEVELS } from "../../state/notifylevel";
import type { NotifyLevel } from "../../types";

export class NotifyMenu {
  private readonly select = h(
    "select",
    { id: "notify-level", title: "Which messages here notify you" },
    NOTIFY_LEVELS.map((level) => h("option", { value: level }, NOTIFY_LABELS[level])),
  );
  readonly el = h(
    "div",
    { class: "notify-level" },
    h("label", { for: "notify-level" }, "Notify"),
    this.select,
  );
  private room: RoomState | null = null;

  constructor(
    chat: Chat,
    report: (problem: string) => void,
  ) {
    this.select.addEventListener("change", () => {
      const room = this.room;
      if (!room) return;
      const level = this.select.value as NotifyLevel;
      const before = room.notify;
      void chat.changes.setNotify(room.name, level).then((problem) => {
        if (!problem) return;
        this.select.value = before;
        report(`Could not change notifications: ${problem}`);
      });
    });
  }

  render(room: RoomState | null): void {
    this.room = room;
    this.el.hidden = !room?.member || room.revs === null;
    if (room && this.select.value !== room.notify && document.activeElement !== this.select) {
      this.select.value = room.notify;
    }
  }
}
