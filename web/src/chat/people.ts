// People's names: the directory of the freshest copy of each person (state/people.ts), fed
// by what the server lists (rooms' people, members, who is online, user searches) and by
// `userUpdated`; setting one's own display name; finding people by name.

import { dmTitle, People } from "../state/people";
import type { PresenceUser, RoomListing, User, UserUpdated } from "../types";
import type { RoomState } from "../state";
import type { Chat } from "./index";

export class PeopleNames {
  readonly known = new People();

  constructor(private readonly chat: Chat) {}

  /** Goes up whenever a shown name changed. */
  get version(): number {
    return this.known.version;
  }

  /** The session's user object may predate a rename (here or on another device). */
  async loadMe(): Promise<void> {
    try {
      if (this.known.learn(await this.chat.api.me())) this.chat.changed();
    } catch {
      /* the next connect tries again */
    }
  }

  /** The name to show for someone, as known now. */
  name(user: User): string {
    return this.known.name(user);
  }

  /** The freshest copy of someone. */
  resolve(user: User): User {
    return this.known.resolve(user);
  }

  get me(): User {
    return this.known.resolve(this.chat.me);
  }

  learn(users: Iterable<User>): void {
    let changed = false;
    for (const u of users) if (this.known.learn(u)) changed = true;
    if (changed) this.chat.changed();
  }

  learnRooms(listings: readonly RoomListing[]): void {
    for (const listing of listings) if (listing.people) this.learn(listing.people);
  }

  onUserUpdated(e: UserUpdated): void {
    this.learn([e.user]);
  }

  /** A room's title: its name, or for a DM the other people's names. */
  title(room: RoomState): string {
    if (room.kind !== "dm") return room.name;
    return dmTitle(room.people, this.chat.me.id, (u) => this.name(u));
  }

  /** Set (or, with "", clear) the reader's display name. Throws the server's refusal. */
  async setDisplayName(value: string): Promise<User> {
    const trimmed = value.trim();
    const user = await this.chat.api.setDisplayName(trimmed ? trimmed : null);
    this.learn([user]);
    return user;
  }

  /** People whose username or display name starts with `q`. */
  async find(q: string, limit = 20): Promise<PresenceUser[]> {
    const users = await this.chat.api.findUsers(q, limit);
    this.learn(users);
    return users;
  }
}
