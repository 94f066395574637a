// Files (v2 attachments), as data: which files to take, sizes for people, an image's box
// fitted into the timeline, what a failed upload tells the reader, and the composer's
// files per room (uploading, attached, failed). No DOM: chat/uploads.ts uploads them,
// views/room/uploadtray.ts and attachments.ts draw them.

import { waitText } from "../format";
import type { Attachment } from "../types";
import type { KeyValueStore } from "./outbox";

/** A message carries at most this many files (PROTOCOL v2 `sendMessage`). */
export const MAX_ATTACHMENTS = 10;

/** The types the server serves inline (decided from the bytes): shown as images. */
const INLINE_IMAGES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

export function isInlineImage(a: Pick<Attachment, "content_type">): boolean {
  return INLINE_IMAGES.has(a.content_type);
}

/** "0 B", "512 B", "1.5 KB", "12 MB": binary units, one decimal below ten. */
export function humanSize(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  // 1023.7 KB rounds to 1024 KB: say 1 MB instead.
  if (shown >= 1024 && unit < units.length - 1) return `1 ${units[unit + 1]}`;
  return `${shown} ${units[unit]}`;
}

export interface Box {
  width: number;
  height: number;
}

/** `width` × `height` scaled down (never up) to fit in `max`, keeping the aspect ratio;
 * whole pixels, at least 1 each way. */
