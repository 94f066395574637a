// "New message": a dialog to find people by username or display name (GET /api/users),
// tick 1 to 8 of them (state/picker.ts decides), and open the conversation with them
// (POST /api/dms: the same people always get the same room).

import { describeError, type Chat } from "../chat";
import { h, reconcile } from "../dom";
import { MAX_PICKED, PickerSelection, pickerHint } from "../state/picker";
import type { PresenceUser, User } from "../types";
import { Dialog } from "./dialog";
import { personName } from "./names";
import { roomHref } from "./sidebar";

const FIND_DEBOUNCE_MS = 150;

export class PickerView {
  private readonly dialog = new Dialog("new-dm", "New message");
  private readonly find = h("input", {
    id: "dm-find",
    type: "search",
    autocomplete: "off",
    autocapitalize: "none",
    spellcheck: "false",
    "aria-describedby": "dm-count",
  });
  private readonly chosenList = h("ul", { class: "chosen", "aria-label": "Chosen people" });
  private readonly found = h("ul", { class: "found", "aria-label": "People found" });
  private readonly count = h("p", { class: "form-status", id: "dm-count", role: "status" });
  private readonly error = h("p", { class: "form-error", role: "alert" });
  private readonly submit = h("button", { type: "submit", class: "primary" }, "Open conversation");
  private selection: PickerSelection;
  private results: PresenceUser[] = [];
  private asked = 0; // the latest search sent (older answers are dropped)
  private timer: number | undefined;
  private busy = false;

  constructor(private readonly chat: Chat) {
    this.selection = new PickerSelection(chat.me.id);
    const cancel = h("button", { type: "button" }, "Cancel");
    cancel.addEventListener("click", () => this.dialog.close());
    const form = h(
      "form",
      { class: "picker", novalidate: true },
      h("label", { for: "dm-find" }, `Find people (up to ${MAX_PICKED})`),
      this.find,
      this.chosenList,
      this.count,
      this.found,
      this.error,
      h("div", { class: "dialog-actions" }, cancel, this.submit),
    );
    form.addEventListener("submit", (event) => void this.onSubmit(event));
    this.find.addEventListener("input", () => this.search());
    this.dialog.body.append(form);
  }

  open(): void {
    this.selection = new PickerSelection(this.chat.me.id);
    this.find.value = "";
    this.error.textContent = "";
    this.results = [];
    this.dialog.open(this.find);
    this.render();
    this.search(0);
  }

  /** Ask for the people matching what is typed, after a short pause. */
  private search(wait = FIND_DEBOUNCE_MS): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.load(), wait);
  }

  private async load(): Promise<void> {
    const asked = ++this.asked;
    try {
      const users = await this.chat.people.find(this.find.value.trim());
      if (asked !== this.asked) return;
      this.results = users.filter((u) => u.id !== this.chat.me.id);
      this.error.textContent = "";
    } catch (e) {
      if (asked !== this.asked) return;
      this.error.textContent = describeError(e);
    }
    this.render();
  }

  private toggle(user: User): void {
    if (this.selection.toggle(user) === "full") this.count.textContent = pickerHint(this.selection);
    this.render();
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    if (!this.selection.ready || this.busy) return;
    this.busy = true;
    this.render();
    this.error.textContent = "";
    try {
      const name = await this.chat.dms.open(this.selection.usernames());
      this.dialog.close();
      location.hash = roomHref(name);
    } catch (e) {
      this.error.textContent = describeError(e);
    } finally {
      this.busy = false;
      this.render();
    }
  }

  render(): void {
    if (!this.dialog.isOpen && !this.busy) return;
    const s = this.selection;
    const people = this.chat.people;
    reconcile(
      this.chosenList,
      s.people.map((u) => ({
        key: String(u.id),
        make: () => {
          const remove = h(
            "button",
            { type: "button", class: "small quiet", "aria-label": `Remove ${people.name(u)}` },
            "×",
          );
          remove.addEventListener("click", () => {
            s.remove(u.id);
            this.render();
            this.find.focus();
          });
          return h("li", { class: "chip" }, personName(people.resolve(u)), remove);
        },
      })),
    );
    this.chosenList.hidden = s.size === 0;
    reconcile(
      this.found,
      this.results.map((u) => ({
        key: `${u.id}${u.online ? "on" : "off"}`,
        make: () => this.resultItem(u),
        update: (el) => {
          const box = el.querySelector("input");
          if (!box) return;
          box.checked = s.has(u.id);
          box.disabled = !s.selectable(u);
        },
      })),
    );
    const hint = pickerHint(s);
    const text = hint || (s.size ? `${s.size} of ${MAX_PICKED} chosen.` : "Choose 1 to 8 people.");
    if (this.count.textContent !== text) this.count.textContent = text;
    this.submit.disabled = !s.ready || this.busy;
  }

  private resultItem(u: PresenceUser): HTMLElement {
    const id = `dm-pick-${u.id}`;
    const box = h("input", { type: "checkbox", id });
    box.checked = this.selection.has(u.id);
    box.disabled = !this.selection.selectable(u);
    box.addEventListener("change", () => this.toggle(u));
    return h(
      "li",
      { class: `person ${u.online ? "online" : "offline"}` },
      h(
        "label",
        { class: "check", for: id },
        box,
        h("span", { class: "dot", "aria-hidden": "true" }),
        personName(this.chat.people.resolve(u), "name"),
        h("span", { class: "muted handle" }, ` @${u.username}`),
        u.bot ? h("span", { class: "muted handle" }, " (bot)") : null,
        h("span", { class: "presence" }, u.online ? "online" : "offline"),
      ),
    );
  }
}
