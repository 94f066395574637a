// The message box: Enter sends (Shift+Enter for a new line), it grows with its text, and
// keeps an unsent draft per room.

import { MAX_TEXT, type Chat } from "../../chat";
import { h } from "../../dom";
import { icon } from "../../icons";

const MAX_HEIGHT_PX = 200;

export class Composer {
  readonly form: HTMLFormElement;
  /** Errors of sending, and of joining (the join screen shows it too). */
  readonly error = h("p", { class: "form-error", role: "alert" });
  private readonly box = h("textarea", {
    id: "composer",
    rows: 1,
    maxlength: MAX_TEXT,
    autocomplete: "off",
  });
  private readonly label = h("label", { for: "composer", class: "sr-only" });
  private readonly drafts = new Map<string, string>();
  private room: string | null = null;

  constructor(private readonly chat: Chat) {
    this.form = h(
      "form",
      { class: "composer" },
      this.label,
      this.box,
      h(
        "button",
        { type: "submit", class: "primary send", "aria-label": "Send" },
        icon("send"),
        h("span", { class: "label" }, "Send"),
      ),
    );
    this.box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.box.addEventListener("input", () => {
      this.autosize();
      if (this.room) this.drafts.set(this.room, this.box.value);
      if (this.box.value.trim()) this.chat.typing();
      this.error.textContent = "";
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const error = this.chat.send(this.box.value);
      if (error) {
        this.error.textContent = error;
        return;
      }
      if (!this.box.value.trim()) return;
      this.box.value = "";
      if (this.room) this.drafts.delete(this.room);
      this.autosize();
      this.chat.atBottom = true; // your own message: follow it
    });
  }

  /** Another room (or none) is shown: keep this one's draft, bring back that one's. */
  switchTo(name: string | null): void {
    if (this.room) this.drafts.set(this.room, this.box.value);
    this.room = name;
    this.error.textContent = "";
    this.box.value = name ? (this.drafts.get(name) ?? "") : "";
    this.autosize();
    this.label.textContent = `Message ${name ?? ""}`;
    this.box.placeholder = name ? `Message #${name}` : "";
  }

  focus(): void {
    this.box.focus();
  }

  /** The box is on the page (the reader is in the room). */
  shownIn(container: HTMLElement): boolean {
    return container.contains(this.box);
  }

  private autosize(): void {
    this.box.style.height = "auto";
    this.box.style.height = `${Math.min(this.box.scrollHeight, MAX_HEIGHT_PX)}px`;
  }
}
