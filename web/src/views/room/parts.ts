// The v2 parts of a message in the timeline: its text with mentions marked, the quote of
// the message it replies to, "(edited)", the tombstone, reaction chips, the reply count,
// and the actions (react, reply, edit, delete). Text is always text: nothing here parses
// HTML. What they do is Conversation's (conversation.ts).

import { h } from "../../dom";
import { fullTimeOf, linkify, timeOf } from "../../format";
import { EVERYONE, splitMentions } from "../../state/mentiontext";
import { chips } from "../../state/reactions";
import type { Message, User } from "../../types";
import type { AttachmentActions } from "./attachments";

export interface ConvActions {
  me: User;
  /** Who is known by id (members, people seen), for reaction tooltips. */
  person(id: number): User | undefined;
  /** The name to show for someone. */
  name(user: User): string;
  /** Whether `@name` (lower-cased) names someone here (highlighted then). */
  names(name: string): boolean;
  canDelete(m: Message): boolean;
  /** v2: whether the reader may send, edit, react and reply here (not in an archived
   * room): the controls that need it are not shown otherwise. */
  canPost: boolean;
  /** v2: part of each message's key, so its controls are drawn anew when what the reader
   * may do changes (a room archived, a role given). */
  mode: string;
  startEdit(m: Message): void;
  saveEdit(m: Message, text: string): Promise<string | null>;
  /** What the editor holds so far (it is drawn anew when the message changes meanwhile). */
  editDraft: { get(): string | null; set(text: string): void };
  cancelEdit(): void;
  remove(m: Message): void;
  reply(m: Message): void;
  toggleReaction(m: Message, emoji: string): void;
  pickReaction(m: Message): void;
  openQuote(seq: number): void;
  openReplies(m: Message): void;
  /** v2: attachments' bytes (images, downloads). */
  attachments?: AttachmentActions;
}

/** The text, with links and the mentions of people here marked (the reader's own, and
 * `@room`, stand out more). */
export function richText(text: string, actions: Pick<ConvActions, "me" | "names">): Node[] {
  const me = actions.me.username.toLowerCase();
  const out: Node[] = [];
  for (const node of linkify(text)) {
    if (!(node instanceof Text)) {
      out.push(node);
      continue;
    }
    for (const part of splitMentions(node.data)) {
      if (part.kind === "mention" && (part.name === EVERYONE || actions.names(part.name))) {
        const mine = part.name === me || part.name === EVERYONE;
        out.push(h("span", { class: `mention${mine ? " me" : ""}` }, part.text));
      } else {
        out.push(document.createTextNode(part.text));
      }
    }
  }
  return out;
}

/** The first line of a message, shortened, for quotes and previews. */
export function firstLine(text: string, max = 100): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** What a reply quotes: the author and first line, "message deleted", or a wait. */
export function quote(
  seq: number,
  original: Message | undefined,
  actions: ConvActions,
): HTMLElement {
  const button = h("button", { type: "button", class: "quote", dataset: { focus: "quote" } });
  if (!original) {
    button.append(h("span", { class: "sr-only" }, "In reply to "), h("span", { class: "muted" }, "an earlier message…"));
  } else if (original.deleted) {
    button.append(
      h("span", { class: "sr-only" }, "In reply to "),
      h("span", { class: "tombstone" }, "message deleted"),
    );
  } else {
    button.append(
      h("span", { class: "sr-only" }, "In reply to "),
      h("span", { class: "quote-author" }, actions.name(original.user)),
      h("span", { class: "sr-only" }, ": "),
      h("span", { class: "quote-text" }, firstLine(original.text)),
    );
  }
  button.title = "Show the message this replies to";
  button.addEventListener("click", () => actions.openQuote(seq));
  return button;
}

export function editedMark(m: Message): HTMLElement | null {
  if (!m.edited_at || m.deleted) return null;
  return h(
    "span",
    { class: "edited", title: `Edited ${fullTimeOf(m.edited_at)}` },
    "(edited)",
  );
}

