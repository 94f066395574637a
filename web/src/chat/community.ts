// Communities (PROTOCOL v2): what moderation does to the reader's client live — kicks,
// bans, roles and mutes (`roomEvent`), a topic or archive (`roomUpdated`), a deletion
// (`roomDeleted`) —, whether the reader is a server admin, and the REST calls the settings,
// bots and admin views make (communityapi.ts).

import { ApiError } from "../api";
import { CommunityApi } from "../communityapi";
import type { RoomState } from "../state";
import { eventNotice, goneText, maySeeSettings, powers, type Powers, type Standing } from "../state/community";
import type { RoomDeleted, RoomEvent, RoomUpdated } from "../types";
import type { Chat } from "./index";

/** Something that happened to the reader (removed from a room, a room deleted). */
export interface Announcement {
  key: string;
  text: string;
}

const KEEP_ANNOUNCEMENTS = 5;

export class Community {
  /** Whether the reader is a server admin (`GET /api/admin/users` answers 200); null
   * while not known. */
  admin: boolean | null = null;
  /** Rooms the reader was removed from, or that were deleted: why (said in their place). */
  readonly gone = new Map<string, string>();
  /** Newest last; the reader dismisses them. */
  readonly announcements: Announcement[] = [];
  private counter = 0;
  private calls: CommunityApi | null = null;

  constructor(private readonly chat: Chat) {}

  get api(): CommunityApi {
    this.calls ??= new CommunityApi(this.chat.api);
    return this.calls;
  }

  /** Ask once whether the reader is a server admin (the admin page shows only then). */
  async probeAdmin(): Promise<void> {
    try {
      await this.api.accounts("", 1);
      this.admin = true;
    } catch (e) {
      // 403: not an admin. Offline or failing: unknown, asked again at the next connect.
      this.admin = e instanceof ApiError && e.status >= 400 && e.status < 500 ? false : null;
    }
    this.chat.changed();
  }

  standing(room: RoomState): Standing {
    return { role: room.role, admin: this.admin === true, kind: room.kind };
  }

  powers(room: RoomState): Powers {
    return powers(this.standing(room));
  }

  maySeeSettings(room: RoomState): boolean {
    return maySeeSettings(room, this.admin === true);
  }

  /** After a change made from a room's settings: a server admin who is not a member hears
   * none of the room's events, so what the settings show is asked for again. */
  changedFrom(name: string): void {
    const room = this.chat.rooms.get(name);
    if (!room || room.member) return; // the room's events bring it
    void this.chat.presence.loadMembers(room);
    void this.chat.refreshRooms(); // the topic, archived, or the room gone
  }

  // ---- live events ----
  /** kick, ban, role, mute (join and leave go to presence.ts). */
  onRoomEvent(e: RoomEvent): void {
    const chat = this.chat;
    chat.people.learn(e.by ? [e.user, e.by] : [e.user]);
    const mine = e.user.id === chat.me.id;
    if (mine && (e.type === "kick" || e.type === "ban")) {
      this.remove(e.room, goneText(e.type, e.room, e.by ? chat.people.name(e.by) : null));
      return;
    }
    const room = chat.rooms.get(e.room);
    if (!room) return;
    if (e.type === "kick" || e.type === "ban") {
      room.members?.delete(e.user.id);
      room.typing.delete(e.user.id);
    } else if (e.type === "role" && e.role) {
      room.setMemberRole(e.user.id, e.role);
      if (mine) void chat.refreshRooms(); // the listing carries the reader's own role
    }
    const text = eventNotice(e, (u) => chat.people.name(u));
    if (text) room.addNotice(text, e.user);
    chat.changed();
  }

  onRoomUpdated(e: RoomUpdated): void {
    const room = this.chat.rooms.get(e.room.name);
    if (!room) return;
    const wasArchived = room.archived;
    room.applyRoom(e.room);
    if (room.archived && !wasArchived) room.addNotice(`#${room.name} was archived: it is read-only now`);
    this.chat.changed();
  }

  onRoomDeleted(e: RoomDeleted): void {
    this.remove(e.room, goneText("deleted", e.room));
  }

  /** The room leaves the reader's list at once (a public one comes back with the next
   * listing, among the rooms to join), and they are told why. */
  private remove(name: string, why: string): void {
    const chat = this.chat;
    this.gone.set(name, why);
    this.announce(why);
    chat.rooms.get(name)?.markLeft();
    chat.roomList.forget(name);
    chat.changed();
    void chat.refreshRooms();
  }

  /** The reader joins (or creates) the room again: what was said of it is old news. */
  back(name: string): void {
    this.gone.delete(name);
  }

  // ---- announcements ----
  announce(text: string): void {
    this.announcements.push({ key: `a${++this.counter}`, text });
    if (this.announcements.length > KEEP_ANNOUNCEMENTS) this.announcements.shift();
    this.chat.changed();
  }

  dismiss(key: string): void {
    const at = this.announcements.findIndex((a) => a.key === key);
    if (at >= 0) this.announcements.splice(at, 1);
    this.chat.changed();
  }
}
