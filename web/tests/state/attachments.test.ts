import { describe, expect, it } from "vitest";
import {
  ComposerFiles,
  MAX_ATTACHMENTS,
  fitBox,
  humanSize,
  imageBox,
  isInlineImage,
  percent,
  pickFiles,
  uploadProblem,
} from "../../src/state/attachments";
import { Outbox, type KeyValueStore } from "../../src/state";
import type { Attachment } from "../../src/types";

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

function attachment(id: number, over: Partial<Attachment> = {}): Attachment {
  return {
    id,
    name: `file${id}.png`,
    size: 1000 + id,
    content_type: "image/png",
    url: `/api/uploads/${id}`,
    width: 40,
    height: 30,
    ...over,
  };
}

const file = (name: string, size = 10) => ({ name, size });

describe("humanSize", () => {
  it("says bytes, then binary units with one decimal below ten", () => {
    expect(humanSize(0)).toBe("0 B");
    expect(humanSize(6)).toBe("6 B");
    expect(humanSize(1023)).toBe("1023 B");
    expect(humanSize(1024)).toBe("1 KB");
    expect(humanSize(1536)).toBe("1.5 KB");
    expect(humanSize(10 * 1024 * 1024)).toBe("10 MB");
    expect(humanSize(12.4 * 1024 * 1024)).toBe("12 MB");
    expect(humanSize(3.25 * 1024 ** 3)).toBe("3.3 GB");
  });

  it("rounds up to the next unit rather than saying 1024", () => {
    expect(humanSize(1024 * 1024 - 1)).toBe("1 MB");
  });
});

describe("fitBox and imageBox", () => {
  const max = { width: 360, height: 270 };

  it("keeps small images as they are (never scales up)", () => {
    expect(fitBox(40, 30, max)).toEqual({ width: 40, height: 30 });
  });

  it("scales wide and tall images down to fit, keeping the aspect ratio", () => {
    expect(fitBox(800, 600, max)).toEqual({ width: 360, height: 270 });
    expect(fitBox(1200, 300, max)).toEqual({ width: 360, height: 90 });
    expect(fitBox(300, 1200, max)).toEqual({ width: 68, height: 270 });
  });

  it("never makes a side vanish", () => {
    expect(fitBox(10000, 1, max)).toEqual({ width: 360, height: 1 });
  });

  it("has no box without a known size", () => {
    expect(imageBox({ width: null, height: null }, max)).toBeNull();
    expect(imageBox({}, max)).toBeNull();
    expect(imageBox({ width: 720, height: 540 }, max)).toEqual({ width: 360, height: 270 });
    expect(fitBox(0, 10, max)).toEqual({ width: 0, height: 0 });
  });
});

describe("isInlineImage", () => {
  it("is the four types the server serves inline", () => {
    for (const t of ["image/png", "image/jpeg", "image/gif", "image/webp"]) {
      expect(isInlineImage({ content_type: t })).toBe(true);
    }
    for (const t of ["image/svg+xml", "application/pdf", "application/octet-stream", "text/html"]) {
      expect(isInlineImage({ content_type: t })).toBe(false);
    }
  });
});

describe("pickFiles", () => {
  it("takes what fits and says how many were left out", () => {
    const files = [file("a"), file("b"), file("c")];
    expect(pickFiles(files, 10)).toEqual({ take: files, problem: null });
    const picked = pickFiles(files, 2);
    expect(picked.take.map((f) => f.name)).toEqual(["a", "b"]);
    expect(picked.problem).toBe(`A message takes at most ${MAX_ATTACHMENTS} files: 1 was not attached.`);
    expect(pickFiles(files, 0).problem).toMatch(/3 were not attached/);
  });

  it("leaves empty files out (the server refuses them), by name", () => {
    const picked = pickFiles([file("empty.txt", 0), file("ok")], 10);
    expect(picked.take.map((f) => f.name)).toEqual(["ok"]);
    expect(picked.problem).toBe("“empty.txt” is empty.");
    expect(pickFiles([file("x", 0), file("y", 0)], 10).problem).toBe("2 files are empty.");
  });
});

describe("uploadProblem", () => {
  it("shows the server's reason as a sentence", () => {
    const body = JSON.stringify({
      error: { code: "bad_request", message: "the file is not a PNG, JPEG, GIF or WebP image" },
    });
    expect(uploadProblem(400, body, null)).toEqual({
      message: "The file is not a PNG, JPEG, GIF or WebP image.",
      retryable: false,
    });
  });

  it("says a file is too large with the limit in people's units", () => {
    const body = JSON.stringify({ error: { code: "too_large", message: "a file may be at most 10485760 bytes" } });
    expect(uploadProblem(413, body, null)).toEqual({
      message: "The file is too large (at most 10 MB).",
      retryable: false,
    });
    expect(uploadProblem(413, "<html>", null).message).toBe("The file is too large.");
    const door = JSON.stringify({ error: { code: "too_large", message: "the request body is over 10551296 bytes" } });
    expect(uploadProblem(413, door, null).message).toBe("The file is too large.");
  });

  it("says how long to wait when rate limited, from the body or the header", () => {
    const body = JSON.stringify({ error: { code: "rate_limited", message: "slow down", retry_after: 12 } });
    expect(uploadProblem(429, body, null)).toEqual({
      message: "Too many uploads. Try again in 12 s.",
      retryable: true,
    });
    expect(uploadProblem(429, "", "120").message).toBe("Too many uploads. Try again in 2 min.");
    expect(uploadProblem(429, "", null).message).toBe("Too many uploads. Try again later.");
  });

  it("may be tried again when offline or the server failed", () => {
    expect(uploadProblem(0, "", null)).toEqual({
      message: "The upload failed: cannot reach the server.",
      retryable: true,
    });
    expect(uploadProblem(502, "", null)).toEqual({ message: "The server failed (502).", retryable: true });
    const forbidden = JSON.stringify({ error: { code: "forbidden", message: "you are muted until 12:00" } });
    expect(uploadProblem(403, forbidden, null)).toEqual({
      message: "You are muted until 12:00.",
      retryable: false,
    });
  });
});

