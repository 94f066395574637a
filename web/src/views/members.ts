// Who is in the open room and who of them is online (v2: their roles, bots marked), and
// (private rooms, for the owner and moderators) the invite form.

import { describeError, type Chat } from "../chat";
import { h, reconcile } from "../dom";
import type { Member } from "../types";
import { botBadge, roleBadge } from "./badges";
import { personName } from "./names";

export class MembersView {
  readonly el: HTMLElement;
  private readonly title = h("h2", { id: "members-title" });
  private readonly summary = h("p", { class: "muted" });
  private readonly list = h("ul", { class: "people", "aria-labelledby": "members-title" });
  private readonly inviteForm: HTMLFormElement;
  private readonly inviteInput = h("input", {
    id: "invite-username",
    autocomplete: "off",
    autocapitalize: "none",
    spellcheck: "false",
    required: true,
  });
  private readonly inviteStatus = h("p", { class: "form-status", role: "status" });
  private readonly leave = h("button", { type: "button", class: "small leave" });
  private readonly leaveError = h("p", { class: "form-error", role: "alert" });
  private shown: string | null = null;

  constructor(private readonly chat: Chat) {
    const close = h("button", { type: "button", class: "small quiet close-members" }, "Close");
    close.addEventListener("click", () => this.onClose?.());
    this.inviteForm = h(
      "form",
      { class: "invite" },
      h("label", { for: "invite-username" }, "Invite someone (username)"),
      h("div", { class: "row" }, this.inviteInput, h("button", { type: "submit" }, "Invite")),
      this.inviteStatus,
    );
    this.inviteForm.addEventListener("submit", (event) => void this.invite(event));
    close.setAttribute("aria-label", "Close the list of people");
    this.el = h(
      "aside",
      { class: "members", id: "members", "aria-labelledby": "members-title" },
      h("div", { class: "members-head" }, this.title, close),
      this.summary,
      this.list,
      this.inviteForm,
      h("div", { class: "leave-row" }, this.leave, this.leaveError),
    );
    this.leave.addEventListener("click", async () => {
      const name = this.shown;
      if (!name) return;
      this.leave.disabled = true;
      try {
        await this.chat.leave(name);
        location.hash = "#/";
      } catch (e) {
        this.leaveError.textContent = describeError(e);
      } finally {
        this.leave.disabled = false;
      }
    });
  }

  onClose: (() => void) | null = null;

  private async invite(event: Event): Promise<void> {
    event.preventDefault();
    const room = this.shown;
    const username = this.inviteInput.value.trim();
    if (!room || !username) return;
    this.inviteStatus.textContent = "";
    try {
      await this.chat.invite(room, username);
      this.inviteStatus.textContent = `Invited ${username}: they can now join ${room}.`;
      this.inviteInput.value = "";
    } catch (e) {
      this.inviteStatus.textContent = `Could not invite ${username}: ${describeError(e)}`;
    }
  }

  render(): void {
    const room = this.chat.openRoom;
    const name = room?.member ? room.name : null;
    if (name !== this.shown) {
      this.shown = name;
      this.inviteStatus.textContent = "";
      this.leaveError.textContent = "";
      this.list.replaceChildren();
      this.leave.textContent = name ? `Leave ${name}` : "Leave";
    }
    this.el.hidden = name === null;
    if (!room || name === null) return;
    // Nobody joins, is invited to or leaves a DM (the server refuses).
    const dm = room.kind === "dm";
    this.title.textContent = dm
      ? "People in this DM"
      : `People in ${room.isPrivate ? "" : "#"}${name}`;
    // v2: only those who may invite see the form (the owner and moderators).
    this.inviteForm.hidden = !room.isPrivate || dm || !this.chat.community.powers(room).invite;
    if (this.leave.parentElement) this.leave.parentElement.hidden = dm;
    const members: Member[] = room.members ? [...room.members.values()] : [];
    const online = (u: Member): boolean => this.chat.online.has(u.id);
    members.sort(
      (a, b) =>
        Number(online(b)) - Number(online(a)) ||
        this.chat.people.name(a).localeCompare(this.chat.people.name(b)),
    );
    const count = members.filter(online).length;
    const live = this.chat.conn === "connected";
    this.list.classList.toggle("stale", !live);
    if (!room.members) this.summary.textContent = "Loading…";
    else if (!live) this.summary.textContent = "Presence is not live while reconnecting.";
    else this.summary.textContent = `${count} of ${members.length} online`;
    reconcile(
      this.list,
      members.map((u) => {
        const state = online(u) ? "online" : "offline";
        return {
          key: `${u.id}${state}${dm ? "" : (u.role ?? "")}`,
          make: () =>
            h(
              "li",
              { class: `person ${state}` },
              h("span", { class: "dot", "aria-hidden": "true" }),
              h(
                "span",
                { class: "who" },
                h(
                  "span",
                  { class: "who-line" },
                  personName(this.chat.people.resolve(u), "name"),
                  botBadge(u),
                  dm ? null : roleBadge(u.role),
                  u.id === this.chat.me.id ? h("span", { class: "muted you" }, " (you)") : null,
                ),
                h("span", { class: "muted handle" }, `@${u.username}`),
              ),
              h("span", { class: "presence" }, state),
            ),
        };
      }),
    );
  }
}
