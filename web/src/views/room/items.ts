// What the timeline shows, in order, as data: day separators, join/leave notices, messages
// (compact when they follow the same author's within a few minutes) and this tab's pending
// sends. Each item has a key that changes exactly when its element must be made anew.
// No DOM here: message.ts makes the elements.

import { dayKey } from "../../format";
import type { Notice, Pending } from "../../state";
import type { Message } from "../../types";

/** A message within this long of the previous one by the same author is drawn compact. */
export const GROUP_MS = 5 * 60_000;

export type PendingState = "sending" | "waiting" | "throttled" | "failed";

export type TimelineItem =
  | { kind: "day"; key: string; at: string }
  | { kind: "notice"; key: string; notice: Notice }
  | {
      kind: "message";
      key: string;
      message: Message;
      compact: boolean;
      /** v2: the reader is editing it. */
      editing: boolean;
      /** v2: what it replies to (undefined while not known yet). */
      quote: { seq: number; original: Message | undefined } | null;
    }
  | { kind: "pending"; key: string; pending: Pending; state: PendingState; compact: boolean };

export interface TimelineInput {
  /** The shown messages, ascending by seq. */
  messages: Message[];
  notices: readonly Notice[];
  /** This room's pending sends, oldest first. */
  pending: readonly Pending[];
  /** Whether a seq is shown already (its pending copy is then left out). */
  shows: (seq: number) => boolean;
  me: number;
  connected: boolean;
  /** ms since the epoch. */
  now: number;
  /** v2: the seq of the message being edited. */
  editing?: number | null;
  /** v2: a message replied to, as far as known. */
  original?: (seq: number) => Message | undefined;
}

/** A message's key: a new one whenever what it shows changes (v2: its rev, being edited,
 * the state of the message it quotes). */
export function messageKey(
  m: Message,
  compact: boolean,
  editing: boolean,
  original: Message | undefined,
): string {
  let key = `m${m.seq}`;
  if (m.rev !== undefined) key += `r${m.rev}`;
  if (compact) key += "c";
  if (editing) key += "e";
  if (m.reply_to) key += `q${original ? (original.rev ?? 0) : "?"}`;
  return key;
}

/** How a pending send is shown. */
export function pendingState(p: Pending, connected: boolean, now: number): PendingState {
  if (p.status === "failed") return "failed";
  if (p.notBefore !== undefined && p.notBefore > now) return "throttled";
  return connected ? "sending" : "waiting";
}

function follows(prev: { userId: number; at: string } | null, userId: number, at: string): boolean {
  return prev !== null && prev.userId === userId && Date.parse(at) - Date.parse(prev.at) < GROUP_MS;
}

export function timelineItems(input: TimelineInput): TimelineItem[] {
  const out: TimelineItem[] = [];
  const notices = [...input.notices].sort((a, b) => a.afterSeq - b.afterSeq);
  let n = 0;
  let lastDay = "";
  /** The message the next one may follow (none after a day separator or a notice). */
  let prev: { userId: number; at: string } | null = null;

  /** A separator before the first item of each day; true when one was added. */
  const day = (at: string): boolean => {
    const key = dayKey(at);
    if (key === lastDay) return false;
    lastDay = key;
    prev = null;
    out.push({ kind: "day", key: `d${key}`, at });
    return true;
  };
  const noticesUpTo = (seq: number): void => {
    for (let notice = notices[n]; notice && notice.afterSeq <= seq; notice = notices[++n]) {
      day(notice.at);
      out.push({ kind: "notice", key: notice.key, notice });
      prev = null;
    }
  };

  for (const m of input.messages) {
    noticesUpTo(m.seq - 1);
    day(m.created_at);
    const compact = follows(prev, m.user.id, m.created_at);
    const editing = input.editing === m.seq;
    const replyTo = m.reply_to ?? null;
    const original = replyTo === null ? undefined : input.original?.(replyTo);
    out.push({
      kind: "message",
      key: messageKey(m, compact, editing, original),
      message: m,
      compact,
      editing,
      quote: replyTo === null ? null : { seq: replyTo, original },
    });
    prev = { userId: m.user.id, at: m.created_at };
  }
  noticesUpTo(Number.MAX_SAFE_INTEGER);

  for (const p of input.pending) {
    if (p.seq !== undefined && input.shows(p.seq)) continue;
    day(p.createdAt);
    const state = pendingState(p, input.connected, input.now);
    const compact = follows(prev, input.me, p.createdAt);
    out.push({
      kind: "pending",
      key: `p${p.clientId}${state}${compact ? "c" : ""}`,
      pending: p,
      state,
      compact,
    });
    prev = { userId: input.me, at: p.createdAt };
  }
  return out;
}

/** The line under the timeline: who is typing. */
export function typingText(names: readonly string[]): string {
  const sorted = [...names].sort();
  if (sorted.length === 1) return `${sorted[0]} is typing…`;
  if (sorted.length === 2) return `${sorted[0]} and ${sorted[1]} are typing…`;
  if (sorted.length > 2) return "Several people are typing…";
  return "";
}
