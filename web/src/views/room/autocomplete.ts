// Mentions in the composer: typing `@` and the start of a name lists the room's people who
// fit (state/mentiontext.ts); Up and Down move, Enter or Tab takes one, Escape closes. The
// text box stays a text box (a textarea may not take the combobox role): it points at the
// list (aria-controls) and at the option in focus (aria-activedescendant), and a status
// line says how many fit.

import { h } from "../../dom";
import { insertMention, matchPeople, mentionAt, type Candidate } from "../../state/mentiontext";
import type { User } from "../../types";

export class MentionAutocomplete {
  readonly list = h("ul", {
    id: "mention-list",
    class: "mention-list",
    role: "listbox",
    "aria-label": "People to mention",
    hidden: true,
  });
  readonly status = h("p", { class: "sr-only", role: "status" });
  private options: Candidate[] = [];
  private active = 0;
  private at: { start: number; query: string } | null = null;

  constructor(
    private readonly box: HTMLTextAreaElement,
    private readonly people: () => Iterable<User>,
    private readonly me: number,
  ) {
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", "mention-list");
    box.addEventListener("blur", () => this.close());
    box.addEventListener("click", () => this.update());
  }

  get isOpen(): boolean {
    return this.options.length > 0;
  }

  /** The text or the caret moved: list who fits the `@word` at the caret, if any. */
  update(): void {
    const { value, selectionStart, selectionEnd } = this.box;
    this.at = selectionStart === selectionEnd ? mentionAt(value, selectionStart) : null;
    const before = this.options.map((o) => o.username).join(" ");
    this.options = this.at ? matchPeople(this.people(), this.at.query, this.me) : [];
    if (this.options.map((o) => o.username).join(" ") !== before) this.active = 0;
    this.render();
  }

  /** Keys while the list is open; true when taken. */
  onKey(event: KeyboardEvent): boolean {
    if (!this.isOpen || event.isComposing) return false;
    const n = this.options.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      this.active = (this.active + (event.key === "ArrowDown" ? 1 : n - 1)) % n;
      this.render();
    } else if (event.key === "Enter" || event.key === "Tab") {
      if (event.shiftKey) return false;
      this.choose(this.active);
    } else if (event.key === "Escape") {
      this.close();
    } else {
      return false;
    }
    event.preventDefault();
    event.stopPropagation();
    return true;
  }

  close(): void {
    if (!this.isOpen && this.list.hidden) return;
    this.options = [];
    this.at = null;
    this.render();
  }

  private choose(index: number): void {
    const option = this.options[index];
    const at = this.at;
    if (!option || !at) return;
    const next = insertMention(this.box.value, at.start, this.box.selectionStart, option.username);
    this.box.value = next.text;
    this.box.setSelectionRange(next.caret, next.caret);
    this.close();
    this.status.textContent = `Mentioning ${option.label}.`;
    this.box.dispatchEvent(new Event("input", { bubbles: true }));
    this.box.focus();
  }

  private render(): void {
    const open = this.isOpen;
    this.list.hidden = !open;
    if (!open) {
      this.box.removeAttribute("aria-activedescendant");
      this.list.replaceChildren();
      return;
    }
    this.list.replaceChildren(
      ...this.options.map((option, i) => {
        const li = h(
          "li",
          {
            id: `mention-option-${i}`,
            role: "option",
            class: i === this.active ? "active" : "",
            "aria-selected": String(i === this.active),
          },
          option.label,
        );
        // Keep the focus in the text box: choose on mousedown's click.
        li.addEventListener("mousedown", (event) => event.preventDefault());
        li.addEventListener("click", () => this.choose(i));
        return li;
      }),
    );
    this.box.setAttribute("aria-activedescendant", `mention-option-${this.active}`);
    const n = this.options.length;
    const text = `${n} ${n === 1 ? "person fits" : "people fit"}: Up and Down to choose, Enter to take one.`;
    if (this.status.textContent !== text) this.status.textContent = text;
  }
}