export function fitBox(width: number, height: number, max: Box): Box {
  if (!(width > 0) || !(height > 0)) return { width: 0, height: 0 };
  const scale = Math.min(1, max.width / width, max.height / height);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/** The box an image attachment takes in the timeline before it loads; null when the
 * server did not say its size. */
export function imageBox(a: Pick<Attachment, "width" | "height">, max: Box): Box | null {
  if (!a.width || !a.height) return null;
  return fitBox(a.width, a.height, max);
}

/** What the client knows of a file before uploading it (a File is one). */
export interface FileInfo {
  name: string;
  size: number;
}

/** Which of `files` to upload when `free` more fit in the message, and why the others
 * are left out (null when none are). Empty files are refused here: the server would. */
export function pickFiles<T extends FileInfo>(
  files: readonly T[],
  free: number,
): { take: T[]; problem: string | null } {
  const nonEmpty = files.filter((f) => f.size > 0);
  const empty = files.length - nonEmpty.length;
  const take = nonEmpty.slice(0, Math.max(0, free));
  const over = nonEmpty.length - take.length;
  const problems: string[] = [];
  if (empty === 1) problems.push(`“${files.find((f) => f.size === 0)?.name ?? ""}” is empty.`);
  else if (empty > 1) problems.push(`${empty} files are empty.`);
  if (over > 0) {
    problems.push(
      `A message takes at most ${MAX_ATTACHMENTS} files: ${over === 1 ? "1 was" : `${over} were`} not attached.`,
    );
  }
  return { take, problem: problems.length ? problems.join(" ") : null };
}

/** What a failed upload tells the reader, and whether trying again may help. */
export interface UploadProblem {
  message: string;
  retryable: boolean;
}

/** The answer to `POST …/uploads` that was not a 201: `status` 0 when there was none. */
export function uploadProblem(status: number, body: string, retryAfter: string | null): UploadProblem {
  if (status === 0) return { message: "The upload failed: cannot reach the server.", retryable: true };
  let error: { code?: string; message?: string; retry_after?: number } = {};
  try {
    const parsed = JSON.parse(body) as { error?: typeof error };
    if (parsed && typeof parsed.error === "object") error = parsed.error;
  } catch {
    /* not JSON */
  }
  const code = error.code ?? "";
  if (status === 413 || code === "too_large") {
    // The file's own limit, when the answer says it ("a file may be at most N bytes"; a
    // body refused at the door names the limit of the whole request instead).
    const limit = /file may be at most (\d+) bytes/.exec(error.message ?? "")?.[1];
    const most = limit ? ` (at most ${humanSize(Number(limit))})` : "";
    return { message: `The file is too large${most}.`, retryable: false };
  }
  if (status === 429 || code === "rate_limited") {
    const wait = error.retry_after ?? Number(retryAfter ?? NaN);
    const when = Number.isFinite(wait) ? ` Try again in ${waitText(wait)}.` : " Try again later.";
    return { message: `Too many uploads.${when}`, retryable: true };
  }
  if (status === 401) return { message: "Your session has ended: log in again.", retryable: false };
  if (error.message) return { message: sentence(error.message), retryable: status >= 500 };
  if (status >= 500) return { message: `The server failed (${status}).`, retryable: true };
  return { message: `The upload failed (${status}).`, retryable: false };
}

/** The server's message as a sentence: a capital first letter and a full stop. */
function sentence(text: string): string {
  const t = text.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

export type UploadStatus = "uploading" | "done" | "failed";

/** One file in the composer: uploading, attached (`attachment`), or failed (`error`). */
export interface UploadEntry {
  /** This page's own key for it (the server's id comes with the answer). */
  key: string;
  room: string;
  name: string;
  size: number;
  status: UploadStatus;
  /** Bytes sent so far, of `total`. */
  loaded: number;
  total: number;
  error?: string;
  /** Failed in a way that trying again may mend (offline, rate limited, a server error). */
  retryable?: boolean;
  attachment?: Attachment;
}

/** How far an upload is, 0–100. */
export function percent(e: Pick<UploadEntry, "loaded" | "total" | "status">): number {
  if (e.status === "done") return 100;
  if (!(e.total > 0)) return 0;
  return Math.min(100, Math.floor((e.loaded / e.total) * 100));
}

/** How many removed uploads are remembered (the server forgets them after a day). */
const DISMISSED_KEPT = 200;

/** The files in the composer of each room. Uploads the reader removed are remembered
 * (in the storage handed in), so the server's list of pending uploads does not bring
 * them back after a reload. */
export class ComposerFiles {
  private readonly entries: UploadEntry[] = [];
  private readonly dismissed: number[];
  private next = 0;

  constructor(
    private readonly key: string,
    private readonly storage: KeyValueStore | null,
  ) {
    this.dismissed = this.load();
  }

  private load(): number[] {
    try {
      const saved = JSON.parse(this.storage?.getItem(this.key) ?? "[]") as unknown;
      return Array.isArray(saved) ? saved.filter((x): x is number => typeof x === "number") : [];
    } catch {
      return [];
    }
  }

  forRoom(room: string): UploadEntry[] {
    return this.entries.filter((e) => e.room === room);
  }

  get(key: string): UploadEntry | undefined {
    return this.entries.find((e) => e.key === key);
  }

  /** How many more files fit in the room's next message. */
  free(room: string): number {
    const used = this.forRoom(room).filter((e) => e.status !== "failed").length;
    return Math.max(0, MAX_ATTACHMENTS - used);
  }

  /** A file starts uploading. */
  add(room: string, file: FileInfo): UploadEntry {
    const e: UploadEntry = {
      key: `u${++this.next}`,
      room,
      name: file.name || "file",
      size: file.size,
      status: "uploading",
      loaded: 0,
      total: file.size,
    };
    this.entries.push(e);
    return e;
  }

  progress(key: string, loaded: number, total: number): void {
    const e = this.get(key);
    if (e?.status !== "uploading") return;
    e.loaded = loaded;
    if (total > 0) e.total = total;
  }

  done(key: string, attachment: Attachment): void {
    const e = this.get(key);
    if (!e) return;
    e.status = "done";
    e.loaded = e.total;
    e.attachment = attachment;
    e.name = attachment.name;
    e.size = attachment.size;
    delete e.error;
    delete e.retryable;
  }

  fail(key: string, problem: UploadProblem): void {
    const e = this.get(key);
    if (!e) return;
    e.status = "failed";
    e.error = problem.message;
    e.retryable = problem.retryable;
  }

  /** A failed upload goes again (the caller still has the file). */
  restart(key: string): boolean {
    const e = this.get(key);
    if (e?.status !== "failed") return false;
    e.status = "uploading";
    e.loaded = 0;
    delete e.error;
    delete e.retryable;
    return true;
  }

  /** Take a file out of the composer (an upload in progress is the caller's to stop). An
   * uploaded file is remembered as removed. */
  remove(key: string): UploadEntry | undefined {
    const i = this.entries.findIndex((e) => e.key === key);
    if (i < 0) return undefined;
    const [e] = this.entries.splice(i, 1);
    if (e?.attachment) this.dismiss([e.attachment.id]);
    return e;
  }

  /** Remember uploads as removed (never shown as attached again). */
  dismiss(ids: readonly number[]): void {
    for (const id of ids) if (!this.dismissed.includes(id)) this.dismissed.push(id);
    this.dismissed.splice(0, Math.max(0, this.dismissed.length - DISMISSED_KEPT));
    try {
      this.storage?.setItem(this.key, JSON.stringify(this.dismissed));
    } catch {
      /* storage full or unavailable: remembered in memory only */
    }
  }

  /** The server's list of the reader's pending uploads to `room`: those not here, not
   * removed, and not `taken` (by a message waiting in the outbox) are attached again, up
   * to the limit. True when anything was added. */
  restore(room: string, pending: readonly Attachment[], taken: ReadonlySet<number>): boolean {
    const here = new Set(this.forRoom(room).flatMap((e) => (e.attachment ? [e.attachment.id] : [])));
    let added = false;
    for (const a of pending) {
      if (here.has(a.id) || taken.has(a.id) || this.dismissed.includes(a.id)) continue;
      if (this.free(room) === 0) break;
      const e = this.add(room, a);
      this.done(e.key, a);
      here.add(a.id);
      added = true;
    }
    return added;
  }

  /** Whether any file of the room is still uploading. */
  busy(room: string): boolean {
    return this.forRoom(room).some((e) => e.status === "uploading");
  }

  /** The uploaded files of the room, in the order they were added. */
  ready(room: string): Attachment[] {
    return this.forRoom(room).flatMap((e) => (e.status === "done" && e.attachment ? [e.attachment] : []));
  }

  /** The room's message went with its files: the composer starts empty (failed ones go
   * too). */
  sent(room: string): void {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (e?.room === room && e.status !== "uploading") this.entries.splice(i, 1);
    }
  }
}
