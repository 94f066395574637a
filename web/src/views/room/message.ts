// The elements of the timeline's items (items.ts): a day separator, a notice, a message,
// a pending send (with Retry and Discard once it failed).

import { h, type Keyed } from "../../dom";
import { dayLabel, fullTimeOf, linkify, timeOf, waitText } from "../../format";
import type { Notice, Pending } from "../../state";
import type { Message, User } from "../../types";
import type { PendingState, TimelineItem } from "./items";

export interface ItemActions {
  me: User;
  retry: (clientId: string) => void;
  discard: (clientId: string) => void;
}

/** The items as `reconcile` takes them. */
export function keyed(items: TimelineItem[], actions: ItemActions): Keyed[] {
  return items.map((item) => ({ key: item.key, make: () => element(item, actions) }));
}

function element(item: TimelineItem, actions: ItemActions): HTMLElement {
  switch (item.kind) {
    case "day":
      return daySeparator(item.at);
    case "notice":
      return notice(item.notice);
    case "message":
      return message(item.message, item.compact, item.message.user.id === actions.me.id);
    case "pending":
      return pending(item.pending, item.state, item.compact, actions);
  }
}

function daySeparator(at: string): HTMLElement {
  const label = dayLabel(at);
  return h("li", { class: "day", role: "separator", "aria-label": label }, h("span", null, label));
}

function notice({ text, at }: Notice): HTMLElement {
  return h("li", { class: "notice" }, text, " ", h("time", { datetime: at }, timeOf(at)));
}

function message(m: Message, compact: boolean, mine: boolean): HTMLElement {
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

function pending(p: Pending, state: PendingState, compact: boolean, actions: ItemActions): HTMLElement {
  const label = {
    sending: "Sending…",
    waiting: "Waiting for the connection…",
    throttled: `Sending too fast: trying again in ${waitText(((p.notBefore ?? 0) - Date.now()) / 1000)}…`,
    failed: `Not sent: ${p.error ?? "error"}`,
  }[state];
  const me = actions.me.username;
  const li = h(
    "li",
    {
      class: `msg mine pending ${state}${compact ? " compact" : ""}`,
      "aria-busy": state === "failed" ? "false" : "true",
    },
    h("div", { class: "msg-head" }, h("span", { class: `author hue-${hue(me)}` }, me)),
    h("div", { class: "msg-text" }, linkify(p.text)),
    h("div", { class: "pending-status" }, label),
  );
  if (state === "failed") {
    const retry = h("button", { type: "button", class: "small" }, "Retry");
    retry.addEventListener("click", () => actions.retry(p.clientId));
    const discard = h("button", { type: "button", class: "small quiet" }, "Discard");
    discard.addEventListener("click", () => actions.discard(p.clientId));
    li.append(h("div", { class: "pending-actions" }, retry, discard));
  }
  return li;
}

/** A stable colour slot for a username (0–7). */
export function hue(name: string): number {
  let x = 0;
  for (const ch of name) x = (x * 31 + ch.charCodeAt(0)) >>> 0;
  return x % 8;
}
