// The room settings' bans (owner and moderators): who is banned (`GET …/bans`), each with
// Unban (`DELETE …/bans/{username}`).

import { describeError, type Chat } from "../../chat";
import { h } from "../../dom";
import type { User } from "../../types";
import { botBadge } from "../badges";
import { personName } from "../names";
import { reconcileKeepingFocus } from "../refocus";

export class BansSection {
  readonly el: HTMLElement;
  private readonly heading = h("h3", { id: "settings-bans-title" }, "Banned");
  private readonly list = h("ul", { class: "settings-list", "aria-labelledby": "settings-bans-title" });
  private readonly empty = h("p", { class: "muted" }, "Nobody is banned.");
  private readonly status = h("p", { class: "form-status", role: "status" });
  private room: string | null = null;
  private banned: User[] = [];
  private loading = 0;

  constructor(private readonly chat: Chat) {
    this.el = h(
      "section",
      { class: "settings-section", "aria-labelledby": "settings-bans-title" },
      this.heading,
      this.status,
      this.list,
      this.empty,
    );
  }

  /** List the bans of `room` (again). */
  async load(room: string): Promise<void> {
    const call = ++this.loading;
    if (room !== this.room) {
      this.room = room;
      this.banned = [];
      this.status.textContent = "";
      this.draw();
      this.empty.textContent = "Loading…";
    }
    try {
      const banned = await this.chat.community.api.bans(room);
      if (call !== this.loading) return;
      this.banned = banned;
      this.chat.people.learn(banned);
      this.empty.textContent = "Nobody is banned.";
    } catch (e) {
      if (call !== this.loading) return;
      this.empty.textContent = `Could not list the bans: ${describeError(e)}`;
    }
    this.draw();
  }

  reset(): void {
    this.room = null;
    this.banned = [];
  }

  private draw(): void {
    const people = this.chat.people;
    this.empty.hidden = this.banned.length > 0;
    reconcileKeepingFocus(
      this.list,
      this.banned.map((u) => ({
        key: `${u.id}|${people.version}`,
        make: () => {
          const name = people.name(u);
          const unban = h("button", { type: "button", class: "small", "aria-label": `Unban ${name}` }, "Unban");
          unban.addEventListener("click", () => void this.unban(u, name, unban));
          return h(
            "li",
            { class: "settings-row" },
            h("span", { class: "who" }, personName(people.resolve(u), "name"), botBadge(u)),
            h("div", { class: "row-actions" }, unban),
          );
        },
      })),
      this.heading,
    );
  }

  private async unban(u: User, name: string, button: HTMLButtonElement): Promise<void> {
    const room = this.room;
    if (!room) return;
    button.disabled = true;
    try {
      await this.chat.community.api.unban(room, u.username);
      this.status.textContent = `${name} is no longer banned: they may join again.`;
      await this.load(room);
    } catch (e) {
      button.disabled = false;
      this.status.textContent = `Could not unban ${name}: ${describeError(e)}`;
    }
  }
}
