// The open room: its timeline (history paging, day separators, pending sends, join/leave
// notices), the "new messages" marker, who is typing, and the composer.

import { describeError, MAX_TEXT, type Chat } from "../chat";
import { h, reconcile, replace, type Keyed } from "../dom";
import { dayKey, dayLabel, fullTimeOf, linkify, timeOf, waitText } from "../format";
import type { Pending, RoomState } from "../state";
import type { Message } from "../types";
import { icon } from "../icons";
import { roomHref, roomMark } from "./sidebar";

const GROUP_MS = 5 * 60_000;
const BOTTOM_SLACK_PX = 32;
const LOAD_OLDER_PX = 300;

export class RoomView {
  readonly el: HTMLElement;
  private readonly title = h("h2", { id: "room-title" });
  private readonly kind = h("span", { class: "room-kind" });
  readonly membersToggle = h("button", {
    type: "button",
    class: "members-toggle",
    "aria-controls": "members",
  });
  private readonly body = h("div", { class: "room-body" });
  /** The scrolling area (focusable, so the keyboard can scroll it). */
  private readonly timeline = h("div", {
    class: "timeline",
    role: "region",
    "aria-label": "Conversation",
    tabindex: "0",
  });
  private readonly edge = h("div", { class: "history-edge" });
  /** The messages: a log, made anew for each room so that switching rooms does not make a
   * screen reader read out the whole history (only what arrives later is announced). */
  private items = h("ol", { class: "items", role: "log" });
  private readonly jump = h("button", { type: "button", class: "jump", hidden: true });
  private readonly typingLine = h("p", {
    class: "typing",
    role: "status",
    "aria-label": "Who is typing",
  });
  private readonly composer = h("textarea", {
    id: "composer",
    rows: 1,
    maxlength: MAX_TEXT,
    autocomplete: "off",
  });
  private readonly composerLabel = h("label", { for: "composer", class: "sr-only" });
  private readonly composerError = h("p", { class: "form-error", role: "alert" });
  private readonly form: HTMLFormElement;

