// What the reader does to messages in the open room (v2): edit one (inline), delete one
// (after a confirm dialog), react (chips, and the emoji picker), reply (the quote above the
// composer), open a quote or a message's replies. Holds the view's side of it — which
// message is being edited, what the composer replies to — and reports failures.

import type { Chat } from "../../chat";
import type { RoomState } from "../../state";
import type { Message, User } from "../../types";
import { confirmDialog } from "../confirm";
import { EmojiPicker } from "../emoji";
import type { ConvActions } from "./parts";
import { RepliesPanel } from "./replies";

export class Conversation {
  /** The message being edited, and what the editor holds so far. */
  editing: { room: string; seq: number } | null = null;
  private editText: string | null = null;
  /** Per room: the seq the next message replies to. */
  private readonly replyTo = new Map<string, number>();
  private readonly picker = new EmojiPicker();
  readonly replies: RepliesPanel;
  /** Where failures are told (the composer's alert line). */
  report: (problem: string) => void = () => undefined;
  /** Called when focus should go back to the composer. */
  focusComposer: () => void = () => undefined;

  constructor(private readonly chat: Chat) {
    this.replies = new RepliesPanel(chat, (seq) => this.openQuote(seq));
  }

  editingSeq(room: string): number | null {
    return this.editing?.room === room ? this.editing.seq : null;
  }

  replyingTo(room: string): number | null {
    return this.replyTo.get(room) ?? null;
  }

  cancelReply(room: string): void {
    if (this.replyTo.delete(room)) this.chat.changed();
  }

  /** Up in an empty composer: edit the reader's last message here. True when there was one. */
  editLast(room: RoomState): boolean {
    const mine = room
      .sorted()
      .reverse()
      .find((m) => m.user.id === this.chat.me.id && !m.deleted && m.rev !== undefined);
    if (!mine) return false;
    this.editing = { room: room.name, seq: mine.seq };
    this.editText = null;
    this.chat.changed();
    return true;
  }

  actionsFor(room: RoomState): ConvActions {
    const chat = this.chat;
    const people = chat.people;
    const usernames = (): Set<string> => {
      const names = new Set<string>();
      for (const u of room.members?.values() ?? []) names.add(u.username.toLowerCase());
      return names;
    };
    let known: Set<string> | null = null;
    const runs = chat.community.powers(room).moderate;
    const fail = (problem: string | null): void => {
      if (problem) this.report(problem);
    };
    return {
      me: chat.me,
      person: (id: number): User | undefined => {
        const member = room.members?.get(id);
        return member ? people.resolve(member) : people.known.get(id);
      },
      name: (user: User) => people.name(user),
      names: (name: string) => {
        // Members not loaded yet: every mention the server would read is marked.
        if (!room.members) return true;
        known ??= usernames();
        return known.has(name);
      },
      // v2: owners and moderators (and server admins) delete anyone's, even when archived.
      canDelete: (m: Message) => runs || (m.user.id === chat.me.id && !room.archived),
      canPost: !room.archived,
      mode: `${room.archived ? "a" : ""}${runs ? "m" : ""}`,
      startEdit: (m: Message) => {
        this.editing = { room: room.name, seq: m.seq };
        this.editText = null;
        chat.changed();
      },
      editDraft: {
        get: () => this.editText,
        set: (text: string) => {
          this.editText = text;
        },
      },
      saveEdit: async (m: Message, text: string) => {
        if (text.trim() === m.text) {
          this.stopEditing();
          return null;
        }
        const problem = await chat.changes.edit(room.name, m.seq, text);
        if (!problem) this.stopEditing();
        return problem;
      },
      cancelEdit: () => this.stopEditing(),
      remove: (m: Message) => void this.remove(room.name, m),
      reply: (m: Message) => {
        this.replyTo.set(room.name, m.seq);
        chat.changed();
        this.focusComposer();
      },
      toggleReaction: (m: Message, emoji: string) =>
        void chat.changes.toggleReaction(room.name, m.seq, emoji).then(fail),
      pickReaction: (m: Message) =>
        void this.picker.pick().then((emoji) => {
          if (emoji) void chat.changes.addReaction(room.name, m.seq, emoji).then(fail);
        }),
      openQuote: (seq: number) => this.openQuote(seq),
      openReplies: (m: Message) => void this.replies.open(room.name, m),
      attachments: { files: chat.files },
    };
  }

  private stopEditing(): void {
    this.editing = null;
    this.editText = null;
    this.chat.changed();
    this.focusComposer();
  }

  private async remove(room: string, m: Message): Promise<void> {
    const mine = m.user.id === this.chat.me.id;
    const sure = await confirmDialog({
      title: "Delete this message?",
      text: mine
        ? "It will show as “message deleted” for everyone. This cannot be undone."
        : `This message by ${this.chat.people.name(m.user)} will show as “message deleted” for everyone. This cannot be undone.`,
      action: "Delete",
    });
    if (!sure) return;
    const problem = await this.chat.changes.remove(room, m.seq);
    if (problem) this.report(problem);
  }

  /** Show message `seq` of the open room (a quote, a reply in the panel). */
  openQuote(seq: number): void {
    const room = this.chat.openName;
    if (room) void this.chat.jumps.to(room, seq);
  }
}
