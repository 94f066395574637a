// The scrolling timeline of the open room: the history edge (loading, "load earlier", the
// beginning), the items, and the "new messages" button. Keeps the reader's place: at the
// bottom it follows what arrives, elsewhere nothing moves.

import type { Chat } from "../../chat";
import { h, reconcile } from "../../dom";
import type { RoomState } from "../../state";
import { timelineItems } from "./items";
import type { Conversation } from "./conversation";
import { focusedPart, restoreFocus } from "./focus";
import { keyed } from "./message";
import { NewerEdge, revealTarget } from "./reveal";

const BOTTOM_SLACK_PX = 32;
const LOAD_OLDER_PX = 300;

export class Timeline {
  /** The scrolling area (focusable, so the keyboard can scroll it). */
  readonly el = h("div", {
    class: "timeline",
    role: "region",
    "aria-label": "Conversation",
    tabindex: "0",
  });
  readonly jump = h("button", { type: "button", class: "jump", hidden: true });
  private readonly edge = h("div", { class: "history-edge" });
  /** The messages: a list in a log (an `ol` may not be a log itself), made anew for each
   * room so that switching rooms does not make a screen reader read out the whole history
   * (only what arrives later is announced). */
  private items = h("ol", { class: "items" });
  private log = h("div", { role: "log" }, this.items);
  /** Below the items of a detached window (after a jump back): newer pages. */
  private readonly newer: NewerEdge;
  /** Per room: the contig seq when the reader last saw the bottom. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly chat: Chat,
    /** The reader asked to go to the newest messages (the jump button). */
    onJump: () => void,
    /** v2: what the reader does to messages. */
    private readonly conv: Conversation,
  ) {
    this.newer = new NewerEdge(chat);
    this.el.append(this.edge, this.log, this.newer.el);
    this.el.addEventListener("scroll", () => this.onScroll(), { passive: true });
    new ResizeObserver(() => {
      if (this.chat.atBottom) this.toBottom();
    }).observe(this.el);
    this.jump.addEventListener("click", () => {
      if (this.chat.openRoom?.detached) void this.chat.jumps.toLatest();
      this.toBottom();
      this.onScroll();
      onJump();
    });
  }

  /** Another room is shown: a fresh log. */
  switchTo(name: string | null): void {
    const items = h("ol", { class: "items" });
    const log = h("div", { role: "log", "aria-label": `Messages in ${name ?? ""}` }, items);
    this.log.replaceWith(log);
    this.items = items;
    this.log = log;
  }

  /** Name the log for what is shown (a DM's title is its people, as they are named now). */
  retitle(title: string): void {
    const label = `Messages in ${title}`;
    if (this.log.getAttribute("aria-label") !== label) this.log.setAttribute("aria-label", label);
  }

  private atBottomNow(): boolean {
    const t = this.el;
    return t.scrollHeight - t.scrollTop - t.clientHeight <= BOTTOM_SLACK_PX;
  }

  private onScroll(): void {
    const atBottom = this.atBottomNow();
    if (atBottom !== this.chat.atBottom) {
      this.chat.atBottom = atBottom;
      this.chat.changed();
    }
    if (atBottom) this.chat.markSeen();
    if (this.el.scrollTop < LOAD_OLDER_PX) void this.chat.loadOlder(true);
    const t = this.el;
    if (t.scrollHeight - t.scrollTop - t.clientHeight < LOAD_OLDER_PX) void this.chat.jumps.loadNewer();
  }

  private toBottom(): void {
    this.el.scrollTop = this.el.scrollHeight;
  }

  render(room: RoomState, switched: boolean): void {
    const chat = this.chat;
    const t = this.el;
    // A detached window (after a jump back) does not follow: its end is not the newest.
    const followed = switched || (chat.atBottom && !room.detached);
    // Elsewhere, the first message in view stays where it is (found again by its seq, as
    // its element may be redrawn when older messages arrive above it).
    const anchor = followed ? null : this.firstVisibleMessage();
    const anchorSeq = anchor?.dataset.seq;
    const anchorTop = anchor?.getBoundingClientRect().top ?? 0;

    this.renderEdge(room);
    this.log.setAttribute("aria-busy", String(!room.loaded || room.loadingOlder));
    const items = timelineItems({
      messages: room.sorted(),
      notices: room.notices,
      pending: chat.outbox.forRoom(room.name),
      shows: (seq) => room.msgs.has(seq),
      me: chat.me.id,
      connected: chat.conn === "connected",
      now: Date.now(),
      editing: this.conv.editingSeq(room.name),
      original: (seq) => chat.replies.original(room.name, seq),
    });
    const focus = focusedPart(this.items);
    reconcile(
      this.items,
      keyed(items, {
        me: chat.me,
        retry: (id) => chat.retry(id),
        discard: (id) => chat.discard(id),
        conv: this.conv.actionsFor(room),
      }),
    );
    restoreFocus(this.items, focus);

    this.newer.render(room);
    if (revealTarget(chat, room, this.items)) {
      /* a jump: the target is in view */
    } else if (followed) this.toBottom();
    else if (anchorSeq !== undefined) {
      const again = this.items.querySelector<HTMLElement>(`li.msg[data-seq="${anchorSeq}"]`);
      if (again) t.scrollTop += again.getBoundingClientRect().top - anchorTop;
    }

    const atBottom = this.atBottomNow();
    if (atBottom !== chat.atBottom) chat.atBottom = atBottom;
    if (atBottom) this.seen.set(room.name, room.contig);
    const seen = this.seen.get(room.name) ?? room.contig;
    let fresh = 0;
    for (const m of room.msgs.values()) if (m.seq > seen && m.user.id !== chat.me.id) fresh++;
    this.jump.hidden = !room.detached && (atBottom || fresh === 0);
    this.jump.textContent = room.detached
      ? "Jump to the newest messages ↓"
      : fresh === 1
        ? "1 new message ↓"
        : `${fresh} new messages ↓`;
    if (atBottom) chat.markSeen();
    // Not enough history to scroll: fetch more so the reader can get to it.
    if (room.loaded && room.hasOlder && t.scrollHeight <= t.clientHeight) void chat.loadOlder();
  }

  private renderEdge(room: RoomState): void {
    let key: string;
    const failed = !room.loaded ? this.chat.openError : null;
    if (failed) key = `failed:${failed}`;
    else if (!room.loaded) key = "loading";
    else if (room.loadingOlder) key = "older";
    else if (room.hasOlder) key = "more";
    else key = "start";
    if (this.edge.dataset.state === key) return;
    this.edge.dataset.state = key;
    if (failed) {
      // chat/history.ts retries by itself, waiting longer each time.
      this.edge.replaceChildren(
        h("p", { class: "form-error", role: "alert" }, `${failed} Trying again…`),
      );
    } else if (key === "more") {
      const more = h("button", { type: "button", class: "small quiet" }, "Load earlier messages");
      more.addEventListener("click", () => void this.chat.loadOlder(true));
      this.edge.replaceChildren(more);
    } else {
      const text = {
        loading: "Loading messages…",
        older: "Loading earlier messages…",
        start:
          room.kind === "dm"
            ? `This is the beginning of your conversation with ${this.chat.people.title(room)}.`
            : `This is the beginning of #${room.name}.`,
      }[key];
      this.edge.replaceChildren(h("p", { class: "muted" }, text ?? ""));
    }
  }

  private firstVisibleMessage(): HTMLElement | null {
    const top = this.el.getBoundingClientRect().top;
    for (const child of Array.from(this.items.children) as HTMLElement[]) {
      if (child.dataset.seq !== undefined && child.getBoundingClientRect().bottom > top) {
        return child;
      }
    }
    return null;
  }
}
