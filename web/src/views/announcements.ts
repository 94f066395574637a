// What happened to the reader that the room list cannot show (v2): removed from a room, a
// room deleted. Above the room list, each with a Dismiss button; read out as it comes.

import type { Chat } from "../chat";
import { h, reconcile } from "../dom";

export class Announcements {
  readonly el: HTMLElement;
  private readonly list = h("ul", { class: "announcement-list" });

  constructor(private readonly chat: Chat) {
    this.el = h(
      "section",
      { class: "announcements", "aria-label": "Announcements", "aria-live": "polite", hidden: true },
      this.list,
    );
  }

  render(): void {
    const items = this.chat.community.announcements;
    this.el.hidden = items.length === 0;
    reconcile(
      this.list,
      items.map((a) => ({
        key: a.key,
        make: () => {
          const dismiss = h(
            "button",
            { type: "button", class: "small quiet", "aria-label": `Dismiss: ${a.text}` },
            "Dismiss",
          );
          dismiss.addEventListener("click", () => this.chat.community.dismiss(a.key));
          return h("li", { class: "announcement" }, h("p", null, a.text), dismiss);
        },
      })),
    );
  }
}
