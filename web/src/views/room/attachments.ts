// A message's files (v2) in the timeline: images inline, in a box of their known size
// (fitted, so the timeline does not jump when they load), opening full size in a dialog;
// anything else a chip that downloads it under its name. The bytes come as blob: URLs from
// the FileCache (files.ts); an image holds its URL while it is on the page. File names are
// user data: always text.

import { describeError } from "../../chat/errors";
import { h } from "../../dom";
import { saveBlob, type FileCache } from "../../files";
import { icon } from "../../icons";
import { humanSize, imageBox, isInlineImage, type Box } from "../../state/attachments";
import type { Attachment } from "../../types";
import { Dialog } from "../dialog";

/** The largest box an image takes in the timeline. */
export const TIMELINE_BOX: Box = { width: 360, height: 270 };

/** `<hubbub-image>`: shows its file (an <img> inside) while it is on the page; lets go of
 * the blob: URL when it leaves, and takes it again if it comes back. */
class BlobImage extends HTMLElement {
  files: FileCache | null = null;
  url = "";
  private holding = false;

  connectedCallback(): void {
    const files = this.files;
    const img = this.querySelector("img");
    if (!files || !this.url || !img || this.holding) return;
    this.holding = true;
    const url = this.url;
    // Shown already (the message was drawn anew, or the image is in view twice): at once.
    const ready = files.current(url);
    if (ready) {
      img.src = ready;
      this.classList.add("loaded");
    }
    files.acquire(url).then(
      (src) => {
        if (this.holding && src && img.getAttribute("src") !== src) img.src = src;
      },
      (error: unknown) => {
        this.holding = false;
        this.classList.add("failed");
        const why = h("span", { class: "att-failed" }, `Cannot show ${img.alt}: ${describeError(error)}`);
        this.querySelector(".att-failed")?.remove();
        this.append(why);
      },
    );
  }

  disconnectedCallback(): void {
    if (!this.holding) return;
    this.holding = false;
    this.files?.release(this.url);
  }
}

const TAG = "hubbub-image";
if (typeof customElements !== "undefined" && !customElements.get(TAG)) {
  customElements.define(TAG, BlobImage);
}

/** An image of `a`, in `box` (reserved before it loads) when known. */
function blobImage(a: Attachment, files: FileCache, box: Box | null): HTMLElement {
  const img = h("img", {
    alt: a.name,
    decoding: "async",
    width: box?.width ?? a.width ?? null,
    height: box?.height ?? a.height ?? null,
  });
  img.addEventListener("load", () => holder.classList.add("loaded"), { once: true });
  const holder = document.createElement(TAG) as BlobImage;
  holder.className = "blob-image";
  holder.files = files;
  holder.url = a.url;
  if (box) {
    holder.style.width = `${box.width}px`;
    holder.style.aspectRatio = `${box.width} / ${box.height}`;
  }
  holder.append(img);
  return holder;
}

/** What the timeline's files need. */
export interface AttachmentActions {
  files: FileCache;
}

/** The message's files, or null when it has none. */
export function attachmentList(
  attachments: readonly Attachment[] | undefined,
  actions: AttachmentActions | undefined,
): HTMLElement | null {
  if (!attachments?.length || !actions) return null;
  return h(
    "ul",
    { class: "attachments", "aria-label": "Attachments" },
    attachments.map((a) => (isInlineImage(a) ? imageItem(a, actions.files) : fileItem(a, actions.files))),
  );
}

function imageItem(a: Attachment, files: FileCache): HTMLElement {
  const open = h(
    "button",
    { type: "button", class: "att-open", title: `${a.name} (${humanSize(a.size)}): open full size` },
    h("span", { class: "sr-only" }, "Open image "),
    blobImage(a, files, imageBox(a, TIMELINE_BOX)),
  );
  open.addEventListener("click", () => viewer().open(a, files));
  return h("li", { class: "att att-image" }, open);
}

function fileItem(a: Attachment, files: FileCache): HTMLElement {
  const problem = h("span", { class: "form-error", role: "alert" });
  return h("li", { class: "att att-file" }, downloadButton(a, files, problem, "file-chip"), problem);
}

/** A button that downloads `a` under its name (its text: the name and size). */
function downloadButton(
  a: Attachment,
  files: FileCache,
  problem: HTMLElement,
  className: string,
): HTMLButtonElement {
  const b = h(
    "button",
    { type: "button", class: className },
    icon("download"),
    h("span", { class: "sr-only" }, "Download "),
    h("span", { class: "file-name" }, a.name),
    " ",
    h("span", { class: "file-size" }, humanSize(a.size)),
  );
  b.addEventListener("click", () => void download(a, files, b, problem));
  return b;
}

async function download(a: Attachment, files: FileCache, button: HTMLElement, problem: HTMLElement) {
  if (button.getAttribute("aria-busy") === "true") return;
  button.setAttribute("aria-busy", "true");
  problem.textContent = "";
  try {
    saveBlob(await files.blob(a.url), a.name);
  } catch (error) {
    problem.textContent = `Cannot download ${a.name}: ${describeError(error)}`;
  } finally {
    button.removeAttribute("aria-busy");
  }
}

/** The full-size image, in a modal dialog (Escape or Close closes it; focus goes back to
 * the image that opened it). */
class ImageViewer {
  private readonly dialog = new Dialog("image-viewer", "Image");

  constructor() {
    this.dialog.el.classList.add("image-viewer");
    // Its image lets go of its blob: URL once closed.
    this.dialog.onClose = () => this.dialog.body.replaceChildren();
  }

  open(a: Attachment, files: FileCache): void {
    const heading = this.dialog.el.querySelector("h2");
    if (heading) heading.textContent = a.name;
    const problem = h("span", { class: "form-error", role: "alert" });
    const save = downloadButton(a, files, problem, "small");
    this.dialog.body.replaceChildren(
      h("div", { class: "viewer-image" }, blobImage(a, files, null)),
      h("div", { class: "dialog-actions" }, problem, save),
    );
    this.dialog.open(save);
  }
}

let shared: ImageViewer | null = null;
function viewer(): ImageViewer {
  shared ??= new ImageViewer();
  return shared;
}

/** A pending message's files (names only: the message is not stored yet). */
export function pendingFiles(attachments: readonly Attachment[] | undefined): HTMLElement | null {
  if (!attachments?.length) return null;
  return h(
    "ul",
    { class: "attachments pending-files", "aria-label": "Attachments" },
    attachments.map((a) =>
      h(
        "li",
        { class: "att file-chip" },
        icon("file"),
        h("span", { class: "file-name" }, a.name),
        " ",
        h("span", { class: "file-size" }, humanSize(a.size)),
      ),
    ),
  );
}
