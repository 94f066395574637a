// Changing one's password (v2, in the profile dialog): `POST /api/me/password`. A wrong
// current password (401) is said beside the field; every other login of the reader ends,
// this one stays.

import { ApiError } from "../api";
import { describeError, type Chat } from "../chat";
import { h } from "../dom";
import { MIN_PASSWORD, passwordProblem } from "../state/password";

export class PasswordForm {
  readonly el: HTMLFormElement;
  private readonly current = field("current-password", "current-password");
  private readonly next = field("new-password", "new-password");
  private readonly again = field("new-password-again", "new-password");
  private readonly error = h("p", { class: "form-error", id: "password-error", role: "alert" });
  private readonly status = h("p", { class: "form-status", role: "status" });
  private readonly save = h("button", { type: "submit" }, "Change password");

  constructor(private readonly chat: Chat) {
    this.el = h(
      "form",
      { class: "password-form", novalidate: true, "aria-labelledby": "password-title" },
      h("h3", { id: "password-title" }, "Change password"),
      h("label", { for: "current-password" }, "Current password"),
      this.current,
      h("label", { for: "new-password" }, "New password"),
      this.next,
      h("label", { for: "new-password-again" }, "New password again"),
      this.again,
      h("p", { class: "hint muted" }, "At least 8 characters. Your other logins are signed out; this one stays."),
      this.error,
      this.status,
      h("div", { class: "dialog-actions" }, this.save),
    );
    for (const input of [this.current, this.next, this.again]) {
      input.setAttribute("aria-describedby", "password-error");
      input.addEventListener("input", () => this.clearError());
    }
    this.el.addEventListener("submit", (event) => void this.submit(event));
  }

  reset(): void {
    for (const input of [this.current, this.next, this.again]) input.value = "";
    this.clearError();
    this.status.textContent = "";
  }

  private clearError(): void {
    this.error.textContent = "";
    for (const input of [this.current, this.next, this.again]) input.removeAttribute("aria-invalid");
  }

  private invalid(input: HTMLInputElement, problem: string): void {
    this.error.textContent = problem;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    this.clearError();
    this.status.textContent = "";
    const problem = passwordProblem(this.current.value, this.next.value, this.again.value);
    if (problem) {
      this.invalid({ current: this.current, next: this.next, again: this.again }[problem.field], problem.text);
      return;
    }
    this.save.disabled = true;
    try {
      await this.chat.community.api.changePassword(this.current.value, this.next.value);
      this.reset();
      this.status.textContent = "Password changed. Your other logins were signed out.";
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        this.invalid(this.current, "The current password is wrong.");
      } else {
        this.invalid(this.next, `Could not change the password: ${describeError(e)}`);
      }
    } finally {
      this.save.disabled = false;
    }
  }
}

function field(id: string, autocomplete: string): HTMLInputElement {
  return h("input", { id, type: "password", autocomplete, minlength: MIN_PASSWORD, maxlength: 1024 });
}
