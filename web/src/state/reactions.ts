// Reactions as the timeline shows them: one chip per emoji, in the order each was first
// used, with its count, whether the reader is among those who reacted, and who they are.

import type { Message, User } from "../types";
import { displayName } from "./people";

export interface Chip {
  emoji: string;
  count: number;
  mine: boolean;
  /** For the tooltip and the accessible name: "👍 2: Alice, bob (you)". */
  label: string;
}

export function reacted(m: Message, emoji: string, me: number): boolean {
  return (m.reactions ?? []).some((r) => r.emoji === emoji && r.user_ids.includes(me));
}

/** `people`: who is known by id (the room's members, authors); others are "someone". */
export function chips(
  m: Message,
  me: number,
  people: (id: number) => User | undefined,
): Chip[] {
  return (m.reactions ?? [])
    .filter((r) => r.user_ids.length > 0)
    .map((r) => {
      const names = r.user_ids.map((id) => (id === me ? "you" : whoIs(people(id))));
      const count = r.user_ids.length;
      return {
        emoji: r.emoji,
        count,
        mine: r.user_ids.includes(me),
        label: `${r.emoji} ${count}: reacted by ${listText(names)}`,
      };
    });
}

function whoIs(user: User | undefined): string {
  return user ? displayName(user) : "someone";
}

/** "a", "a and b", "a, b and c". */
export function listText(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
