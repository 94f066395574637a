// Trying again later: one policy type for every retry in the client (a page that did not
// load, a send without an answer, a refused connection, a gap the server has not filled),
// the count of failures in a row, and the one timer that carries a retry out.

export interface RetryPolicy {
  /** The wait after the first failure (ms). */
  firstMs: number;
  /** How later waits grow: doubling (the default), by `firstMs` each time, or not at all. */
  growth?: "double" | "linear" | "constant";
  /** The longest wait (ms). */
  maxMs?: number;
  /** Give up after this many failures in a row (default: never). */
  attempts?: number;
}

/** The wait after the `failures`-th failure in a row (1: the first). */
export function delayAfter(policy: RetryPolicy, failures: number): number {
  const n = Math.max(1, failures);
  const growth = policy.growth ?? "double";
  const raw =
    growth === "constant"
      ? policy.firstMs
      : growth === "linear"
        ? policy.firstMs * n
        : policy.firstMs * 2 ** (n - 1);
  return Math.min(policy.maxMs ?? Number.POSITIVE_INFINITY, raw);
}

/** Whether the policy gives up after this many failures in a row. */
export function gaveUp(policy: RetryPolicy, failures: number): boolean {
  return policy.attempts !== undefined && failures >= policy.attempts;
}

/** A wait the server asked for (`retry_after`, seconds), but never less than `floorMs`. */
export function serverWait(floorMs: number, retryAfter: number | undefined): number {
  return Math.max(floorMs, (retryAfter ?? 0) * 1000);
}

/** Failures in a row of one thing, and when an automatic retry may go. */
export class Backoff {
  failures = 0;
  /** Not before this time (ms since the epoch); 0 after a success. */
  retryAt = 0;

  constructor(
    readonly policy: RetryPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Count a failure: the wait before the next try (see `exhausted` first). */
  fail(): number {
    this.failures += 1;
    const wait = delayAfter(this.policy, this.failures);
    this.retryAt = this.now() + wait;
    return wait;
  }

  /** The policy gives up: no more automatic retries. */
  get exhausted(): boolean {
    return gaveUp(this.policy, this.failures);
  }

  /** It worked: the next failure waits the shortest time again. */
  reset(): void {
    this.failures = 0;
    this.retryAt = 0;
  }

  /** An automatic retry may go now. */
  get ready(): boolean {
    return this.now() >= this.retryAt;
  }
}

/** At most one pending retry of one thing. */
export class RetryTimer {
  private handle: ReturnType<typeof setTimeout> | undefined;
  private due = 0;

  get pending(): boolean {
    return this.handle !== undefined;
  }

  /** Run `fn` in `ms`, unless a retry already waits that will run sooner (or as soon). */
  schedule(ms: number, fn: () => void): void {
    if (this.handle !== undefined && this.due <= Date.now() + ms) return;
    this.restart(ms, fn);
  }

  /** Run `fn` in `ms`, instead of whatever was waiting. */
  restart(ms: number, fn: () => void): void {
    this.cancel();
    this.due = Date.now() + ms;
    this.handle = setTimeout(() => {
      this.handle = undefined;
      fn();
    }, ms);
  }

  cancel(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
  }
}

/** One RetryTimer per key (a room's name). */
export class RetryTimers {
  private readonly timers = new Map<string, RetryTimer>();

  pending(key: string): boolean {
    return this.timers.get(key)?.pending ?? false;
  }

  schedule(key: string, ms: number, fn: () => void): void {
    let timer = this.timers.get(key);
    if (!timer) {
      timer = new RetryTimer();
      this.timers.set(key, timer);
    }
    timer.schedule(ms, fn);
  }

  cancelAll(): void {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
