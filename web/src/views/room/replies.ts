// The replies to one message, in a dialog over the room (`GET …/messages/{seq}/replies`):
// the original's author and first line, each reply with its author, time and text, and a
// way to show any of them in the conversation. Loaded again when the reply count changes.

import type { Chat } from "../../chat";
import { h } from "../../dom";
import { fullTimeOf, timeOf } from "../../format";
import type { Message } from "../../types";
import { firstLine, richText } from "./parts";

export class RepliesPanel {
  private readonly dialog = h("dialog", {
    class: "dialog replies-panel",
    "aria-labelledby": "replies-title",
  });
  private readonly title = h("h2", { id: "replies-title" }, "Replies");
  private readonly about = h("p", { class: "muted replies-about" });
  private readonly list = h("ol", { class: "replies-list", "aria-labelledby": "replies-title" });
  private readonly more = h("button", { type: "button", class: "small quiet", hidden: true }, "Load more replies");
  private readonly status = h("p", { class: "muted", role: "status" });
  private shown: { room: string; seq: number; count: number; last: number } | null = null;
  private opener: HTMLElement | null = null;

  constructor(
    private readonly chat: Chat,
    private readonly show: (seq: number) => void,
  ) {
    const close = h("button", { type: "button", class: "small quiet" }, "Close");
    close.addEventListener("click", () => this.dialog.close());
    this.dialog.append(
      h("div", { class: "dialog-head" }, this.title, close),
      this.about,
      this.list,
      this.more,
      this.status,
    );
    this.more.addEventListener("click", () => void this.load(false));
    this.dialog.addEventListener("close", () => {
      this.shown = null;
      if (this.opener?.isConnected) this.opener.focus();
      this.opener = null;
    });
    this.dialog.addEventListener("click", (event) => {
      if (event.target === this.dialog) this.dialog.close();
    });
  }

  async open(room: string, original: Message): Promise<void> {
    this.opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.shown = { room, seq: original.seq, count: original.reply_count ?? 0, last: 0 };
    const who = this.chat.people.name(original.user);
    this.about.textContent = original.deleted
      ? "To a message that was deleted."
      : `To ${who}: ${firstLine(original.text)}`;
    this.list.replaceChildren();
    if (!this.dialog.isConnected) document.body.append(this.dialog);
    if (!this.dialog.open) this.dialog.showModal();
    await this.load(true);
    const first = this.list.querySelector<HTMLElement>("button") ?? this.dialog.querySelector("button");
    first?.focus();
  }

  /** A redraw: load again if the open message's reply count moved. */
  refresh(): void {
    const shown = this.shown;
    if (!shown || !this.dialog.open) return;
    const m = this.chat.rooms.get(shown.room)?.known(shown.seq);
    const count = m?.reply_count ?? shown.count;
    if (count === shown.count) return;
    shown.count = count;
    void this.load(false);
  }

  private async load(fresh: boolean): Promise<void> {
    const shown = this.shown;
    if (!shown) return;
    if (fresh) shown.last = 0;
    this.status.textContent = "Loading replies…";
    try {
      const page = await this.chat.replies.list(shown.room, shown.seq, shown.last);
      if (this.shown !== shown) return;
      for (const m of page.messages) {
        this.list.append(this.item(m));
        shown.last = Math.max(shown.last, m.seq);
      }
      this.more.hidden = !page.has_more;
      const n = this.list.children.length;
      this.status.textContent = n === 0 ? "No replies." : n === 1 ? "1 reply." : `${n} replies.`;
    } catch {
      this.status.textContent = "The replies could not be loaded.";
    }
  }

  private item(m: Message): HTMLElement {
    const show = h("button", { type: "button", class: "small quiet" }, "Show in conversation");
    show.addEventListener("click", () => {
      this.dialog.close();
      this.show(m.seq);
    });
    const conv = { me: this.chat.me, names: () => true };
    return h(
      "li",
      { class: "reply" },
      h(
        "div",
        { class: "msg-head" },
        h("span", { class: "author" }, this.chat.people.name(m.user)),
        " ",
        h("time", { datetime: m.created_at, title: fullTimeOf(m.created_at) }, timeOf(m.created_at)),
      ),
      m.deleted
        ? h("div", { class: "msg-text tombstone" }, "message deleted")
        : h("div", { class: "msg-text" }, richText(m.text, conv)),
      show,
    );
  }
}
