// Mentions in text, as the server reads them (src/hubbub/mentions.py): `@` and a username
// (3–32 of A–Z a–z 0–9 _ . -), not after a letter, digit, `_`, `@` or `.` (so an e-mail
// address mentions nobody); a trailing `.` or `-` is punctuation. `@room` names everyone.
// And the composer's side: the `@word` being typed, the people it may name, and the text
// once one is picked. Pure: views/room/ draws them.

import type { User } from "../types";
import { displayName } from "./people";

export const EVERYONE = "room";

export type TextPart = { kind: "text"; text: string } | { kind: "mention"; text: string; name: string };

const MENTION = /(?<![\p{L}\p{N}_@.])@([A-Za-z0-9_.-]{3,32})/gu;
const NAME_CHAR = /[A-Za-z0-9_.-]/;
const BEFORE_OK = /[\p{L}\p{N}_@.]/u;

/** The text, cut into plain runs and mentions (`name` lower-cased, as matched). */
export function splitMentions(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    const name = (match[1] ?? "").replace(/[.-]+$/, "");
    if (name.length < 3) continue;
    const start = match.index;
    const end = start + 1 + name.length;
    if (start > last) parts.push({ kind: "text", text: text.slice(last, start) });
    parts.push({ kind: "mention", text: text.slice(start, end), name: name.toLowerCase() });
    last = end;
  }
  if (last < text.length) parts.push({ kind: "text", text: text.slice(last) });
  return parts;
}

/** The `@word` the caret is at the end of, while it may still become a mention. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  let i = caret;
  while (i > 0 && caret - i <= 32 && NAME_CHAR.test(text[i - 1] ?? "")) i -= 1;
  if (i === 0 || text[i - 1] !== "@" || caret - i > 32) return null;
  const start = i - 1;
  if (start > 0 && BEFORE_OK.test(text[start - 1] ?? "")) return null;
  return { start, query: text.slice(i, caret) };
}

export interface Candidate {
  /** What goes after the `@`. */
  username: string;
  /** What the list shows. */
  label: string;
  user: User | null;
}

/** The people a `@query` may name, best first: username prefixes, then display-name
 * (or its words') prefixes; `@room` when it fits. Not the reader: mentioning oneself pings
 * nobody. */
export function matchPeople(
  people: Iterable<User>,
  query: string,
  me: number,
  limit = 8,
): Candidate[] {
  const q = query.toLowerCase();
  const scored: { rank: number; c: Candidate }[] = [];
  for (const user of people) {
    if (user.id === me) continue;
    const username = user.username.toLowerCase();
    const display = (user.display_name ?? "").toLowerCase();
    let rank: number;
    if (username.startsWith(q)) rank = 0;
    else if (display.startsWith(q)) rank = 1;
    else if (q && display.split(/\s+/).some((word) => word.startsWith(q))) rank = 2;
    else continue;
    const shown = displayName(user);
    const label = shown === user.username ? user.username : `${shown} (@${user.username})`;
    scored.push({ rank, c: { username: user.username, label, user } });
  }
  scored.sort((a, b) => a.rank - b.rank || a.c.username.localeCompare(b.c.username));
  const out = scored.slice(0, limit).map((s) => s.c);
  if (EVERYONE.startsWith(q) && out.length < limit) {
    out.push({ username: EVERYONE, label: "@room (everyone in this room)", user: null });
  }
  return out;
}

/** The text with the `@query` at `start` replaced by the chosen name and a space; and
 * where the caret goes. */
export function insertMention(
  text: string,
  start: number,
  caret: number,
  username: string,
): { text: string; caret: number } {
  const inserted = `@${username} `;
  const after = text.slice(caret).replace(/^ /, "");
  return { text: text.slice(0, start) + inserted + after, caret: start + inserted.length };
}
