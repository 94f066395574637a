// A room's notification level (PROTOCOL v2 `notify`): which messages of others there make a
// browser notification when the reader is not looking at the room.

import type { NotifyLevel } from "../types";

export const NOTIFY_LEVELS: readonly NotifyLevel[] = ["all", "mentions", "none"];

export const NOTIFY_LABELS: Record<NotifyLevel, string> = {
  all: "All messages",
  mentions: "Mentions only",
  none: "Nothing",
};

/** Whether a message of someone else (`mentioned`: it names the reader, or @room) notifies. */
export function shouldNotify(level: NotifyLevel, mentioned: boolean): boolean {
  if (level === "none") return false;
  if (level === "mentions") return mentioned;
  return true;
}
