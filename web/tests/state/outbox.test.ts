import { describe, expect, it } from "vitest";
import { Outbox, type KeyValueStore, type Pending } from "../../src/state";
import { alice, bob, msg } from "../helpers";

const KEY = "hubbub.outbox.1";

/** A sessionStorage stand-in that counts writes. */
function memoryStore(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  const store: KeyValueStore & { writes: number; data: Map<string, string> } = {
    data,
    writes: 0,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => {
      store.writes += 1;
      data.set(key, value);
    },
    removeItem: (key) => {
      store.writes += 1;
      data.delete(key);
    },
  };
  return store;
}

function pending(over: Partial<Pending> = {}): Pending {
  return {
    clientId: "c1",
    room: "general",
    text: "hi",
    status: "queued",
    createdAt: "2024-01-01T12:00:00.000Z",
    attempts: 0,
    ...over,
  };
}

describe("Outbox storage", () => {
  it("comes back after a reload: what was being sent is queued again, failures stay failed", () => {
    const saved = [
      pending({ clientId: "a", status: "sending", attempts: 2 }),
      pending({ clientId: "b", status: "failed", error: "no" }),
      { clientId: 3, text: "not a pending message" },
    ];
    const outbox = new Outbox(KEY, memoryStore({ [KEY]: JSON.stringify(saved) }));
    expect(outbox.items.map((p) => [p.clientId, p.status])).toEqual([
      ["a", "queued"],
      ["b", "failed"],
    ]);
    expect(outbox.items[0]?.attempts).toBe(2);
  });

  it("starts empty from unreadable storage, or none", () => {
    expect(new Outbox(KEY, memoryStore({ [KEY]: "{not json" })).items).toEqual([]);
    expect(new Outbox(KEY, memoryStore({ [KEY]: '{"a": 1}' })).items).toEqual([]);
    expect(new Outbox(KEY, null).items).toEqual([]);
  });

  it("writes only when it changed, and removes the key when empty", () => {
    const store = memoryStore();
    const outbox = new Outbox(KEY, store);
    const p = outbox.add("general", "hello", new Date("2024-01-01T12:00:00Z"));
    outbox.save();
    outbox.save();
    expect(store.writes).toBe(1);
    expect(JSON.parse(store.data.get(KEY) ?? "")).toEqual([
      {
        clientId: p.clientId,
        room: "general",
        text: "hello",
        status: "queued",
        createdAt: "2024-01-01T12:00:00.000Z",
        attempts: 0,
      },
    ]);
    outbox.settle("general", 0); // nothing stored yet: stays
    p.seq = 1;
    outbox.settle("general", 1);
    outbox.save();
    expect(store.data.has(KEY)).toBe(false);
  });

  it("clear forgets everything at once (logging out)", () => {
    const store = memoryStore({ [KEY]: JSON.stringify([pending()]) });
    const outbox = new Outbox(KEY, store);
    outbox.clear();
    expect(outbox.items).toEqual([]);
    expect(store.data.has(KEY)).toBe(false);
  });
});

describe("Outbox sending rules", () => {
  it("gives each message its own client_id, and sends the oldest queued first", () => {
    const outbox = new Outbox(KEY, null);
    const first = outbox.add("general", "one");
    const second = outbox.add("general", "two");
    expect(first.clientId).not.toBe(second.clientId);
    expect(first.clientId.length).toBeGreaterThanOrEqual(32);
    expect(outbox.nextQueued()).toBe(first);
    first.status = "sending";
    expect(outbox.nextQueued()).toBe(second);
  });

  it("matches a stored message of ours to its pending copy by client_id and room", () => {
    const outbox = new Outbox(KEY, null);
    const p = outbox.add("general", "hi");
    const other = msg(5, { user: alice, client_id: p.clientId, room: "random" });
    expect(outbox.match(other, alice.id)).toBe(false);
    expect(outbox.match(msg(5, { user: bob, client_id: p.clientId }), alice.id)).toBe(false);
    expect(outbox.match(msg(5, { user: alice, client_id: null }), alice.id)).toBe(false);
    expect(p.seq).toBeUndefined();
    expect(outbox.match(msg(5, { user: alice, client_id: p.clientId }), alice.id)).toBe(true);
    expect(p.seq).toBe(5);
  });

  it("drops pending copies once their room shows their seq", () => {
    const outbox = new Outbox(KEY, null);
    const a = outbox.add("general", "a");
    const b = outbox.add("general", "b");
    const c = outbox.add("random", "c");
    a.seq = 4;
    b.seq = 6;
    c.seq = 1;
    outbox.settle("general", 5);
    expect([...outbox].map((p) => p.text)).toEqual(["b", "c"]);
    expect(outbox.forRoom("general")).toEqual([b]);
  });

  it("retries and discards only failed messages", () => {
    const outbox = new Outbox(KEY, null);
    const p = outbox.add("general", "a");
    expect(outbox.retry(p.clientId)).toBe(false);
    outbox.discard(p.clientId);
    expect(outbox.items).toHaveLength(1);

    p.status = "failed";
    p.attempts = 5;
    p.error = "The server did not answer.";
    expect(outbox.retry(p.clientId)).toBe(true);
    expect(p).toMatchObject({ status: "queued", attempts: 0 });
    expect(p.error).toBeUndefined();

    p.status = "failed";
    outbox.discard(p.clientId);
    expect(outbox.items).toHaveLength(0);
  });

  it("fails what waits for a room the reader is no longer in", () => {
    const outbox = new Outbox(KEY, null);
    const here = outbox.add("general", "a");
    const there = outbox.add("random", "b");
    outbox.failRoom("general", "You are no longer in this room.");
    expect(here).toMatchObject({ status: "failed", error: "You are no longer in this room." });
    expect(there.status).toBe("queued");
  });
});
