// Files in the composer (v2): each file chosen, dropped or pasted uploads at once
// (`POST /api/rooms/{name}/uploads`, with progress), and the next message takes the ones
// uploaded. Uploads no message used yet come back from the server when a room opens
// (`GET …/uploads`), so a reload keeps them attached. The state is state/attachments.ts.

import { ComposerFiles, pickFiles, uploadProblem, type UploadEntry } from "../state/attachments";
import type { Attachment } from "../types";
import { postFile, type UploadAnswer } from "../upload";
import type { Chat } from "./index";

export class Uploads {
  readonly state: ComposerFiles;
  /** Per upload in progress or failed: its file (to try again) and how to stop it. */
  private readonly files = new Map<string, { file: File; abort: (() => void) | null }>();
  /** Rooms whose pending uploads were asked for on this page. */
  private readonly restored = new Set<string>();

  constructor(private readonly chat: Chat) {
    this.state = new ComposerFiles(`hubbub.uploads.removed.${chat.me.id}`, storage());
  }

  forRoom(room: string): UploadEntry[] {
    return this.state.forRoom(room);
  }

  /** Upload files to the open room; a problem to show (files left out), or null. */
  attach(files: readonly File[]): string | null {
    const room = this.chat.openRoom;
    if (!room?.member || files.length === 0) return null;
    const { take, problem } = pickFiles(files, this.state.free(room.name));
    for (const file of take) {
      const entry = this.state.add(room.name, file);
      this.files.set(entry.key, { file, abort: null });
      void this.upload(entry.key);
    }
    this.chat.changed();
    return problem;
  }

  /** Stop an upload, or take a file out of the composer. */
  remove(key: string): void {
    this.files.get(key)?.abort?.();
    this.files.delete(key);
    if (this.state.remove(key)) this.chat.changed();
  }

  /** A failed upload goes again. */
  retry(key: string): void {
    if (!this.files.has(key) || !this.state.restart(key)) return;
    this.chat.changed();
    void this.upload(key);
  }

  private async upload(key: string, again = true): Promise<void> {
    const entry = this.state.get(key);
    const held = this.files.get(key);
    if (!entry || !held) return;
    const token = await this.chat.api.token();
    if (this.state.get(key)?.status !== "uploading") return; // removed meanwhile
    const path = `/api/rooms/${encodeURIComponent(entry.room)}/uploads`;
    const call = postFile(path, held.file, held.file.name || "file", token, (loaded, total) => {
      this.state.progress(key, loaded, total);
      this.chat.changed();
    });
    held.abort = call.abort;
    const answer: UploadAnswer = await call.answer;
    held.abort = null;
    if (this.state.get(key)?.status !== "uploading") return;
    if (answer.status === 401 && token && again && (await this.chat.api.renewed(token))) {
      this.state.progress(key, 0, entry.total);
      return this.upload(key, false);
    }
    if (answer.status === 201) {
      let attachment: Attachment | null = null;
      try {
        attachment = JSON.parse(answer.body) as Attachment;
      } catch {
        /* answered by something else than Hubbub */
      }
      if (attachment && typeof attachment.id === "number") {
        this.state.done(key, attachment);
        this.files.delete(key);
        this.chat.changed();
        return;
      }
    }
    this.state.fail(key, uploadProblem(answer.status === 201 ? 500 : answer.status, answer.body, answer.retryAfter));
    this.chat.changed();
  }

  /** A room opens: its uploads no message took yet are attached again (once a page). */
  async restore(room: string): Promise<void> {
    if (this.restored.has(room)) return;
    this.restored.add(room);
    let pending: Attachment[];
    try {
      pending = await this.chat.api.pendingUploads(room);
    } catch {
      this.restored.delete(room); // asked again next time it opens
      return;
    }
    // Those a message waiting in the outbox takes are not the composer's.
    const taken = new Set<number>();
    for (const p of this.chat.outbox) for (const a of p.attachments ?? []) taken.add(a.id);
    if (this.state.restore(room, pending, taken)) this.chat.changed();
  }

  /** Whether the room's next message must wait for uploads. */
  busy(room: string): boolean {
    return this.state.busy(room);
  }

  /** What the room's next message takes. */
  ready(room: string): Attachment[] {
    return this.state.ready(room);
  }

  /** The room's message went: its composer has no files now. */
  sent(room: string): void {
    for (const e of this.state.forRoom(room)) if (e.status !== "uploading") this.files.delete(e.key);
    this.state.sent(room);
    this.chat.changed();
  }

  /** A message that never went is dropped: its files are not attached again. */
  dismiss(attachments: readonly Attachment[]): void {
    this.state.dismiss(attachments.map((a) => a.id));
  }
}

function storage(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null;
  }
}
