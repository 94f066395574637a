// The admin page's audit log (`GET /api/admin/audit`): every moderation, role change,
// deactivation and deletion, newest first, in words (state/audit.ts), with "Load more"
// for older entries (`before_id`).

import { describeError, type Chat } from "../../chat";
import { h, reconcile } from "../../dom";
import { fullTimeOf } from "../../format";
import { AuditPages, auditText } from "../../state/audit";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export class AuditSection {
  readonly el: HTMLElement;
  private readonly list = h("ol", { class: "audit-list", "aria-labelledby": "admin-audit-title" });
  private readonly status = h("p", { class: "muted" });
  private readonly more = h("button", { type: "button", class: "small" }, "Load more");
  private pages = new AuditPages();
  private loading = false;

  constructor(private readonly chat: Chat) {
    this.more.addEventListener("click", () => void this.load(false));
    this.el = h(
      "section",
      { class: "settings-section", "aria-labelledby": "admin-audit-title" },
      h("h3", { id: "admin-audit-title" }, "Audit log"),
      h("p", { class: "hint muted" }, "Moderation, roles, deactivations and deletions, newest first."),
      this.list,
      this.status,
      this.more,
    );
  }

  /** The newest page (`first`), or the next older one. */
  async load(first: boolean): Promise<void> {
    if (this.loading && !first) return;
    this.loading = true;
    this.more.disabled = true;
    const pages = first ? new AuditPages() : this.pages;
    try {
      const entries = await this.chat.community.api.audit(pages.before, pages.pageSize);
      pages.take(entries, first);
      this.pages = pages;
      this.status.textContent = pages.entries.length ? "" : "Nothing yet.";
    } catch (e) {
      this.status.textContent = `Could not read the audit log: ${describeError(e)}`;
    } finally {
      this.loading = false;
      this.more.disabled = false;
    }
    this.draw();
  }

  private draw(): void {
    this.more.hidden = !this.pages.hasMore;
    reconcile(
      this.list,
      this.pages.entries.map((e) => ({
        key: String(e.id),
        make: () =>
          h(
            "li",
            { class: "audit-entry" },
            h("time", { datetime: e.at, title: fullTimeOf(e.at) }, dateTime.format(new Date(e.at))),
            " ",
            h("span", { class: "audit-text" }, auditText(e)),
          ),
      })),
    );
  }
}
