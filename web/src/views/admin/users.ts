// The admin page's accounts (`GET /api/admin/users?q=&limit=`, by username prefix): each
// with its marks (admin, bot, deactivated) and Deactivate (asked first: every login of
// theirs ends at once) or Reactivate. Not for oneself (the server refuses it).

import { describeError, type Chat } from "../../chat";
import { h } from "../../dom";
import type { Account } from "../../types";
import { confirmDialog } from "../confirm";
import { reconcileKeepingFocus } from "../refocus";

const PAGE = 50;

export class AccountsSection {
  readonly el: HTMLElement;
  private readonly heading = h("h3", { id: "admin-users-title" }, "Users");
  private readonly query = h("input", {
    id: "admin-user-query",
    type: "search",
    autocomplete: "off",
    autocapitalize: "none",
    spellcheck: "false",
    maxlength: 64,
  });
  private readonly list = h("ul", { class: "settings-list", "aria-labelledby": "admin-users-title" });
  private readonly summary = h("p", { class: "muted" });
  private readonly status = h("p", { class: "form-status", role: "status" });
  private accounts: Account[] = [];
  private asked = 0;
  private timer = 0;
  /** After a deactivation or reactivation (the audit log has a new entry). */
  onChanged: (() => void) | null = null;

  constructor(private readonly chat: Chat) {
    const form = h(
      "form",
      { class: "admin-search", role: "search", "aria-label": "Find users" },
      h("label", { for: "admin-user-query" }, "Find users (username starts with)"),
      this.query,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.load();
    });
    this.query.addEventListener("input", () => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => void this.load(), 250);
    });
    this.el = h(
      "section",
      { class: "settings-section", "aria-labelledby": "admin-users-title" },
      this.heading,
      form,
      this.summary,
      this.status,
      this.list,
    );
  }

  reset(): void {
    this.query.value = "";
    this.status.textContent = "";
  }

  async load(): Promise<void> {
    const call = ++this.asked;
    const q = this.query.value.trim();
    try {
      const found = await this.chat.community.api.accounts(q, PAGE);
      if (call !== this.asked) return;
      this.accounts = found;
      this.chat.people.learn(found);
      const more = found.length >= PAGE ? ` (the first ${PAGE}: type more of a name to narrow it)` : "";
      this.summary.textContent = found.length
        ? `${found.length} ${found.length === 1 ? "user" : "users"}${more}`
        : "Nobody's username starts with that.";
    } catch (e) {
      if (call !== this.asked) return;
      this.summary.textContent = `Could not list the users: ${describeError(e)}`;
    }
    this.draw();
  }

  private draw(): void {
    const me = this.chat.me.id;
    reconcileKeepingFocus(
      this.list,
      this.accounts.map((a) => ({
        key: `${a.id}|${a.deactivated}|${a.admin}|${a.display_name ?? ""}`,
        make: () => {
          const marks = [a.admin ? "admin" : "", a.bot ? "bot" : "", a.deactivated ? "deactivated" : ""];
          return h(
            "li",
            { class: `settings-row${a.deactivated ? " deactivated" : ""}` },
            h(
              "span",
              { class: "who" },
              h("span", { class: "name" }, a.display_name || a.username),
              a.display_name ? h("span", { class: "muted handle" }, `@${a.username}`) : null,
              marks.filter(Boolean).map((m) => h("span", { class: `tag tag-${m}` }, m)),
              a.id === me ? h("span", { class: "muted" }, " (you)") : null,
            ),
            a.id === me ? null : h("div", { class: "row-actions" }, this.toggle(a)),
          );
        },
      })),
      this.heading,
    );
  }

  private toggle(a: Account): HTMLButtonElement {
    const verb = a.deactivated ? "Reactivate" : "Deactivate";
    const button = h(
      "button",
      { type: "button", class: a.deactivated ? "small" : "small danger-text", "aria-label": `${verb} ${a.username}` },
      verb,
    );
    button.addEventListener("click", () => void this.run(a, button));
    return button;
  }

  private async run(a: Account, button: HTMLButtonElement): Promise<void> {
    const api = this.chat.community.api;
    if (!a.deactivated) {
      const sure = await confirmDialog({
        title: `Deactivate ${a.username}?`,
        text: "They are signed out everywhere at once and cannot log in until reactivated. Their messages stay.",
        action: "Deactivate",
      });
      if (!sure) return;
    }
    button.disabled = true;
    this.status.textContent = "";
    try {
      await (a.deactivated ? api.reactivate(a.username) : api.deactivate(a.username));
      this.status.textContent = a.deactivated
        ? `${a.username} is reactivated: they may log in again.`
        : `${a.username} is deactivated and signed out.`;
      this.onChanged?.();
      await this.load();
    } catch (e) {
      button.disabled = false;
      this.status.textContent = `Could not change ${a.username}: ${describeError(e)}`;
    }
  }
}