describe("ComposerFiles", () => {
  it("follows an upload from progress to attached", () => {
    const files = new ComposerFiles("k", null);
    const e = files.add("general", file("cat.png", 2000));
    expect(files.busy("general")).toBe(true);
    expect(percent(e)).toBe(0);
    files.progress(e.key, 500, 2100);
    expect(percent(files.get(e.key)!)).toBe(23);
    expect(files.ready("general")).toEqual([]);
    files.done(e.key, attachment(5, { name: "cat.png", size: 2000 }));
    expect(files.busy("general")).toBe(false);
    expect(percent(files.get(e.key)!)).toBe(100);
    expect(files.ready("general").map((a) => a.id)).toEqual([5]);
    expect(files.ready("random")).toEqual([]);
  });

  it("keeps a failure apart: it does not count, it may start again", () => {
    const files = new ComposerFiles("k", null);
    const e = files.add("general", file("a"));
    files.fail(e.key, { message: "Too many uploads.", retryable: true });
    expect(files.get(e.key)).toMatchObject({ status: "failed", error: "Too many uploads.", retryable: true });
    expect(files.free("general")).toBe(MAX_ATTACHMENTS);
    expect(files.busy("general")).toBe(false);
    expect(files.restart(e.key)).toBe(true);
    expect(files.get(e.key)).toMatchObject({ status: "uploading", loaded: 0 });
    expect(files.get(e.key)?.error).toBeUndefined();
    expect(files.restart(e.key)).toBe(false); // only failed ones
  });

  it("counts uploading and attached files against the limit of a message", () => {
    const files = new ComposerFiles("k", null);
    for (let i = 0; i < 4; i++) files.add("general", file(`f${i}`));
    files.done(files.forRoom("general")[0]!.key, attachment(1));
    expect(files.free("general")).toBe(MAX_ATTACHMENTS - 4);
    expect(files.free("random")).toBe(MAX_ATTACHMENTS);
  });

  it("empties the room's composer when its message goes, leaving uploads in progress", () => {
    const files = new ComposerFiles("k", null);
    const a = files.add("general", file("a"));
    files.done(a.key, attachment(1));
    const b = files.add("general", file("b"));
    files.fail(b.key, { message: "no", retryable: false });
    const c = files.add("general", file("c"));
    const other = files.add("random", file("d"));
    files.sent("general");
    expect(files.forRoom("general").map((e) => e.key)).toEqual([c.key]);
    expect(files.forRoom("random").map((e) => e.key)).toEqual([other.key]);
  });

  it("brings pending uploads back after a reload, once, but not removed ones or those the outbox takes", () => {
    const store = memoryStore();
    const before = new ComposerFiles("removed", store);
    const e = before.add("general", file("x"));
    before.done(e.key, attachment(3));
    before.remove(e.key);
    before.dismiss([4]); // a discarded message's

    const after = new ComposerFiles("removed", store); // the reload
    const pending = [1, 2, 3, 4, 5].map((id) => attachment(id));
    expect(after.restore("general", pending, new Set([5]))).toBe(true);
    expect(after.ready("general").map((a) => a.id)).toEqual([1, 2]);
    expect(after.forRoom("general").every((f) => f.status === "done")).toBe(true);
    expect(after.restore("general", pending, new Set([5]))).toBe(false); // already there
    expect(after.ready("general").map((a) => a.id)).toEqual([1, 2]);
  });

  it("restores at most what a message takes", () => {
    const files = new ComposerFiles("k", null);
    const pending = Array.from({ length: 12 }, (_, i) => attachment(i + 1));
    files.restore("general", pending, new Set());
    expect(files.ready("general")).toHaveLength(MAX_ATTACHMENTS);
  });

  it("survives unreadable storage", () => {
    const store = memoryStore();
    store.setItem("removed", "{not json");
    const files = new ComposerFiles("removed", store);
    expect(files.restore("general", [attachment(1)], new Set())).toBe(true);
  });
});

describe("Outbox with attachments", () => {
  it("keeps a message's files across a reload", () => {
    const store = memoryStore();
    const outbox = new Outbox("o", store);
    const p = outbox.add("general", "", new Date(), undefined, [attachment(7)]);
    expect(p.attachments?.map((a) => a.id)).toEqual([7]);
    outbox.save();
    const again = new Outbox("o", store);
    expect(again.items[0]?.attachments).toEqual([attachment(7)]);
    expect(again.items[0]?.text).toBe("");
  });

  it("adds no attachments field to a message without files", () => {
    const outbox = new Outbox("o", null);
    expect("attachments" in outbox.add("general", "hi")).toBe(false);
  });

  it("hands back the message it discards", () => {
    const outbox = new Outbox("o", null);
    const p = outbox.add("general", "x", new Date(), undefined, [attachment(1)]);
    expect(outbox.discard(p.clientId)).toBeUndefined(); // not failed
    p.status = "failed";
    expect(outbox.discard(p.clientId)?.attachments?.[0]?.id).toBe(1);
    expect(outbox.items).toHaveLength(0);
  });
});