  private shown: string | null = null; // the room drawn last
  private outsideKey: string | null = null; // the not-a-member screen drawn last
  private readonly drafts = new Map<string, string>();
  /** Per room: the contig seq when the reader last saw the bottom. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly chat: Chat) {
    const back = h("a", { href: "#/", class: "back", "aria-label": "Back to rooms" }, icon("back"));
    this.form = h(
      "form",
      { class: "composer" },
      this.composerLabel,
      this.composer,
      h(
        "button",
        { type: "submit", class: "primary send", "aria-label": "Send" },
        icon("send"),
        h("span", { class: "label" }, "Send"),
      ),
    );
    this.timeline.append(this.edge, this.items);
    this.el = h(
      "main",
      { class: "room-pane", id: "main", "aria-labelledby": "room-title" },
      h(
        "header",
        { class: "room-head" },
        back,
        this.title,
        this.kind,
        h("span", { class: "spacer" }),
        this.membersToggle,
      ),
      this.body,
    );
    this.wire();
  }

  private wire(): void {
    this.timeline.addEventListener("scroll", () => this.onScroll(), { passive: true });
    new ResizeObserver(() => {
      if (this.chat.atBottom) this.toBottom();
    }).observe(this.timeline);
    this.jump.addEventListener("click", () => {
      this.toBottom();
      this.onScroll();
      this.composer.focus();
    });
    this.composer.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.composer.addEventListener("input", () => {
      this.autosize();
      if (this.shown) this.drafts.set(this.shown, this.composer.value);
      if (this.composer.value.trim()) this.chat.typing();
      this.composerError.textContent = "";
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const error = this.chat.send(this.composer.value);
      if (error) {
        this.composerError.textContent = error;
        return;
      }
      if (!this.composer.value.trim()) return;
      this.composer.value = "";
      if (this.shown) this.drafts.delete(this.shown);
      this.autosize();
      this.chat.atBottom = true; // your own message: follow it
    });
  }

  private autosize(): void {
    this.composer.style.height = "auto";
    this.composer.style.height = `${Math.min(this.composer.scrollHeight, 200)}px`;
  }

  private atBottomNow(): boolean {
    const t = this.timeline;
    return t.scrollHeight - t.scrollTop - t.clientHeight <= BOTTOM_SLACK_PX;
  }

  private onScroll(): void {
    const atBottom = this.atBottomNow();
    if (atBottom !== this.chat.atBottom) {
      this.chat.atBottom = atBottom;
      this.chat.changed();
    }
    if (atBottom) this.chat.markSeen();
    if (this.timeline.scrollTop < LOAD_OLDER_PX) void this.chat.loadOlder(true);
  }

  private toBottom(): void {
    this.timeline.scrollTop = this.timeline.scrollHeight;
  }

  /** Redraw. Keeps the reader's place: at the bottom it follows, elsewhere nothing moves. */
  render(): void {
    const chat = this.chat;
    const name = chat.openName;
    const room = chat.openRoom;
    const switched = name !== this.shown;
    if (switched) this.switchTo(name);
    if (!name) return;

    replace(this.title, roomMark(room?.isPrivate ?? false), name);
    this.kind.textContent = room?.isPrivate ? "private" : "";
    const members = room?.members?.size;
    const people = members === undefined ? "People" : `People (${members})`;
    if (this.membersToggle.getAttribute("aria-label") !== people) {
      this.membersToggle.setAttribute("aria-label", people);
      replace(
        this.membersToggle,
        icon("people"),
        h("span", { class: "label" }, "People"),
        members === undefined ? null : h("span", { class: "count" }, String(members)),
      );
    }
    this.membersToggle.hidden = !room?.member;

    if (!room || !room.member) {
      this.renderOutside(name, room);
      return;
    }
    this.outsideKey = null;
    if (this.body.firstChild !== this.timeline) {
      this.body.replaceChildren(
        this.timeline,
        this.jump,
        this.typingLine,
        this.form,
        this.composerError,
      );
    }
    this.renderTimeline(room, switched);
    this.renderTyping(room);
  }

  private switchTo(name: string | null): void {
    if (this.shown) this.drafts.set(this.shown, this.composer.value);
    this.shown = name;
    const items = h("ol", { class: "items", role: "log", "aria-label": `Messages in ${name ?? ""}` });
    this.items.replaceWith(items);
    this.items = items;
    this.composerError.textContent = "";
    this.composer.value = name ? (this.drafts.get(name) ?? "") : "";
    this.autosize();
    this.composerLabel.textContent = `Message ${name ?? ""}`;
    this.composer.placeholder = name ? `Message #${name}` : "";
    if (!name) {
      this.title.textContent = "";
      this.body.replaceChildren(
        h(
          "div",
          { class: "welcome" },
          h("h2", null, "Welcome to Hubbub"),
          h("p", { class: "muted" }, "Pick a room on the left, join a public one, or create your own."),
        ),
      );
      this.membersToggle.hidden = true;
    }
  }

  private renderOutside(name: string, room: RoomState | null): void {
    const chat = this.chat;
    // Built once per room and state: redrawing it on every change would take the focus
    // from its button (and let a click in progress land on a fresh one).
    const state = room
      ? room.isPrivate
        ? "invited"
        : "public"
      : `none:${chat.openError ?? ""}:${chat.roomsLoaded}`;
    const key = `${name}|${state}`;
    if (this.outsideKey === key && this.body.firstChild !== this.timeline) return;
    this.outsideKey = key;
    if (room) {
      const [label, text] = room.isPrivate
        ? ["Accept invitation", `You are invited to the private room ${name}.`]
        : [`Join #${name}`, `You are not in #${name} yet.`];
      const join = h("button", { type: "button", class: "primary" }, label);
      join.addEventListener("click", () => {
        join.disabled = true;
        chat.join(name).catch((e: unknown) => {
          join.disabled = false;
          this.composerError.textContent = describeError(e);
        });
      });
      this.body.replaceChildren(
        h("div", { class: "welcome" }, h("p", null, text), join, this.composerError),
      );
    } else {
      const text = chat.openError ?? (chat.roomsLoaded ? `There is no room #${name}.` : "Loading…");
      this.body.replaceChildren(
        h("div", { class: "welcome" }, h("p", { role: "status" }, text), h("a", { href: "#/" }, "Back to your rooms")),
      );
    }
  }

