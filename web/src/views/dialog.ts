// A modal dialog (the native <dialog>: the rest of the page is inert while it is open,
// Escape closes it), titled by its heading, with a Close button; focus goes to its first
// field when it opens and back to what opened it when it closes.

import { h } from "../dom";

export class Dialog {
  readonly el: HTMLDialogElement;
  readonly body = h("div", { class: "dialog-body" });
  private opener: HTMLElement | null = null;
  /** Called after it closed (by Escape, Close, or `close()`). */
  onClose: (() => void) | null = null;

  constructor(id: string, title: string) {
    const close = h("button", { type: "button", class: "small quiet" }, "Close");
    close.addEventListener("click", () => this.close());
    this.el = h(
      "dialog",
      { class: "dialog", id, "aria-labelledby": `${id}-title` },
      h("div", { class: "dialog-head" }, h("h2", { id: `${id}-title` }, title), close),
      this.body,
    );
    this.el.addEventListener("close", () => {
      this.onClose?.();
      const opener = this.opener;
      this.opener = null;
      if (opener?.isConnected) opener.focus();
    });
    // A click on the backdrop (outside the box) closes it too.
    this.el.addEventListener("click", (event) => {
      if (event.target === this.el) this.close();
    });
  }

  /** Change its heading (a dialog about one room names it). */
  setTitle(title: string): void {
    const heading = this.el.querySelector("h2");
    if (heading && heading.textContent !== title) heading.textContent = title;
  }

  get isOpen(): boolean {
    return this.el.open;
  }

  /** Open it; `focus` (else its first field) gets the focus. */
  open(focus?: HTMLElement): void {
    if (this.el.open) return;
    this.opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // Inside the app's root, so the screen that replaces this one takes it away too.
    if (!this.el.isConnected) (document.getElementById("app") ?? document.body).append(this.el);
    this.el.showModal();
    const first = focus ?? this.body.querySelector<HTMLElement>("input, textarea, select, button");
    first?.focus();
  }

  /** Close it; `returnFocus` false: the focus stays where the caller puts it (a page it
   * opens). */
  close(returnFocus = true): void {
    if (!returnFocus) this.opener = null;
    if (this.el.open) this.el.close();
  }
}
