// The composer's files (v2): the Attach button (a real file input behind it), the list of
// files above the box — each uploading (a progress bar, and × to cancel), attached (× to
// remove) or failed (the reason, Retry when it may help, ×) — and files dropped on the
// room or pasted into the box. Uploading is chat/uploads.ts's.

import type { Chat } from "../../chat";
import { h, reconcile } from "../../dom";
import { icon } from "../../icons";
import { humanSize, percent, type UploadEntry, type UploadStatus } from "../../state/attachments";

export class UploadTray {
  readonly list = h("ul", { class: "upload-tray", "aria-label": "Attached files", hidden: true });
  /** Hidden: the Attach button opens it. */
  readonly input = h("input", { type: "file", multiple: true, hidden: true, tabindex: "-1" });
  readonly button = h(
    "button",
    { type: "button", class: "attach", "aria-label": "Attach files", title: "Attach files" },
    icon("attach"),
    h("span", { class: "label" }, "Attach"),
  );
  /** Tells screen readers when a file is attached (failures are alerts of their own). */
  readonly status = h("p", { class: "sr-only", role: "status" });
  private readonly seen = new Map<string, UploadStatus>();

  constructor(
    private readonly chat: Chat,
    /** Tell the reader a problem (files left out). */
    private readonly report: (problem: string) => void,
    /** Focus goes back to the message box. */
    private readonly focusBox: () => void,
  ) {
    this.button.addEventListener("click", () => this.input.click());
    this.input.addEventListener("change", () => {
      this.add(Array.from(this.input.files ?? []));
      this.input.value = ""; // the same file may be chosen again
    });
  }

  /** Upload files to the open room. */
  add(files: File[]): void {
    if (files.length === 0) return;
    const problem = this.chat.uploads.attach(files);
    if (problem) this.report(problem);
  }

  /** Draw the room's files. */
  render(room: string | null): void {
    const entries = room ? this.chat.uploads.forRoom(room) : [];
    this.list.hidden = entries.length === 0;
    const hadFocus = this.list.contains(document.activeElement);
    const attached: string[] = [];
    for (const e of entries) {
      if (this.seen.get(e.key) === "uploading" && e.status === "done") attached.push(e.name);
      this.seen.set(e.key, e.status);
    }
    if (attached.length) this.status.textContent = `Attached: ${attached.join(", ")}.`;
    reconcile(
      this.list,
      entries.map((e) => ({
        key: `${e.key}:${e.status}`,
        make: () => this.item(e),
        update: (el) => updateProgress(el, e),
      })),
    );
    // The focused control went with its item (done, failed, removed): back to the box.
    if (hadFocus && !this.list.contains(document.activeElement)) this.focusBox();
  }

  private item(e: UploadEntry): HTMLElement {
    const name = h("span", { class: "file-name" }, e.name);
    const size = h("span", { class: "file-size" }, humanSize(e.size));
    const remove = this.removeButton(e);
    if (e.status === "uploading") {
      const bar = h("progress", { max: 100, value: percent(e), "aria-label": `Uploading ${e.name}` });
      const pct = h("span", { class: "upload-pct", "aria-hidden": "true" }, `${percent(e)}%`);
      return h("li", { class: "upload uploading" }, icon("file"), name, size, bar, pct, remove);
    }
    if (e.status === "failed") {
      const retry = e.retryable
        ? h("button", { type: "button", class: "small", "aria-label": `Retry uploading ${e.name}` }, "Retry")
        : null;
      retry?.addEventListener("click", () => this.chat.uploads.retry(e.key));
      return h(
        "li",
        { class: "upload failed" },
        icon("file"),
        name,
        h("span", { class: "form-error upload-error", role: "alert" }, e.error ?? "The upload failed."),
        retry,
        remove,
      );
    }
    return h("li", { class: "upload done" }, icon("file"), name, size, remove);
  }

  private removeButton(e: UploadEntry): HTMLButtonElement {
    const label = e.status === "uploading" ? `Cancel uploading ${e.name}` : `Remove ${e.name}`;
    const b = h(
      "button",
      { type: "button", class: "small quiet remove-file", "aria-label": label, title: label },
      icon("close"),
    );
    b.addEventListener("click", () => {
      this.chat.uploads.remove(e.key);
      this.focusBox();
    });
    return b;
  }
}

function updateProgress(el: HTMLElement, e: UploadEntry): void {
  if (e.status !== "uploading") return;
  const bar = el.querySelector("progress");
  const pct = percent(e);
  if (bar && bar.value !== pct) bar.value = pct;
  const text = el.querySelector(".upload-pct");
  if (text && text.textContent !== `${pct}%`) text.textContent = `${pct}%`;
}

/** Files dropped on `target` go to `onFiles` while `accepts()`; the target is marked while
 * files are dragged over it. Files dropped elsewhere on the page are not opened by the
 * browser (which would leave the app). */
export function bindDrop(target: HTMLElement, accepts: () => boolean, onFiles: (files: File[]) => void): void {
  const hasFiles = (event: DragEvent): boolean => event.dataTransfer?.types.includes("Files") ?? false;
  let depth = 0;
  const unmark = (): void => {
    depth = 0;
    target.classList.remove("dropping");
  };
  target.addEventListener("dragenter", (event) => {
    if (!hasFiles(event) || !accepts()) return;
    depth++;
    target.classList.add("dropping");
  });
  target.addEventListener("dragleave", () => {
    if (depth > 0 && --depth === 0) unmark();
  });
  target.addEventListener("dragover", (event) => {
    if (!hasFiles(event) || !accepts()) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
  });
  target.addEventListener("drop", (event) => {
    unmark();
    if (!accepts()) return;
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length === 0) return;
    event.preventDefault();
    onFiles(files);
  });
  guardPage();
}

let guarded = false;
function guardPage(): void {
  if (guarded) return;
  guarded = true;
  for (const type of ["dragover", "drop"] as const) {
    window.addEventListener(type, (event) => {
      if (event.dataTransfer?.types.includes("Files")) event.preventDefault();
    });
  }
}

/** The files of a paste (an image copied, files copied in a file manager). */
export function pastedFiles(event: ClipboardEvent): File[] {
  return Array.from(event.clipboardData?.files ?? []);
}