  private renderTimeline(room: RoomState, switched: boolean): void {
    const t = this.timeline;
    const followed = switched || this.chat.atBottom;
    // Elsewhere, the first message in view stays where it is (found again by its seq, as
    // its element may be redrawn when older messages arrive above it).
    const anchor = followed ? null : this.firstVisibleMessage();
    const anchorSeq = anchor?.dataset.seq;
    const anchorTop = anchor?.getBoundingClientRect().top ?? 0;

    this.renderEdge(room);
    this.items.setAttribute("aria-busy", String(!room.loaded || room.loadingOlder));
    reconcile(this.items, this.itemsFor(room));

    if (followed) this.toBottom();
    else if (anchorSeq !== undefined) {
      const again = this.items.querySelector<HTMLElement>(`li.msg[data-seq="${anchorSeq}"]`);
      if (again) t.scrollTop += again.getBoundingClientRect().top - anchorTop;
    }

    const atBottom = this.atBottomNow();
    if (atBottom !== this.chat.atBottom) this.chat.atBottom = atBottom;
    if (atBottom) this.seen.set(room.name, room.contig);
    const seen = this.seen.get(room.name) ?? room.contig;
    let fresh = 0;
    for (const m of room.msgs.values()) if (m.seq > seen && m.user.id !== this.chat.me.id) fresh++;
    this.jump.hidden = atBottom || fresh === 0;
    this.jump.textContent = fresh === 1 ? "1 new message ↓" : `${fresh} new messages ↓`;
    if (atBottom) this.chat.markSeen();
    // Not enough history to scroll: fetch more so the reader can get to it.
    if (room.loaded && room.hasOlder && t.scrollHeight <= t.clientHeight) void this.chat.loadOlder();
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
      // chat.ts retries by itself, waiting longer each time.
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
        start: `This is the beginning of #${room.name}.`,
      }[key];
      this.edge.replaceChildren(h("p", { class: "muted" }, text ?? ""));
    }
  }

  private firstVisibleMessage(): HTMLElement | null {
    const top = this.timeline.getBoundingClientRect().top;
    for (const child of Array.from(this.items.children) as HTMLElement[]) {
      if (child.dataset.seq !== undefined && child.getBoundingClientRect().bottom > top) {
        return child;
      }
    }
    return null;
  }

  private itemsFor(room: RoomState): Keyed[] {
    const out: Keyed[] = [];
    const notices = [...room.notices].sort((a, b) => a.afterSeq - b.afterSeq);
    let n = 0;
    let lastDay = "";
    let prev: Message | null = null;
    const day = (iso: string): boolean => {
      const key = dayKey(iso);
      if (key === lastDay) return false;
      lastDay = key;
      prev = null;
      out.push({
        key: `d${key}`,
        make: () =>
          h("li", { class: "day", role: "separator", "aria-label": dayLabel(iso) }, h("span", null, dayLabel(iso))),
      });
      return true;
    };
    const noticesUpTo = (seq: number): void => {
      for (let notice = notices[n]; notice && notice.afterSeq <= seq; notice = notices[++n]) {
        const { key, text, at } = notice;
        day(at);
        out.push({ key, make: () => h("li", { class: "notice" }, text, " ", h("time", { datetime: at }, timeOf(at))) });
        prev = null;
      }
    };
    for (const m of room.sorted()) {
      noticesUpTo(m.seq - 1);
      day(m.created_at);
      const p = prev as Message | null;
      const compact =
        p !== null &&
        p.user.id === m.user.id &&
        Date.parse(m.created_at) - Date.parse(p.created_at) < GROUP_MS;
      out.push({ key: `m${m.seq}${compact ? "c" : ""}`, make: () => this.message(m, compact) });
      prev = m;
    }
    noticesUpTo(Number.MAX_SAFE_INTEGER);
    const tail = prev as Message | null;
    let last = tail ? { userId: tail.user.id, at: tail.created_at } : null;
    for (const pending of this.chat.outbox) {
      if (pending.room !== room.name) continue;
      if (pending.seq !== undefined && room.msgs.has(pending.seq)) continue;
      if (day(pending.createdAt)) last = null;
      const state = this.pendingState(pending);
      const compact =
        last !== null &&
        last.userId === this.chat.me.id &&
        Date.parse(pending.createdAt) - Date.parse(last.at) < GROUP_MS;
      out.push({
        key: `p${pending.clientId}${state}${compact ? "c" : ""}`,
        make: () => this.pending(pending, state, compact),
      });
      last = { userId: this.chat.me.id, at: pending.createdAt };
    }
    return out;
  }

  private message(m: Message, compact: boolean): HTMLElement {
    const mine = m.user.id === this.chat.me.id;
    return h(
      "li",
      { class: `msg${compact ? " compact" : ""}${mine ? " mine" : ""}`, dataset: { seq: String(m.seq) } },
      h(
        "div",
        { class: "msg-head" },
        h("span", { class: `author hue-${hue(m.user.username)}` }, m.user.username),
        " ",
        h("time", { datetime: m.created_at, title: fullTimeOf(m.created_at) }, timeOf(m.created_at)),
      ),
      h("div", { class: "msg-text" }, linkify(m.text)),
    );
  }

  private pendingState(p: Pending): string {
    if (p.status === "failed") return "failed";
    if (p.notBefore !== undefined && p.notBefore > Date.now()) return "throttled";
    return this.chat.conn === "connected" ? "sending" : "waiting";
  }

  private pending(p: Pending, state: string, compact: boolean): HTMLElement {
    const label = {
      sending: "Sending…",
      waiting: "Waiting for the connection…",
      throttled: `Sending too fast: trying again in ${waitText(((p.notBefore ?? 0) - Date.now()) / 1000)}…`,
      failed: `Not sent: ${p.error ?? "error"}`,
    }[state];
    const me = this.chat.me.username;
    const li = h(
      "li",
      {
        class: `msg mine pending ${state}${compact ? " compact" : ""}`,
        "aria-busy": state === "failed" ? "false" : "true",
      },
      h("div", { class: "msg-head" }, h("span", { class: `author hue-${hue(me)}` }, me)),
      h("div", { class: "msg-text" }, linkify(p.text)),
      h("div", { class: "pending-status" }, label ?? ""),
    );
    if (state === "failed") {
      const retry = h("button", { type: "button", class: "small" }, "Retry");
      retry.addEventListener("click", () => this.chat.retry(p.clientId));
      const discard = h("button", { type: "button", class: "small quiet" }, "Discard");
      discard.addEventListener("click", () => this.chat.discard(p.clientId));
      li.append(h("div", { class: "pending-actions" }, retry, discard));
    }
    return li;
  }

  private renderTyping(room: RoomState): void {
    const names = [...room.typing.values()].map((t) => t.user.username).sort();
    let text = "";
    if (names.length === 1) text = `${names[0]} is typing…`;
    else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
    else if (names.length > 2) text = "Several people are typing…";
    if (this.typingLine.textContent !== text) this.typingLine.textContent = text;
  }

  focusComposer(): void {
    if (this.shown && this.body.contains(this.composer)) this.composer.focus();
  }
}

/** A stable colour slot for a username (0–7). */
function hue(name: string): number {
  let x = 0;
  for (const ch of name) x = (x * 31 + ch.charCodeAt(0)) >>> 0;
  return x % 8;
}

export { roomHref };
