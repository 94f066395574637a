// The elements of the timeline's items (items.ts): a day separator, a notice, a message,
// a pending send (with Retry and Discard once it failed).

import { h, type Keyed } from "../../dom";
import { dayLabel, fullTimeOf, linkify, timeOf, waitText } from "../../format";
import type { Notice, Pending } from "../../state";
import type { User } from "../../types";
import { mentionsOf } from "../../state/mentions";
import { botBadge } from "../badges";
import { personName } from "../names";
import { attachmentList, pendingFiles } from "./attachments";
import type { PendingState, TimelineItem } from "./items";
import {
  actionBar,
  editedMark,
  editor,
  quote,
  reactionRow,
  replyCount,
  richText,
  tombstone,
  type ConvActions,
} from "./parts";

export interface ItemActions {
  me: User;
  retry: (clientId: string) => void;
  discard: (clientId: string) => void;
  /** v2: edits, deletes, reactions, replies, mentions. */
  conv: ConvActions;
}

/** The items as `reconcile` takes them. */
export function keyed(items: TimelineItem[], actions: ItemActions): Keyed[] {
  return items.map((item) => ({
    // v2: a message's controls follow what the reader may do (archived, a role given).
    key: item.kind === "message" ? item.key + actions.conv.mode : item.key,
    make: () => element(item, actions),
  }));
}

function element(item: TimelineItem, actions: ItemActions): HTMLElement {
  switch (item.kind) {
    case "day":
      return daySeparator(item.at);
    case "notice":
      return notice(item.notice);
    case "message":
      return message(item, actions.conv);
    case "pending":
      return pending(item.pending, item.state, item.compact, actions);
  }
}

function daySeparator(at: string): HTMLElement {
  const label = dayLabel(at);
  // A list item (a list holds nothing else) with the separator in it.
  return h(
    "li",
    { class: "day-item" },
    h("div", { class: "day", role: "separator", "aria-label": label }, h("span", null, label)),
  );
}

function notice({ text, at, user }: Notice): HTMLElement {
  return h(
    "li",
    { class: "notice" },
    user ? [personName(user), " "] : null,
    text,
    " ",
    h("time", { datetime: at }, timeOf(at)),
  );
}

function message(item: Extract<TimelineItem, { kind: "message" }>, conv: ConvActions): HTMLElement {
  const { message: m, compact } = item;
  const mine = m.user.id === conv.me.id;
  const mentioned = !mine && mentionsOf(m, conv.me.id);
  const classes = ["msg"];
  if (compact) classes.push("compact");
  if (mine) classes.push("mine");
  if (mentioned) classes.push("mentioned");
  if (m.deleted) classes.push("deleted");
  let body: HTMLElement;
  if (m.deleted) body = tombstone();
  else if (item.editing) body = editor(m, conv);
  else body = h("div", { class: "msg-text" }, richText(m.text, conv));
  return h(
    "li",
    { class: classes.join(" "), dataset: { seq: String(m.seq) } },
    h(
      "div",
      { class: "msg-head" },
      personName(m.user, `author hue-${hue(m.user.username)}`),
      botBadge(m.user),
      " ",
      h("time", { datetime: m.created_at, title: fullTimeOf(m.created_at) }, timeOf(m.created_at)),
      editedMark(m),
      mentioned ? h("span", { class: "sr-only" }, "(mentions you)") : null,
    ),
    item.quote ? quote(item.quote.seq, item.quote.original, conv) : null,
    body,
    m.deleted ? null : attachmentList(m.attachments, conv.attachments),
    m.deleted ? null : reactionRow(m, conv),
    replyCount(m, conv),
    item.editing ? null : actionBar(m, conv),
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
    h("div", { class: "msg-head" }, personName(actions.me, `author hue-${hue(me)}`)),
    h("div", { class: "msg-text" }, linkify(p.text)),
    pendingFiles(p.attachments),
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
