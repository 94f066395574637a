import { describe, expect, it } from "vitest";
import { FileCache } from "../src/files";

/** A fetcher that counts calls and answers blobs of the size in the URL (`/n/SIZE`). */
function fetcher() {
  const calls: string[] = [];
  const fail = new Set<string>();
  const fetchBlob = async (url: string): Promise<Blob> => {
    calls.push(url);
    if (fail.has(url)) throw new Error("404");
    const size = Number(url.split("/").pop());
    return new Blob([new Uint8Array(size)]);
  };
  return { calls, fail, fetchBlob };
}

/** createObjectURL/revokeObjectURL stand-ins that track live URLs. */
function urls() {
  let n = 0;
  const live = new Set<string>();
  return {
    live,
    createObjectURL: () => {
      const u = `blob:test/${++n}`;
      live.add(u);
      return u;
    },
    revokeObjectURL: (u: string) => void live.delete(u),
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("FileCache", () => {
  it("fetches a file once, however often it is asked for", async () => {
    const f = fetcher();
    const cache = new FileCache(f.fetchBlob, 1000, 10, urls());
    const [a, b] = await Promise.all([cache.blob("/a/10"), cache.blob("/a/10")]);
    expect(a).toBe(b);
    await cache.blob("/a/10");
    expect(f.calls).toEqual(["/a/10"]);
    expect(cache.size).toEqual({ entries: 1, bytes: 10 });
  });

  it("does not keep failures: the next ask fetches again", async () => {
    const f = fetcher();
    f.fail.add("/x/5");
    const cache = new FileCache(f.fetchBlob, 1000, 10, urls());
    await expect(cache.blob("/x/5")).rejects.toThrow("404");
    f.fail.clear();
    await expect(cache.blob("/x/5")).resolves.toBeInstanceOf(Blob);
    expect(f.calls).toEqual(["/x/5", "/x/5"]);
  });

  it("lets the least recently used go past its byte and count limits", async () => {
    const f = fetcher();
    const cache = new FileCache(f.fetchBlob, 100, 3, urls());
    await cache.blob("/a/40");
    await cache.blob("/b/40");
    await cache.blob("/a/40"); // used again: b is now the oldest
    await cache.blob("/c/40"); // 120 bytes: b goes
    expect(cache.size).toEqual({ entries: 2, bytes: 80 });
    await cache.blob("/a/40");
    await cache.blob("/b/40");
    expect(f.calls).toEqual(["/a/40", "/b/40", "/c/40", "/b/40"]);
    for (const u of ["/d/1", "/e/1", "/g/1"]) await cache.blob(u);
    expect(cache.size.entries).toBeLessThanOrEqual(3);
  });

  it("keeps one blob: URL while anything holds it, and revokes it when the last lets go", async () => {
    const u = urls();
    const cache = new FileCache(fetcher().fetchBlob, 1000, 10, u);
    expect(cache.current("/i/10")).toBeNull();
    const first = await cache.acquire("/i/10");
    expect(cache.current("/i/10")).toBe(first);
    const second = await cache.acquire("/i/10");
    expect(second).toBe(first);
    expect(u.live.size).toBe(1);
    cache.release("/i/10");
    await tick();
    expect(u.live.has(first)).toBe(true);
    cache.release("/i/10");
    await tick();
    expect(u.live.size).toBe(0);
    expect(cache.liveUrls).toBe(0);
    cache.release("/i/10"); // too many releases change nothing
    // Taken again: a new URL, from the cached blob.
    const third = await cache.acquire("/i/10");
    expect(third).not.toBe(first);
    expect(u.live.size).toBe(1);
  });

  it("keeps the URL when an element is moved (released and taken again at once)", async () => {
    const u = urls();
    const cache = new FileCache(fetcher().fetchBlob, 1000, 10, u);
    const url = await cache.acquire("/m/10");
    cache.release("/m/10");
    const again = cache.acquire("/m/10");
    await tick();
    expect(await again).toBe(url);
    expect(u.live.has(url)).toBe(true);
  });

  it("revokes a URL let go of while it was loading, once loaded", async () => {
    const u = urls();
    const cache = new FileCache(fetcher().fetchBlob, 1000, 10, u);
    const pending = cache.acquire("/l/10");
    cache.release("/l/10");
    await pending;
    await tick();
    expect(u.live.size).toBe(0);
  });

  it("revokes everything when cleared", async () => {
    const u = urls();
    const cache = new FileCache(fetcher().fetchBlob, 1000, 10, u);
    await cache.acquire("/a/1");
    await cache.acquire("/b/1");
    cache.clear();
    expect(u.live.size).toBe(0);
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });
});
