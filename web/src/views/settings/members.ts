// The room settings' members: each with their role, and — only where the reader may use
// them (state/community.ts) — make moderator / make member (the owner), kick, ban and
// mute for a chosen time (owner and moderators).

import { describeError, type Chat } from "../../chat";
import { h } from "../../dom";
import type { RoomState } from "../../state";
import {
  anyAction,
  durationText,
  memberActions,
  MUTE_CHOICES,
  type MemberActions,
  type Standing,
} from "../../state/community";
import type { Member } from "../../types";
import { botBadge, roleBadge } from "../badges";
import { personName } from "../names";
import { reconcileKeepingFocus } from "../refocus";

const ROLE_ORDER = { owner: 0, moderator: 1, member: 2 } as const;

export class MemberSection {
  readonly el: HTMLElement;
  private readonly heading = h("h3", { id: "settings-members-title" }, "Members");
  private readonly list = h("ul", { class: "settings-list", "aria-labelledby": "settings-members-title" });
  private readonly status = h("p", { class: "form-status", role: "status" });
  private room: string | null = null;
  /** After a ban here: the bans list loads again. */
  onBanned: (() => void) | null = null;

  constructor(private readonly chat: Chat) {
    this.el = h(
      "section",
      { class: "settings-section", "aria-labelledby": "settings-members-title" },
      this.heading,
      this.status,
      this.list,
    );
  }

  reset(): void {
    this.status.textContent = "";
    this.list.replaceChildren();
  }

  render(room: RoomState, standing: Standing): void {
    this.room = room.name;
    const chat = this.chat;
    const members = [...(room.members?.values() ?? [])].sort(
      (a, b) =>
        ROLE_ORDER[a.role ?? "member"] - ROLE_ORDER[b.role ?? "member"] ||
        chat.people.name(a).localeCompare(chat.people.name(b)),
    );
    const title = room.members ? `Members (${members.length})` : "Members";
    if (this.heading.textContent !== title) this.heading.textContent = title;
    reconcileKeepingFocus(
      this.list,
      members.map((m) => {
        const actions = memberActions(standing, chat.me.id, m);
        const key = [m.id, m.role, JSON.stringify(actions), chat.people.version].join("|");
        return { key, make: () => this.row(m, actions) };
      }),
      this.heading,
    );
  }

  private row(m: Member, actions: MemberActions): HTMLElement {
    const chat = this.chat;
    const who = chat.people.resolve(m);
    const name = chat.people.name(m);
    return h(
      "li",
      { class: "settings-row" },
      h(
        "span",
        { class: "who" },
        personName(who, "name"),
        botBadge(who),
        roleBadge(m.role),
        m.id === chat.me.id ? h("span", { class: "muted" }, " (you)") : null,
      ),
      anyAction(actions) ? this.actions(m, name, actions) : null,
    );
  }

  private actions(m: Member, name: string, a: MemberActions): HTMLElement {
    const group = h("div", { class: "row-actions" });
    const button = (text: string, label: string, run: () => Promise<void>, done: string, danger = false) => {
      const b = h("button", { type: "button", class: danger ? "small danger-text" : "small", "aria-label": label }, text);
      b.addEventListener("click", () => void this.act(b, run, done));
      group.append(b);
    };
    const api = this.chat.community.api;
    const room = this.room ?? "";
    if (a.makeModerator) {
      button("Make moderator", `Make moderator: ${name}`, () => api.setRole(room, m.username, "moderator"), `${name} is a moderator now.`);
    }
    if (a.makeMember) {
      button("Make member", `Make member: ${name}`, () => api.setRole(room, m.username, "member"), `${name} is a member now.`);
    }
    if (a.mute) group.append(this.muteControl(m, name));
    if (a.kick) button("Kick", `Kick ${name}`, () => api.kick(room, m.username), `${name} was removed from the room.`, true);
    if (a.ban) {
      button("Ban", `Ban ${name}`, async () => {
        await api.ban(room, m.username);
        this.onBanned?.();
      }, `${name} is banned.`, true);
    }
    return group;
  }

  /** A length (5 minutes … 1 week) and the Mute button. */
  private muteControl(m: Member, name: string): HTMLElement {
    const id = `mute-${m.id}`;
    const select = h(
      "select",
      { id, class: "mute-length" },
      MUTE_CHOICES.map((c) => h("option", { value: String(c.seconds) }, c.label)),
    );
    const mute = h("button", { type: "button", class: "small", "aria-label": `Mute ${name}` }, "Mute");
    mute.addEventListener("click", () => {
      const seconds = Number(select.value);
      const room = this.room ?? "";
      void this.act(
        mute,
        () => this.chat.community.api.mute(room, m.username, seconds),
        `${name} is muted for ${durationText(seconds)}.`,
      );
    });
    return h(
      "span",
      { class: "mute" },
      h("label", { for: id, class: "sr-only" }, `Mute ${name} for`),
      select,
      mute,
    );
  }

  private async act(button: HTMLButtonElement, run: () => Promise<void>, done: string): Promise<void> {
    button.disabled = true;
    this.status.textContent = "";
    try {
      await run();
      this.status.textContent = done;
      this.chat.community.changedFrom(this.room ?? "");
    } catch (e) {
      this.status.textContent = `Could not do that: ${describeError(e)}`;
    } finally {
      button.disabled = false;
    }
  }
}
