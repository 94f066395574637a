// Small marks beside a person's name: "bot" for bot accounts (v2 `user.bot`), and a room
// role ("owner", "moderator"). Text, so screen readers read them with the name.

import { h } from "../dom";
import { roleLabel } from "../state/community";
import type { RoomRole, User } from "../types";

/** "bot" after a bot's name, else nothing. */
export function botBadge(user: Pick<User, "bot">): HTMLElement | null {
  return user.bot ? h("span", { class: "tag tag-bot", title: "A bot account" }, "bot") : null;
}

/** The role after a member's name ("owner", "moderator"); nothing for a plain member. */
export function roleBadge(role: RoomRole | undefined): HTMLElement | null {
  const text = roleLabel(role);
  return text ? h("span", { class: `tag tag-${text}` }, text) : null;
}
