// Attachments' bytes. Their `url` takes the access token like every call, so an <img> or a
// link cannot load it: the client fetches it (Api.blob) and shows a blob: URL. Blobs are
// kept in a small cache (by count and bytes, least recently used first out), so scrolling
// back does not fetch them again; each blob: URL lives while an element holds it
// (acquire/release) and is revoked when the last one lets go.

/** Fetches a file's bytes with the token. */
export type BlobFetcher = (url: string) => Promise<Blob>;

interface Held {
  refs: number;
  /** The blob: URL, once the bytes are here. */
  objectUrl: string | null;
  ready: Promise<string>;
}

export class FileCache {
  private readonly blobs = new Map<string, Promise<Blob>>();
  private readonly sizes = new Map<string, number>();
  private bytes = 0;
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly fetchBlob: BlobFetcher,
    private readonly maxBytes = 48 * 1024 * 1024,
    private readonly maxEntries = 120,
    private readonly urls: Pick<typeof URL, "createObjectURL" | "revokeObjectURL"> = URL,
  ) {}

  /** The file's bytes: from the cache, else fetched (a failure is not kept). */
  blob(url: string): Promise<Blob> {
    const cached = this.blobs.get(url);
    if (cached) {
      // Most recently used: to the end of the map's order.
      this.blobs.delete(url);
      this.blobs.set(url, cached);
      return cached;
    }
    const fetching = this.fetchBlob(url);
    this.blobs.set(url, fetching);
    fetching.then(
      (blob) => {
        if (this.blobs.get(url) !== fetching) return;
        this.sizes.set(url, blob.size);
        this.bytes += blob.size;
        this.evict();
      },
      () => {
        if (this.blobs.get(url) === fetching) this.blobs.delete(url);
      },
    );
    return fetching;
  }

  /** Drop the least recently used blobs past the limits (blob: URLs in use stay valid: a
   * URL keeps its blob alive). */
  private evict(): void {
    for (const url of this.blobs.keys()) {
      if (this.bytes <= this.maxBytes && this.blobs.size <= this.maxEntries) break;
      if (!this.sizes.has(url)) continue; // still being fetched
      this.forget(url);
    }
  }

  private forget(url: string): void {
    this.blobs.delete(url);
    this.bytes -= this.sizes.get(url) ?? 0;
    this.sizes.delete(url);
  }

  /** How many blobs and bytes are kept (for tests). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.blobs.size, bytes: this.bytes };
  }

  /** A blob: URL for the file, valid until `release`d as often as acquired. The count goes
   * up at once, so a release and an acquire in a row (an element moved) keep the URL. */
  acquire(url: string): Promise<string> {
    let held = this.held.get(url);
    if (!held) {
      const entry: Held = { refs: 0, objectUrl: null, ready: Promise.resolve("") };
      entry.ready = this.blob(url).then(
        (blob) => {
          if (this.held.get(url) !== entry) return ""; // cleared meanwhile
          entry.objectUrl = this.urls.createObjectURL(blob);
          if (entry.refs === 0) this.revokeLater(url); // let go of while it loaded
          return entry.objectUrl;
        },
        (error: unknown) => {
          if (this.held.get(url) === entry) this.held.delete(url);
          throw error;
        },
      );
      this.held.set(url, entry);
      held = entry;
    }
    held.refs++;
    return held.ready;
  }

  /** The blob: URL of a file something holds already (an element drawn anew shows it at
   * once, without a frame of emptiness), or null. */
  current(url: string): string | null {
    return this.held.get(url)?.objectUrl ?? null;
  }

  /** An element no longer shows the file. */
  release(url: string): void {
    const held = this.held.get(url);
    if (!held || held.refs <= 0) return;
    held.refs--;
    if (held.refs === 0) this.revokeLater(url);
  }

  /** Revoked once nothing holds it any more (after the current task's moves); one still
   * loading is revoked when it has loaded, if still unheld. */
  private revokeLater(url: string): void {
    queueMicrotask(() => {
      const held = this.held.get(url);
      if (!held || held.refs > 0 || held.objectUrl === null) return;
      this.held.delete(url);
      this.urls.revokeObjectURL(held.objectUrl);
    });
  }

  /** How many blob: URLs are alive (for tests). */
  get liveUrls(): number {
    let n = 0;
    for (const held of this.held.values()) if (held.objectUrl !== null) n++;
    return n;
  }

  /** Logging out or leaving the page: forget everything. */
  clear(): void {
    for (const held of this.held.values()) {
      if (held.objectUrl !== null) this.urls.revokeObjectURL(held.objectUrl);
    }
    this.held.clear();
    this.blobs.clear();
    this.sizes.clear();
    this.bytes = 0;
  }
}

/** Save a blob under `name` (a download: an <a download> clicked, its URL revoked soon
 * after). */
export function saveBlob(blob: Blob, name: string): void {
  const objectUrl = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = objectUrl;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(objectUrl), 60_000);
}
