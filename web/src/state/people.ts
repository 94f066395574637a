// People as the client shows them: the name to show (a display name when one is set, else
// the username), a direct conversation's title (the other people's names), and a
// directory of the freshest copy of each person seen, so a rename (`userUpdated`) shows
// everywhere at once. Pure: chat/ feeds it, views read it.

import type { User } from "../types";

/** The name to show for someone: their display name when set, else their username. */
export function displayName(user: Pick<User, "username" | "display_name">): string {
  const shown = user.display_name?.trim();
  return shown ? shown : user.username;
}

/** A direct conversation's title: the names of everyone in it but `me`, in alphabetical
 * order, comma-joined ("Bob, carol"). A conversation with oneself is titled with one's own
 * name; one whose people are not known yet, "Direct message". */
export function dmTitle(
  people: readonly User[],
  me: number,
  nameOf: (user: User) => string = displayName,
): string {
  const others = people.filter((u) => u.id !== me);
  const shown = others.length ? others : people;
  if (!shown.length) return "Direct message";
  return shown
    .map(nameOf)
    .sort((a, b) => a.localeCompare(b))
    .join(", ");
}

/** The freshest copy of each person seen (user objects of any source, and `userUpdated`). */
export class People {
  private readonly known = new Map<number, User>();
  /** Goes up whenever a name someone shows changed (views redraw names then). */
  version = 0;

  /** Take in a user object; true when what is shown for them changed. Fields it lacks (an
   * object from before v2) keep what was known. */
  learn(user: User): boolean {
    const before = this.known.get(user.id);
    const next: User = {
      id: user.id,
      username: user.username,
      display_name:
        user.display_name !== undefined ? user.display_name : (before?.display_name ?? null),
      bot: user.bot ?? before?.bot ?? false,
    };
    this.known.set(user.id, next);
    const changed =
      !before ||
      before.username !== next.username ||
      (before.display_name ?? null) !== (next.display_name ?? null);
    if (changed) this.version += 1;
    return changed;
  }

  learnAll(users: Iterable<User>): void {
    for (const user of users) this.learn(user);
  }

  get(id: number): User | undefined {
    return this.known.get(id);
  }

  /** The freshest copy of this person (the one given when they are not known). */
  resolve(user: User): User {
    return this.known.get(user.id) ?? user;
  }

  /** The name to show for this person, as known now. */
  name(user: User): string {
    return displayName(this.resolve(user));
  }
}
