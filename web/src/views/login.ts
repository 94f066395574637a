// Log in or create an account.

import { ApiError, type Api } from "../api";
import type { Auth } from "../auth";
import { h } from "../dom";

export function mountLogin(root: HTMLElement, api: Api, auth: Auth): () => void {
  const username = h("input", {
    id: "login-username",
    name: "username",
    autocomplete: "username",
    autocapitalize: "none",
    spellcheck: "false",
    required: true,
    minlength: 3,
    maxlength: 32,
    pattern: "[A-Za-z0-9_.\\-]+",
  });
  const password = h("input", {
    id: "login-password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
    minlength: 8,
  });
  const error = h("p", { class: "form-error", role: "alert", id: "login-error" });
  // v2: the server ended the login (a password change, a deactivation): say so.
  const ended = h("p", { class: "signed-out-notice", role: "alert" }, auth.ended ?? "");
  ended.hidden = !auth.ended;
  const login = h("button", { type: "submit", class: "primary", value: "login" }, "Log in");
  const register = h("button", { type: "submit", value: "register" }, "Create account");

  const form = h(
    "form",
    { class: "login-form", "aria-labelledby": "login-title", novalidate: true },
    h("h1", { id: "login-title" }, h("span", { class: "logo", "aria-hidden": "true" }), "Hubbub"),
    ended,
    h("p", { class: "muted" }, "Log in, or pick a name and password to create an account."),
    h("label", { for: "login-username" }, "Username"),
    username,
    h("label", { for: "login-password" }, "Password"),
    password,
    h("p", { class: "hint muted" }, "Usernames: 3–32 letters, digits, _ . -. Passwords: 8 or more."),
    error,
    h("div", { class: "actions" }, login, register),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submitter = (event as SubmitEvent).submitter;
    const creating = submitter === register;
    error.textContent = "";
    const name = username.value.trim();
    if (!/^[A-Za-z0-9_.-]{3,32}$/.test(name)) {
      error.textContent = "Usernames are 3–32 letters, digits, dots, dashes or underscores.";
      username.focus();
      return;
    }
    if (password.value.length < 8) {
      error.textContent = "Passwords are at least 8 characters.";
      password.focus();
      return;
    }
    login.disabled = register.disabled = true;
    try {
      const pair = creating
        ? await api.register(name, password.value)
        : await api.login(name, password.value);
      auth.signIn(pair);
    } catch (e) {
      error.textContent = messageFor(e, creating);
    } finally {
      login.disabled = register.disabled = false;
    }
  });

  const main = h("main", { class: "login" }, form);
  root.replaceChildren(main);
  document.title = "Hubbub";
  username.focus();
  return () => main.remove();
}

function messageFor(error: unknown, creating: boolean): string {
  if (!(error instanceof ApiError)) return "Something went wrong.";
  if (error.status === 0) return error.message;
  if (creating && error.status === 409) return "That username is taken.";
  if (!creating && error.status === 401) return "Wrong username or password.";
  return error.message;
}
