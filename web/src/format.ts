// Times, days and safe links.

import { h } from "./dom";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  year: "numeric",
  month: "long",
  day: "numeric",
});

export function timeOf(iso: string): string {
  return timeFormat.format(new Date(iso));
}

export function fullTimeOf(iso: string): string {
  return fullFormat.format(new Date(iso));
}

/** The local calendar day of a timestamp, as YYYY-MM-DD (a key, not for display). */
export function dayKey(iso: string | Date): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function dayLabel(iso: string, now: Date = new Date()): string {
  const key = dayKey(iso);
  if (key === dayKey(now)) return "Today";
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (key === dayKey(yesterday)) return "Yesterday";
  return dayFormat.format(new Date(iso));
}

// http(s) URLs and bare www. hosts; the match stops at whitespace and quote/angle marks.
const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"]+$/;

/** Text as DOM nodes: every character stays text; http(s) links become safe anchors. */
export function linkify(text: string): Node[] {
  const nodes: Node[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    let raw = match[0];
    const start = match.index;
    raw = raw.replace(TRAILING, "");
    // Drop an unbalanced closing parenthesis: "(see https://x.org/a)".
    while (raw.endsWith(")") && count(raw, "(") < count(raw, ")")) raw = raw.slice(0, -1);
    const href = safeHref(raw);
    if (!href) continue;
    if (start > last) nodes.push(document.createTextNode(text.slice(last, start)));
    nodes.push(
      h("a", { href, target: "_blank", rel: "noopener noreferrer nofollow ugc" }, raw),
    );
    last = start + raw.length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}

function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw.toLowerCase().startsWith("www.") ? `https://${raw}` : raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** "3 s", "2 min": how long a rate limit asks to wait, for people. */
export function waitText(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  return s < 90 ? `${s} s` : `${Math.ceil(s / 60)} min`;
}
