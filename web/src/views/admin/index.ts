// The admin page (`#/admin`), for server admins only (the top bar's "Admin" shows when
// `GET /api/admin/users` answered 200): the users, with deactivate and reactivate, and the
// audit log. Anyone else who opens its address is told it is not theirs to see.

import type { Chat } from "../../chat";
import { h } from "../../dom";
import { icon } from "../../icons";
import { Page } from "../page";
import type { PageView } from "../pages";
import { AccountsSection } from "./users";
import { AuditSection } from "./audit";

export class AdminView implements PageView {
  /** The top bar's button: hidden unless the reader is a server admin. */
  readonly button = h(
    "button",
    { type: "button", class: "small quiet admin-button", title: "Server admin", hidden: true },
    icon("shield"),
    h("span", { class: "label" }, "Admin"), // on phones for screen readers only
  );
  readonly page = new Page("admin", "Server admin");
  private readonly accounts: AccountsSection;
  private readonly audit: AuditSection;
  /** Whether the lists were asked for since the page opened. */
  private loaded = false;

  constructor(private readonly chat: Chat) {
    this.accounts = new AccountsSection(chat);
    this.audit = new AuditSection(chat);
    this.accounts.onChanged = () => void this.audit.load(true);
    this.page.el.classList.add("admin");
    this.page.body.append(this.accounts.el, this.audit.el);
  }

  enter(): void {
    this.accounts.reset();
    this.loaded = false;
    this.render();
  }

  render(): void {
    const admin = this.chat.community.admin;
    this.button.hidden = admin !== true;
    if (!this.page.shown) return;
    if (admin !== true) {
      // Not known yet (asked at every connect): wait; else say so, with the way back.
      this.page.setNote(
        admin === false
          ? "This page is for server admins only. Your account is not a server admin."
          : "Checking whether you are a server admin…",
        admin === false,
      );
      return;
    }
    this.page.setNote(null);
    if (this.loaded) return;
    this.loaded = true;
    void this.accounts.load();
    void this.audit.load(true);
  }
}
