// How a person is named in the client: their display name when they chose one (PROTOCOL
// v2 `display_name`), else their username.

import type { User } from "../types";

export function nameOf(user: Pick<User, "username" | "display_name">): string {
  const display = user.display_name?.trim();
  return display ? display : user.username;
}
