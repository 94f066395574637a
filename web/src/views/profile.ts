// The reader's profile: the button in the top bar showing their name, and the dialog that
// sets or clears their display name (PATCH /api/me), with the server's refusal inline, and
// (v2) changes their password (password.ts).

import { describeError, type Chat } from "../chat";
import { h } from "../dom";
import { icon } from "../icons";
import { displayName } from "../state/people";
import { Dialog } from "./dialog";
import { PasswordForm } from "./password";

export class ProfileView {
  /** The top bar's button: the reader's name; opens the dialog. */
  readonly button = h("button", { type: "button", class: "small quiet me" });
  private readonly dialog = new Dialog("profile", "Your profile");
  private readonly input = h("input", {
    id: "display-name",
    name: "display_name",
    autocomplete: "nickname",
    "aria-describedby": "display-name-hint display-name-error",
  });
  private readonly username = h("p", { class: "muted" });
  private readonly error = h("p", { class: "form-error", id: "display-name-error", role: "alert" });
  private readonly save = h("button", { type: "submit", class: "primary" }, "Save");
  private shown = "";
  private readonly password: PasswordForm;

  constructor(private readonly chat: Chat) {
    const cancel = h("button", { type: "button" }, "Cancel");
    cancel.addEventListener("click", () => this.dialog.close());
    const form = h(
      "form",
      { class: "profile-form", novalidate: true },
      this.username,
      h("label", { for: "display-name" }, "Display name"),
      this.input,
      h(
        "p",
        { class: "hint muted", id: "display-name-hint" },
        "Shown instead of your username, up to 64 characters. Leave it empty to show your username.",
      ),
      this.error,
      h("div", { class: "dialog-actions" }, cancel, this.save),
    );
    form.addEventListener("submit", (event) => void this.submit(event));
    this.input.addEventListener("input", () => {
      this.error.textContent = "";
      this.input.removeAttribute("aria-invalid");
    });
    this.password = new PasswordForm(chat);
    this.dialog.body.append(form, this.password.el);
    this.button.addEventListener("click", () => this.open());
  }

  open(): void {
    const me = this.chat.people.me;
    this.username.textContent = `Username: @${me.username}`;
    this.input.value = me.display_name ?? "";
    this.error.textContent = "";
    this.input.removeAttribute("aria-invalid");
    this.password.reset();
    this.dialog.open(this.input);
    this.input.select();
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    this.save.disabled = true;
    this.error.textContent = "";
    try {
      await this.chat.people.setDisplayName(this.input.value);
      this.dialog.close();
    } catch (e) {
      this.error.textContent = describeError(e);
      this.input.setAttribute("aria-invalid", "true");
      this.input.focus();
    } finally {
      this.save.disabled = false;
    }
  }

  /** Close the dialog for a page it leads to (which takes the focus). */
  closeFor(): void {
    this.dialog.close(false);
  }

  /** v2: more of the reader's account below the rest (their bots). */
  append(section: HTMLElement): void {
    this.dialog.body.append(section);
  }

  /** The top bar's button follows the reader's name. */
  render(): void {
    const me = this.chat.people.me;
    const name = displayName(me);
    const key = `${name}|${me.username}`;
    if (key === this.shown) return;
    this.shown = key;
    this.button.replaceChildren(icon("person"), h("span", { class: "label" }, name));
    this.button.setAttribute("aria-label", `Profile: ${name}`);
    this.button.title = `Your profile (@${me.username})`;
  }
}
