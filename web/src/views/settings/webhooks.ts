// The room settings' incoming webhooks (owner and moderators): the list (`GET …/webhooks`,
// never their secrets), creating one (its URL shown once, with Copy and a curl example),
// deleting one (asked first: anything posting to it stops working).

import { describeError, type Chat } from "../../chat";
import { h } from "../../dom";
import type { Webhook } from "../../types";
import { confirmDialog } from "../confirm";
import { reconcileKeepingFocus } from "../refocus";
import { copyText, secretBox } from "../secret";

/** The example shown with a new webhook's URL. */
export function curlExample(url: string): string {
  return `curl -d '{"text":"deploy done"}' -H 'Content-Type: application/json' ${url}`;
}

export class WebhookSection {
  readonly el: HTMLElement;
  private readonly heading = h("h3", { id: "settings-hooks-title" }, "Webhooks");
  private readonly list = h("ul", { class: "settings-list", "aria-labelledby": "settings-hooks-title" });
  private readonly empty = h("p", { class: "muted" }, "No webhooks yet.");
  private readonly input = h("input", { id: "webhook-name", maxlength: 64, autocomplete: "off", required: true });
  private readonly create = h("button", { type: "submit", class: "small" }, "Create webhook");
  private readonly status = h("p", { class: "form-status", role: "status" });
  private readonly created = h("div", { class: "created" });
  private room: string | null = null;
  private hooks: Webhook[] = [];

  constructor(private readonly chat: Chat) {
    const form = h(
      "form",
      { class: "webhook-form", novalidate: true },
      h("label", { for: "webhook-name" }, "New webhook's name"),
      h("div", { class: "row" }, this.input, this.create),
    );
    form.addEventListener("submit", (event) => void this.submit(event));
    this.el = h(
      "section",
      { class: "settings-section", "aria-labelledby": "settings-hooks-title" },
      this.heading,
      h(
        "p",
        { class: "hint muted" },
        "A webhook is a secret URL: whatever posts {\"text\": …} to it appears here as a message from it.",
      ),
      this.list,
      this.empty,
      form,
      this.status,
      this.created,
    );
  }

  reset(): void {
    this.room = null;
    this.hooks = [];
    this.input.value = "";
    this.status.textContent = "";
    this.created.replaceChildren();
  }

  async load(room: string): Promise<void> {
    this.room = room;
    try {
      const hooks = await this.chat.community.api.webhooks(room);
      if (this.room !== room) return;
      this.hooks = hooks;
      this.empty.textContent = "No webhooks yet.";
    } catch (e) {
      this.empty.textContent = `Could not list the webhooks: ${describeError(e)}`;
    }
    this.draw();
  }

  private draw(): void {
    this.empty.hidden = this.hooks.length > 0;
    reconcileKeepingFocus(
      this.list,
      this.hooks.map((hook) => ({
        key: String(hook.id),
        make: () => {
          const remove = h(
            "button",
            { type: "button", class: "small danger-text", "aria-label": `Delete webhook ${hook.name}` },
            "Delete",
          );
          remove.addEventListener("click", () => void this.remove(hook, remove));
          return h(
            "li",
            { class: "settings-row" },
            h("span", { class: "who" }, h("span", { class: "name" }, hook.name), h("span", { class: "tag tag-bot" }, "bot")),
            h("div", { class: "row-actions" }, remove),
          );
        },
      })),
      this.heading,
    );
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const room = this.room;
    const name = this.input.value.trim();
    if (!room) return;
    if (!name) {
      this.status.textContent = "Give the webhook a name (what its messages are signed with).";
      this.input.focus();
      return;
    }
    this.create.disabled = true;
    this.status.textContent = "";
    try {
      const hook = await this.chat.community.api.createWebhook(room, name);
      this.input.value = "";
      this.status.textContent = `Webhook ${hook.name} created.`;
      this.created.replaceChildren(
        secretBox({ label: `URL of webhook ${hook.name}`, value: hook.url, extra: example(hook.url) }),
      );
      await this.load(room);
      this.created.querySelector("input")?.focus();
    } catch (e) {
      this.status.textContent = `Could not create the webhook: ${describeError(e)}`;
    } finally {
      this.create.disabled = false;
    }
  }

  private async remove(hook: Webhook, button: HTMLButtonElement): Promise<void> {
    const room = this.room;
    if (!room) return;
    const sure = await confirmDialog({
      title: `Delete webhook ${hook.name}?`,
      text: "Anything posting to its URL stops working at once. Its messages stay.",
      action: "Delete webhook",
    });
    if (!sure) return;
    button.disabled = true;
    try {
      await this.chat.community.api.deleteWebhook(room, hook.id);
      this.status.textContent = `Webhook ${hook.name} deleted.`;
      this.created.replaceChildren();
      await this.load(room);
    } catch (e) {
      button.disabled = false;
      this.status.textContent = `Could not delete the webhook: ${describeError(e)}`;
    }
  }
}

/** How to post to it, with its own Copy button. */
function example(url: string): HTMLElement {
  const command = curlExample(url);
  const status = h("p", { class: "form-status", role: "status" });
  const copy = h("button", { type: "button", class: "small", "aria-label": "Copy the curl example" }, "Copy");
  copy.addEventListener("click", async () => {
    status.textContent = (await copyText(command)) ? "Copied." : "Copying is blocked here: select the example and copy it.";
  });
  return h(
    "div",
    { class: "example" },
    h("p", { class: "hint muted" }, "Try it:"),
    h("pre", { tabindex: "0", "aria-label": "Example: posting to the webhook with curl" }, h("code", null, command)),
    copy,
    status,
  );
}
