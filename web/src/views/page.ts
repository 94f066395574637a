// A page of its own in the main pane, in the room's place (a room's settings, the admin
// page, the reader's bots): a <main> landmark titled by its heading, with a Close button;
// Escape closes it too. The router (pages.ts) shows one at a time, moves the focus to its
// heading when it opens, and back to what opened it when it closes.

import { h } from "../dom";

export class Page {
  readonly el: HTMLElement;
  /** The page's content. */
  readonly body = h("div", { class: "page-body" });
  private readonly heading: HTMLHeadingElement;
  /** Instead of the content: why there is nothing to show (not allowed, loading). */
  private readonly note = h("div", { class: "page-note", hidden: true });
  /** Close or Escape: the router goes back to where the reader was. */
  onClose: (() => void) | null = null;

  constructor(id: string, title: string) {
    this.heading = h("h2", { id: `${id}-title`, tabindex: -1 }, title);
    const close = h("button", { type: "button", class: "small quiet page-close" }, "Close");
    close.addEventListener("click", () => this.onClose?.());
    this.el = h(
      "main",
      { class: "page-pane", id, "aria-labelledby": `${id}-title`, hidden: true },
      h("header", { class: "page-head" }, this.heading, h("span", { class: "spacer" }), close),
      h("div", { class: "page-scroll" }, this.note, this.body),
    );
    this.el.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      event.preventDefault();
      this.onClose?.();
    });
  }

  /** In the document and not hidden (the router puts it in, and takes it out). */
  get shown(): boolean {
    return this.el.isConnected && !this.el.hidden;
  }

  show(): void {
    this.el.hidden = false;
  }

  hide(): void {
    this.el.hidden = true;
    this.el.remove();
  }

  /** The heading takes the focus (on open, so screen readers start at the page's name). */
  focus(): void {
    this.heading.focus();
  }

  get title(): string {
    return this.heading.textContent ?? "";
  }

  setTitle(title: string): void {
    if (this.heading.textContent !== title) this.heading.textContent = title;
  }

  /** Show `text` (with a way back to the rooms) instead of the content; null: the content. */
  setNote(text: string | null, back = true): void {
    const key = text === null ? "" : `${back ? "1" : "0"}${text}`;
    if (this.note.dataset.key === key) return;
    this.note.dataset.key = key;
    this.note.hidden = text === null;
    this.body.hidden = text !== null;
    this.note.replaceChildren();
    if (text === null) return;
    this.note.append(h("p", null, text));
    if (back) this.note.append(h("p", null, h("a", { href: "#/" }, "Back to your rooms")));
  }
}
