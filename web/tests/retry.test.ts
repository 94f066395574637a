import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  Backoff,
  delayAfter,
  gaveUp,
  RetryTimer,
  RetryTimers,
  serverWait,
  sleep,
  type RetryPolicy,
} from "../src/retry";

describe("delayAfter", () => {
  it("doubles from the first wait up to the cap", () => {
    const policy: RetryPolicy = { firstMs: 1000, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => delayAfter(policy, n))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });

  it("grows linearly or not at all when the policy says so", () => {
    const linear: RetryPolicy = { firstMs: 500, growth: "linear" };
    expect([1, 2, 3].map((n) => delayAfter(linear, n))).toEqual([500, 1000, 1500]);
    const constant: RetryPolicy = { firstMs: 800, growth: "constant" };
    expect([1, 2, 9].map((n) => delayAfter(constant, n))).toEqual([800, 800, 800]);
  });

  it("treats zero or fewer failures as the first", () => {
    expect(delayAfter({ firstMs: 1000 }, 0)).toBe(1000);
  });

  it("never exceeds the cap, whatever the growth", () => {
    expect(delayAfter({ firstMs: 500, growth: "linear", maxMs: 1200 }, 10)).toBe(1200);
  });
});

describe("gaveUp and serverWait", () => {
  it("gives up at the policy's attempts, never without one", () => {
    const policy: RetryPolicy = { firstMs: 1, attempts: 3 };
    expect([1, 2, 3, 4].map((n) => gaveUp(policy, n))).toEqual([false, false, true, true]);
    expect(gaveUp({ firstMs: 1 }, 1_000_000)).toBe(false);
  });

  it("waits as long as the server asks, but at least the floor", () => {
    expect(serverWait(250, 0.1)).toBe(250);
    expect(serverWait(250, 2.5)).toBe(2500);
    expect(serverWait(1500, undefined)).toBe(1500);
  });
});

describe("Backoff", () => {
  it("counts failures, knows when a retry may go, and starts over after a success", () => {
    let now = 10_000;
    const backoff = new Backoff({ firstMs: 2000, maxMs: 30_000 }, () => now);
    expect(backoff.ready).toBe(true);
    expect(backoff.fail()).toBe(2000);
    expect(backoff.retryAt).toBe(12_000);
    expect(backoff.ready).toBe(false);
    now = 11_999;
    expect(backoff.ready).toBe(false);
    now = 12_000;
    expect(backoff.ready).toBe(true);
    expect(backoff.fail()).toBe(4000);
    expect(backoff.failures).toBe(2);
    backoff.reset();
    expect(backoff.failures).toBe(0);
    expect(backoff.ready).toBe(true);
    expect(backoff.fail()).toBe(2000);
  });

  it("is exhausted after the policy's attempts", () => {
    const backoff = new Backoff({ firstMs: 800, growth: "constant", attempts: 2 });
    backoff.fail();
    expect(backoff.exhausted).toBe(false);
    backoff.fail();
    expect(backoff.exhausted).toBe(true);
  });
});

describe("timers", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("RetryTimer runs once, after the wait", () => {
    const timer = new RetryTimer();
    const fn = vi.fn();
    timer.schedule(1000, fn);
    expect(timer.pending).toBe(true);
    vi.advanceTimersByTime(999);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(timer.pending).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("RetryTimer.schedule keeps whichever retry runs sooner", () => {
    const timer = new RetryTimer();
    const first = vi.fn();
    const later = vi.fn();
    const sooner = vi.fn();
    timer.schedule(1000, first);
    timer.schedule(5000, later); // a later one does not delay the pending one
    vi.advanceTimersByTime(1000);
    expect(first).toHaveBeenCalledTimes(1);
    expect(later).not.toHaveBeenCalled();

    timer.schedule(5000, later);
    timer.schedule(200, sooner); // a sooner one replaces it
    vi.advanceTimersByTime(10_000);
    expect(sooner).toHaveBeenCalledTimes(1);
    expect(later).not.toHaveBeenCalled();
  });

  it("RetryTimer.restart replaces a pending retry, even a sooner one; cancel drops it", () => {
    const timer = new RetryTimer();
    const a = vi.fn();
    const b = vi.fn();
    timer.restart(100, a);
    timer.restart(3000, b);
    vi.advanceTimersByTime(2999);
    expect(a).not.toHaveBeenCalled();
    expect(b).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(b).toHaveBeenCalledTimes(1);

    timer.restart(100, a);
    timer.cancel();
    expect(timer.pending).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(a).not.toHaveBeenCalled();
  });

  it("RetryTimers keep one retry per key, and cancel them all", () => {
    const timers = new RetryTimers();
    const general = vi.fn();
    const random = vi.fn();
    timers.schedule("general", 800, general);
    timers.schedule("general", 800, general); // already waiting: not twice
    timers.schedule("random", 800, random);
    expect(timers.pending("general")).toBe(true);
    expect(timers.pending("other")).toBe(false);
    vi.advanceTimersByTime(800);
    expect(general).toHaveBeenCalledTimes(1);
    expect(random).toHaveBeenCalledTimes(1);
    expect(timers.pending("general")).toBe(false);

    timers.schedule("general", 800, general);
    timers.cancelAll();
    vi.advanceTimersByTime(800);
    expect(general).toHaveBeenCalledTimes(1);
  });

  it("a retry loop with Backoff waits 1, 2, 4 s between tries and stops at success", async () => {
    const backoff = new Backoff({ firstMs: 1000, maxMs: 30_000 });
    const outcomes = [false, false, false, true];
    const triedAt: number[] = [];
    const start = Date.now();
    const loop = (async () => {
      for (;;) {
        triedAt.push(Date.now() - start);
        if (outcomes.shift()) return backoff.reset();
        await sleep(backoff.fail());
      }
    })();
    await vi.runAllTimersAsync();
    await loop;
    expect(triedAt).toEqual([0, 1000, 3000, 7000]);
    expect(backoff.failures).toBe(0);
  });

  it("sleep resolves after the wait, not before", async () => {
    let done = false;
    void sleep(500).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });
});
