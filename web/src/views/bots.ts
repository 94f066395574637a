// "Your bots" (v2 integrations), the page at `#/bots`: the reader's bot accounts
// (`GET /api/bots`), creating one (`POST /api/bots`: its token shown once, with Copy) and
// deleting one (asked first: its token stops working at once).

import { describeError, type Chat } from "../chat";
import { h } from "../dom";
import type { User } from "../types";
import { confirmDialog } from "./confirm";
import { personName } from "./names";
import { Page } from "./page";
import type { PageView } from "./pages";
import { reconcileKeepingFocus } from "./refocus";
import { secretBox } from "./secret";

export class BotsView implements PageView {
  /** Its button, in the profile dialog (the app opens the page from it). */
  readonly button = h("button", { type: "button", class: "small" }, "Your bots");
  /** The profile dialog's section that holds the button. */
  readonly entry = h(
    "section",
    { class: "bots-entry", "aria-labelledby": "bots-entry-title" },
    h("h3", { id: "bots-entry-title" }, "Bots"),
    h("p", { class: "hint muted" }, "Bot accounts you own post with a token, through the API or Socket.IO."),
    this.button,
  );
  readonly page = new Page("bots", "Your bots");
  private readonly heading = h("h3", { id: "bots-list-title" }, "Bots you own");
  private readonly list = h("ul", { class: "settings-list", "aria-labelledby": "bots-list-title" });
  private readonly empty = h("p", { class: "muted" }, "You have no bots yet.");
  private readonly input = h("input", {
    id: "bot-username",
    autocomplete: "off",
    autocapitalize: "none",
    spellcheck: "false",
    maxlength: 32,
    "aria-describedby": "bot-username-hint",
  });
  private readonly create = h("button", { type: "submit", class: "small" }, "Create bot");
  private readonly status = h("p", { class: "form-status", role: "status" });
  private readonly created = h("div", { class: "created" });
  private bots: User[] = [];

  constructor(private readonly chat: Chat) {
    const form = h(
      "form",
      { class: "bot-form", novalidate: true },
      h("label", { for: "bot-username" }, "New bot's username"),
      h("div", { class: "row" }, this.input, this.create),
      h(
        "p",
        { class: "hint muted", id: "bot-username-hint" },
        "3–32 letters, digits, _ . -. A bot signs in with its token (REST and Socket.IO), never a password.",
      ),
    );
    form.addEventListener("submit", (event) => void this.submit(event));
    this.page.body.append(
      h("section", { class: "settings-section", "aria-labelledby": "bots-list-title" }, this.heading, this.list, this.empty),
      h("section", { class: "settings-section" }, form, this.status, this.created),
    );
  }

  enter(): void {
    this.status.textContent = "";
    this.created.replaceChildren();
    this.input.value = "";
    this.bots = [];
    this.empty.textContent = "Loading…";
    this.draw();
    void this.load();
  }

  /** Its content changes only with what it asks for itself. */
  render(): void {}

  private async load(): Promise<void> {
    try {
      this.bots = await this.chat.community.api.bots();
      this.empty.textContent = "You have no bots yet.";
    } catch (e) {
      this.empty.textContent = `Could not list your bots: ${describeError(e)}`;
    }
    this.draw();
  }

  private draw(): void {
    const people = this.chat.people;
    this.empty.hidden = this.bots.length > 0;
    reconcileKeepingFocus(
      this.list,
      this.bots.map((bot) => ({
        key: String(bot.id),
        make: () => {
          const remove = h(
            "button",
            { type: "button", class: "small danger-text", "aria-label": `Delete bot ${bot.username}` },
            "Delete",
          );
          remove.addEventListener("click", () => void this.remove(bot, remove));
          return h(
            "li",
            { class: "settings-row" },
            h(
              "span",
              { class: "who" },
              personName(people.resolve(bot), "name"),
              h("span", { class: "tag tag-bot" }, "bot"),
              h("span", { class: "muted handle" }, `@${bot.username}`),
            ),
            h("div", { class: "row-actions" }, remove),
          );
        },
      })),
      this.heading,
    );
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const username = this.input.value.trim();
    if (!/^[A-Za-z0-9_.-]{3,32}$/.test(username)) {
      this.status.textContent = "A bot's username is 3–32 letters, digits, dots, dashes or underscores.";
      this.input.focus();
      return;
    }
    this.create.disabled = true;
    this.status.textContent = "";
    try {
      const made = await this.chat.community.api.createBot(username);
      this.chat.people.learn([made.user]);
      this.input.value = "";
      this.status.textContent = `Bot ${made.user.username} created.`;
      this.created.replaceChildren(
        secretBox({ label: `Token of ${made.user.username}`, value: made.token }),
      );
      await this.load();
      this.created.querySelector("input")?.focus();
    } catch (e) {
      this.status.textContent = `Could not create the bot: ${describeError(e)}`;
    } finally {
      this.create.disabled = false;
    }
  }

  private async remove(bot: User, button: HTMLButtonElement): Promise<void> {
    const sure = await confirmDialog({
      title: `Delete bot ${bot.username}?`,
      text: "Its token stops working at once and it is signed out everywhere. Its messages stay.",
      action: "Delete bot",
    });
    if (!sure) return;
    button.disabled = true;
    try {
      await this.chat.community.api.deleteBot(bot.username);
      this.status.textContent = `Bot ${bot.username} deleted.`;
      this.created.replaceChildren();
      await this.load();
    } catch (e) {
      button.disabled = false;
      this.status.textContent = `Could not delete the bot: ${describeError(e)}`;
    }
  }
}
