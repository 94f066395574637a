// The room settings' topic: a form for the owner and moderators (`PATCH /api/rooms/{name}`
// `{"topic"}`; empty clears it), the topic as text for everyone else.

import { describeError, type Chat } from "../../chat";
import { h } from "../../dom";
import type { RoomState } from "../../state";

export const MAX_TOPIC = 250;

export class TopicSection {
  readonly el: HTMLElement;
  private readonly text = h("p", { class: "topic-text" });
  private readonly input = h("input", {
    id: "settings-topic",
    maxlength: MAX_TOPIC,
    autocomplete: "off",
    "aria-describedby": "settings-topic-hint",
  });
  private readonly save = h("button", { type: "submit", class: "small" }, "Save topic");
  private readonly status = h("p", { class: "form-status", role: "status" });
  private readonly form: HTMLFormElement;
  private room: string | null = null;
  /** The topic the field was last filled with (an edit in progress is not overwritten). */
  private filled: string | null = null;

  constructor(private readonly chat: Chat) {
    this.form = h(
      "form",
      { class: "topic-form", novalidate: true },
      h("label", { for: "settings-topic" }, "Topic"),
      h("div", { class: "row" }, this.input, this.save),
      h(
        "p",
        { class: "hint muted", id: "settings-topic-hint" },
        `Shown under the room's name, up to ${MAX_TOPIC} characters. Leave it empty to clear it.`,
      ),
      this.status,
    );
    this.form.addEventListener("submit", (event) => void this.submit(event));
    this.el = h(
      "section",
      { class: "settings-section", "aria-labelledby": "settings-topic-title" },
      h("h3", { id: "settings-topic-title" }, "About"),
      this.text,
      this.form,
    );
  }

  /** A fresh start for another room (or the same one opened again). */
  reset(): void {
    this.room = null;
    this.filled = null;
    this.status.textContent = "";
  }

  render(room: RoomState, canEdit: boolean): void {
    const topic = room.topic ?? "";
    this.form.hidden = !canEdit;
    this.text.hidden = canEdit;
    const shown = topic || "No topic.";
    if (this.text.textContent !== shown) this.text.textContent = shown;
    this.text.classList.toggle("muted", !topic);
    const fresh = this.room !== room.name;
    const untouched = this.input.value === (this.filled ?? "");
    if (fresh || (untouched && document.activeElement !== this.input)) {
      this.input.value = topic;
      this.filled = topic;
    }
    this.room = room.name;
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const room = this.room;
    if (!room) return;
    this.save.disabled = true;
    this.status.textContent = "";
    try {
      await this.chat.community.api.setTopic(room, this.input.value);
      this.filled = this.input.value; // the room's update brings the server's spelling
      this.chat.community.changedFrom(room);
      this.status.textContent = this.filled.trim() ? "Topic saved." : "Topic cleared.";
    } catch (e) {
      this.status.textContent = `Could not save the topic: ${describeError(e)}`;
    } finally {
      this.save.disabled = false;
    }
  }
}