export function tombstone(): HTMLElement {
  return h("div", { class: "msg-text tombstone" }, "message deleted");
}

/** One chip per emoji: pressed when the reader reacted; a click toggles it. */
export function reactionRow(m: Message, actions: ConvActions): HTMLElement | null {
  const shown = chips(m, actions.me.id, (id) => actions.person(id));
  if (shown.length === 0) return null;
  return h(
    "div",
    { class: "reactions", role: "group", "aria-label": "Reactions" },
    shown.map((chip) => {
      const b = h(
        "button",
        {
          type: "button",
          class: `chip${chip.mine ? " mine" : ""}`,
          "aria-pressed": String(chip.mine),
          "aria-label": chip.label,
          title: chip.label,
          dataset: { focus: `chip:${chip.emoji}`, emoji: chip.emoji },
        },
        h("span", { class: "chip-emoji" }, chip.emoji),
        " ",
        h("span", { class: "chip-count" }, String(chip.count)),
      );
      b.addEventListener("click", () => actions.toggleReaction(m, chip.emoji));
      b.disabled = !actions.canPost; // v2: an archived room's reactions are shown only
      return b;
    }),
  );
}

export function replyCount(m: Message, actions: ConvActions): HTMLElement | null {
  const n = m.reply_count ?? 0;
  if (n === 0) return null;
  const b = h(
    "button",
    { type: "button", class: "reply-count small quiet", dataset: { focus: "replies" } },
    n === 1 ? "1 reply" : `${n} replies`,
  );
  b.addEventListener("click", () => actions.openReplies(m));
  return b;
}

/** React, Reply, Edit (one's own), Delete (one's own, or any as the owner or a moderator);
 * v2: in an archived room, only a moderator's Delete. */
export function actionBar(m: Message, actions: ConvActions): HTMLElement | null {
  if (m.deleted || m.rev === undefined) return null;
  const mine = m.user.id === actions.me.id;
  const button = (label: string, focus: string, run: () => void): HTMLButtonElement => {
    const b = h("button", { type: "button", class: "small quiet", dataset: { focus } }, label);
    b.addEventListener("click", run);
    return b;
  };
  const buttons = [
    actions.canPost ? button("React", "react", () => actions.pickReaction(m)) : null,
    actions.canPost ? button("Reply", "reply", () => actions.reply(m)) : null,
    mine && actions.canPost ? button("Edit", "edit", () => actions.startEdit(m)) : null,
    actions.canDelete(m) ? button("Delete", "delete", () => actions.remove(m)) : null,
  ].filter((b) => b !== null);
  if (buttons.length === 0) return null;
  return h(
    "div",
    {
      class: "msg-actions",
      role: "group",
      "aria-label": `Message from ${actions.name(m.user)} at ${timeOf(m.created_at)}`,
    },
    buttons,
  );
}

/** The inline editor: Enter saves, Shift+Enter a new line, Escape cancels. */
export function editor(m: Message, actions: ConvActions): HTMLElement {
  const box = h("textarea", {
    class: "edit-box",
    "aria-label": "Edit message",
    rows: 2,
    dataset: { autofocus: "true" },
  });
  box.value = actions.editDraft.get() ?? m.text;
  box.addEventListener("input", () => actions.editDraft.set(box.value));
  const error = h("p", { class: "form-error", role: "alert" });
  const save = h("button", { type: "submit", class: "small primary" }, "Save");
  const cancel = h("button", { type: "button", class: "small quiet" }, "Cancel");
  const form = h(
    "form",
    { class: "msg-edit" },
    box,
    h("div", { class: "edit-actions" }, save, cancel, h("span", { class: "muted hint" }, "Enter to save, Escape to cancel")),
    error,
  );
  cancel.addEventListener("click", () => actions.cancelEdit());
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      actions.cancelEdit();
    } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save.disabled = true;
    void actions.saveEdit(m, box.value).then((problem) => {
      save.disabled = false;
      if (problem) error.textContent = problem;
    });
  });
  return form;
}
