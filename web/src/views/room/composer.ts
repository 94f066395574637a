// The message box: Enter sends (Shift+Enter for a new line), it grows with its text, and
// keeps an unsent draft per room. v2: the quote of what it replies to above it (× or Escape
// cancels), `@` completes people's names, Up in an empty box edits one's last message, and
// files attached (the Attach button, a paste, a drop on the room: uploadtray.ts) go with
// the next message.

import { MAX_TEXT, type Chat } from "../../chat";
import { h } from "../../dom";
import { icon } from "../../icons";
import type { RoomState } from "../../state";
import type { User } from "../../types";
import { MentionAutocomplete } from "./autocomplete";
import type { Conversation } from "./conversation";
import { firstLine } from "./parts";
import { pastedFiles, UploadTray } from "./uploadtray";

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
  /** v2: the quote of the message the next one replies to. */
  private readonly replyBar = h("div", { class: "reply-bar", hidden: true });
  private replyKey = "";
  private readonly mentions: MentionAutocomplete;
  /** v2: the files that go with the next message. */
  private readonly tray: UploadTray;
  /** v2: why nothing can be sent here (an archived room), in place of the box's use. */
  private readonly readOnlyNote = h("p", { class: "read-only-note", id: "composer-note", hidden: true });

  constructor(
    private readonly chat: Chat,
    private readonly conv: Conversation,
  ) {
    this.mentions = new MentionAutocomplete(this.box, () => this.people(), chat.me.id);
    this.tray = new UploadTray(
      chat,
      (problem) => (this.error.textContent = problem),
      () => this.box.focus(),
    );
    this.form = h(
      "form",
      { class: "composer" },
      this.readOnlyNote,
      this.replyBar,
      this.tray.list,
      this.tray.status,
      this.mentions.list,
      this.mentions.status,
      this.label,
      this.tray.input,
      this.tray.button,
      this.box,
      h(
        "button",
        { type: "submit", class: "primary send", "aria-label": "Send" },
        icon("send"),
        h("span", { class: "label" }, "Send"),
      ),
    );
    this.box.addEventListener("keydown", (event) => {
      if (this.mentions.onKey(event)) return;
      const room = this.chat.openRoom;
      if (event.key === "Escape" && room && this.conv.replyingTo(room.name) !== null) {
        event.preventDefault();
        this.conv.cancelReply(room.name);
      } else if (event.key === "ArrowUp" && this.box.value === "" && room) {
        if (this.conv.editLast(room)) event.preventDefault();
      } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.box.addEventListener("input", () => {
      this.mentions.update();
      this.autosize();
      if (this.room) this.drafts.set(this.room, this.box.value);
      if (this.box.value.trim()) this.chat.typing();
      this.error.textContent = "";
    });
    // v2: pasted files (an image copied) are attached; pasted text is just text.
    this.box.addEventListener("paste", (event) => {
      const files = pastedFiles(event);
      if (files.length === 0) return;
      event.preventDefault();
      this.attach(files);
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const replyTo = this.room ? this.conv.replyingTo(this.room) : null;
      const withFiles = this.room !== null && this.chat.uploads.ready(this.room).length > 0;
      const error = this.chat.send(this.box.value, replyTo ?? undefined);
      if (error) {
        this.error.textContent = error;
        return;
      }
      this.error.textContent = "";
      if (!this.box.value.trim() && !withFiles) return;
      if (this.room) this.conv.cancelReply(this.room);
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

  /** Name the box for what is open: a room's name, or a DM's title (its people). */
  retitle(title: string, placeholder: string): void {
    const label = `Message ${title}`;
    if (this.label.textContent !== label) this.label.textContent = label;
    const hint = `Message ${placeholder}`;
    if (this.box.placeholder !== hint) this.box.placeholder = hint;
  }

  focus(): void {
    this.box.focus();
  }

  /** v2: `note` says why the room takes no messages (archived): the box, Send and Attach
   * are disabled and the note shows; null makes it writable again. */
  setReadOnly(note: string | null): void {
    const off = note !== null;
    if (this.box.disabled === off && this.readOnlyNote.textContent === (note ?? "")) return;
    this.box.disabled = off;
    this.tray.button.disabled = off;
    const send = this.form.querySelector<HTMLButtonElement>("button.send");
    if (send) send.disabled = off;
    this.readOnlyNote.textContent = note ?? "";
    this.readOnlyNote.hidden = !off;
    if (off) this.box.setAttribute("aria-describedby", "composer-note");
    else this.box.removeAttribute("aria-describedby");
  }

  /** Who `@` may name here: the room's members, as named now. */
  private people(): User[] {
    const room = this.chat.openRoom;
    return [...(room?.members?.values() ?? [])].map((u) => this.chat.people.resolve(u));
  }

  /** v2: draw the quote of the message the next one replies to, if any. */
  renderReply(room: RoomState): void {
    const seq = this.conv.replyingTo(room.name);
    const original = seq === null ? undefined : room.known(seq);
    const key =
      seq === null ? "" : `${room.name}/${seq}/${original?.rev ?? "?"}/${this.chat.people.version}`;
    if (key === this.replyKey) return;
    this.replyKey = key;
    this.replyBar.hidden = seq === null;
    if (seq === null) {
      this.replyBar.replaceChildren();
      return;
    }
    const cancel = h(
      "button",
      { type: "button", class: "small quiet cancel-reply", "aria-label": "Cancel reply" },
      "×",
    );
    cancel.addEventListener("click", () => {
      this.conv.cancelReply(room.name);
      this.box.focus();
    });
    const who = original ? this.chat.people.name(original.user) : "a message";
    const text = original && !original.deleted ? firstLine(original.text) : original ? "message deleted" : "";
    this.replyBar.replaceChildren(
      h(
        "p",
        { class: "reply-preview" },
        "Replying to ",
        h("strong", null, who),
        text ? h("span", { class: "quote-text" }, `: ${text}`) : null,
      ),
      cancel,
    );
  }

  /** v2: upload files to the open room (dropped on it, pasted, chosen). */
  attach(files: File[]): void {
    this.error.textContent = "";
    this.tray.add(files);
  }

  /** v2: draw the files that go with the next message. */
  renderFiles(room: RoomState): void {
    this.tray.render(room.name);
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
