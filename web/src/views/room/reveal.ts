// The timeline's side of jumping to a message (chat/jump.ts): bringing the target into view
// with a brief highlight, and the edge below a detached window (one put around an older
// message), which loads newer pages.

import type { Chat } from "../../chat";
import { h } from "../../dom";
import type { RoomState } from "../../state";

const FLASH_MS = 2500;

/** Bring `chat.jumps.target` into view if `items` shows it: centred, highlighted briefly,
 * and focused (so keyboard and screen-reader users land on it). True when it did. */
export function revealTarget(chat: Chat, room: RoomState, items: HTMLElement): boolean {
  const target = chat.jumps.target;
  if (!target || target.room !== room.name) return false;
  const el = items.querySelector<HTMLElement>(`li.msg[data-seq="${target.seq}"]`);
  if (!el) return false;
  chat.jumps.taken();
  el.scrollIntoView({ block: "center" });
  el.tabIndex = -1;
  el.focus({ preventScroll: true });
  el.classList.remove("flash");
  void el.offsetWidth; // restart the animation when jumping to it again
  el.classList.add("flash");
  window.setTimeout(() => el.classList.remove("flash"), FLASH_MS);
  return true;
}

/** Below the messages of a detached window: newer ones are loading, or a button for them. */
export class NewerEdge {
  readonly el = h("div", { class: "history-edge newer-edge", hidden: true });

  constructor(private readonly chat: Chat) {}

  render(room: RoomState): void {
    const key = !room.detached ? "none" : room.loadingNewer ? "loading" : "more";
    if (this.el.dataset.state === key) return;
    this.el.dataset.state = key;
    this.el.hidden = key === "none";
    if (key === "loading") {
      this.el.replaceChildren(h("p", { class: "muted" }, "Loading newer messages…"));
    } else if (key === "more") {
      const more = h("button", { type: "button", class: "small quiet" }, "Load newer messages");
      more.addEventListener("click", () => void this.chat.jumps.loadNewer());
      this.el.replaceChildren(more);
    } else {
      this.el.replaceChildren();
    }
  }
}
