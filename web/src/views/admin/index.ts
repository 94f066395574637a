// The admin page, for server admins only (the top bar's "Admin" shows when
// `GET /api/admin/users` answered 200): the users, with deactivate and reactivate, and the
// audit log.

import type { Chat } from "../../chat";
import { h } from "../../dom";
import { icon } from "../../icons";
import { Dialog } from "../dialog";
import { AccountsSection } from "./users";
import { AuditSection } from "./audit";

export class AdminView {
  /** The top bar's button: hidden unless the reader is a server admin. */
  readonly button = h(
    "button",
    { type: "button", class: "small quiet admin-button", title: "Server admin", hidden: true },
    icon("shield"),
    h("span", { class: "label" }, "Admin"), // on phones for screen readers only
  );
  private readonly dialog = new Dialog("admin", "Server admin");
  private readonly accounts: AccountsSection;
  private readonly audit: AuditSection;

  constructor(private readonly chat: Chat) {
    this.accounts = new AccountsSection(chat);
    this.audit = new AuditSection(chat);
    this.accounts.onChanged = () => void this.audit.load(true);
    this.dialog.el.classList.add("wide", "admin");
    this.dialog.body.append(this.accounts.el, this.audit.el);
    this.button.addEventListener("click", () => this.open());
  }

  open(): void {
    this.accounts.reset();
    this.dialog.open();
    void this.accounts.load();
    void this.audit.load(true);
  }

  render(): void {
    this.button.hidden = this.chat.community.admin !== true;
  }
}
