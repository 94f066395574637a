// The session: tokens in localStorage, refreshed before the access token expires, shared
// safely by every tab of the same browser (refresh tokens are single-use, and presenting a
// used one revokes the whole login, so only one tab may refresh at a time).

import { Backoff, RetryTimer, type RetryPolicy } from "./retry";
import type { TokenPair, User } from "./types";

export interface Session {
  user: User;
  access: string;
  refresh: string;
  /** When the access token expires (ms since the epoch, local clock). */
  expiresAt: number;
  /** Its lifetime in ms, to schedule the next refresh. */
  lifetime: number;
}

const KEY = "hubbub.session";

/** Refreshing again after the server was unreachable or failing: every 5 s. */
const REFRESH_RETRY: RetryPolicy = { firstMs: 5_000, growth: "constant" };

function load(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (
      typeof s.access === "string" &&
      typeof s.refresh === "string" &&
      typeof s.expiresAt === "number" &&
      typeof s.lifetime === "number" &&
      s.user &&
      typeof s.user.id === "number" &&
      typeof s.user.username === "string"
    ) {
      return s as Session;
    }
  } catch {
    /* unreadable: treated as signed out */
  }
  return null;
}

export function sessionOf(pair: TokenPair): Session {
  const lifetime = Math.max(1, pair.expires_in) * 1000;
  return {
    user: pair.user,
    access: pair.access_token,
    refresh: pair.refresh_token,
    expiresAt: Date.now() + lifetime,
    lifetime,
  };
}

/** How long before expiry a token counts as stale: a quarter of its life, at most 60 s. */
function margin(s: Session): number {
  return Math.min(60_000, s.lifetime / 4);
}

export type RefreshOutcome = "ok" | "signed-out" | "unreachable";

/** Why the reader was signed out when the server ended their login (the login screen
 * says it). */
export const LOGIN_ENDED =
  "You were signed out: this login has ended (your password was changed, your account was deactivated, or you logged out elsewhere). Log in again.";

export class Auth {
  session: Session | null = load();
  /** Why the last sign-out happened, when the reader did not ask for it (else null). */
  ended: string | null = null;
  private listeners = new Set<() => void>();
  private inflight: Promise<RefreshOutcome> | null = null;
  /** The next refresh: scheduled before expiry, or a retry after a failure. */
  private readonly timer = new RetryTimer();
  private readonly failures = new Backoff(REFRESH_RETRY);
  /** Tells other tabs about a new pair at once (localStorage may reach them late, and a
   * tab that sends the old, used refresh token gets the whole login revoked). */
  private readonly channel =
    typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel("hubbub-session");

  constructor() {
    this.channel?.addEventListener("message", (event: MessageEvent<Session | null>) => {
      this.adopt(event.data);
    });
    // Another tab logged in, refreshed or logged out.
    window.addEventListener("storage", (event) => {
      if (event.key !== KEY && event.key !== null) return;
      this.adopt(load());
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.stale()) void this.refresh();
    });
    this.schedule();
  }

  /** Take a session another tab stored (a refresh, a login, a logout). */
  private adopt(next: Session | null): void {
    if (next?.refresh === this.session?.refresh) return;
    this.session = next;
    this.schedule();
    this.changed();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  signIn(pair: TokenPair): void {
    this.ended = null;
    this.store(sessionOf(pair));
  }

  /** `why`: the server ended the login (shown on the login screen). */
  signOut(why: string | null = null): void {
    this.ended = why;
    this.session = null;
    localStorage.removeItem(KEY);
    this.channel?.postMessage(null);
    this.timer.cancel();
    this.changed();
  }

  private store(session: Session): void {
    this.session = session;
    localStorage.setItem(KEY, JSON.stringify(session));
    this.channel?.postMessage(session);
    this.schedule();
    this.changed();
  }

  stale(session: Session | null = this.session): boolean {
    return session !== null && Date.now() > session.expiresAt - margin(session);
  }

  /** An access token that is not about to expire (refreshing first if needed). */
  async token(): Promise<string | null> {
    if (this.stale()) await this.refresh();
    return this.session?.access ?? null;
  }

  private schedule(): void {
    this.timer.cancel();
    const s = this.session;
    if (!s) return;
    // Each tab picks its own moment in the last stretch, so tabs seldom race to refresh.
    const due = s.expiresAt - margin(s) * (0.5 + Math.random() * 0.5) - Date.now();
    this.timer.restart(Math.max(0, due), () => void this.refresh());
  }

  /** Trade the refresh token for a new pair; one at a time, across tabs too.
   * `rejected`: an access token the server just refused, so refresh even if it is young
   * (the server's secret changed, say). */
  refresh(rejected?: string): Promise<RefreshOutcome> {
    this.inflight ??= this.withLock(() => this.doRefresh(rejected)).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    // Web Locks exist in secure contexts (https, localhost); elsewhere a tab can still
    // notice below that another one refreshed first.
    if (navigator.locks) return navigator.locks.request("hubbub-refresh", fn);
    return fn();
  }

  private async doRefresh(rejected?: string): Promise<RefreshOutcome> {
    const current = this.session;
    if (!current) return "signed-out";
    const stored = load();
    if (!stored || stored.user.id !== current.user.id) {
      // Logged out (or in as someone else) in another tab.
      this.session = stored;
      this.changed();
      return stored ? "ok" : "signed-out";
    }
    const stillGood = !this.stale(stored) && stored.access !== rejected;
    if (stored.refresh !== current.refresh || stillGood) {
      this.session = stored; // another tab refreshed already
      this.schedule();
      this.changed();
      return "ok";
    }
    let response: Response;
    try {
      response = await fetch("/api/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: stored.refresh }),
      });
    } catch {
      this.retrySoon();
      return "unreachable";
    }
    if (response.ok) {
      this.failures.reset();
      this.store(sessionOf((await response.json()) as TokenPair));
      return "ok";
    }
    if (response.status === 401) {
      this.signOut(LOGIN_ENDED);
      return "signed-out";
    }
    this.retrySoon(); // 5xx: the server is having trouble, not the token
    return "unreachable";
  }

  private retrySoon(): void {
    this.timer.restart(this.failures.fail(), () => void this.refresh());
  }
}
