// The Socket.IO connection (PROTOCOL.md § Socket.IO): a fresh access token on every
// (re)connect, a refresh when the server refuses a stale one, and acks with a timeout that
// never queue while offline (the outbox in chat.ts decides what to resend, and when).

import { io, type Socket } from "socket.io-client";
import type { Auth } from "./auth";
import type {
  AckOf,
  ClientEvent,
  ClientToServerEvents,
  PayloadOf,
  ServerToClientEvents,
} from "./events";
import { Backoff, delayAfter, RetryTimer, type RetryPolicy } from "./retry";

export type ConnState = "connecting" | "connected" | "reconnecting" | "signed-out";

/** Connecting again after the server refused or closed this socket: 1 s, 2 s … 30 s. */
const RECONNECT_RETRY: RetryPolicy = { firstMs: 1000, maxMs: 30_000 };

/** The server events the client acts on (not `sessionEnded`: the disconnect that follows
 * says enough). */
export type ServerEvents = Omit<ServerToClientEvents, "sessionEnded">;

export interface Listener extends ServerEvents {
  state: (state: ConnState) => void;
  connected: () => void;
}

/** The socket, as `call` and `volatile` reach it: TypeScript cannot resolve socket.io's
 * conditional event types for a generic event name, and their signatures say the same. */
interface Untyped {
  emit(event: string, ...args: unknown[]): unknown;
  emitWithAck(event: string, ...args: unknown[]): Promise<unknown>;
}

export class OfflineError extends Error {
  constructor() {
    super("not connected");
  }
}

export class Realtime {
  state: ConnState = "connecting";
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  /** Refusals in a row (each waits longer before the next try). */
  private readonly refusals = new Backoff(RECONNECT_RETRY);
  private readonly reconnect = new RetryTimer();
  /** The access token this socket is authorised with (at connect, or by `reauth`). */
  private presented: string | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly auth: Auth,
    private readonly listener: Listener,
  ) {
    this.socket = io({
      autoConnect: false,
      // WebSocket first: one connection stays on one server process, so `--workers N`
      // needs no sticky sessions; long-polling remains the fallback (tryAllTransports: without
      // it the client would only ever try the first transport).
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      // A callback, so every reconnect presents the current access token.
      auth: (cb) => {
        void this.auth.token().then((token) => {
          this.presented = token;
          cb({ token: token ?? "" });
        });
      },
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
      randomizationFactor: 0.3,
      timeout: 8000,
    });
    const s = this.socket;
    s.on("connect", () => {
      this.refusals.reset();
      this.setState("connected");
      this.listener.connected();
    });
    s.on("disconnect", (reason) => {
      if (this.state === "signed-out") return;
      this.setState("reconnecting");
      // The server closed this socket on purpose: Socket.IO does not retry that by itself.
      if (reason === "io server disconnect") this.retrySoon(delayAfter(RECONNECT_RETRY, 1));
    });
    s.on("connect_error", (err: Error) => void this.onConnectError(err));
    s.on("receiveMessage", (m) => this.listener.receiveMessage(m));
    s.on("messageUpdated", (m) => this.listener.messageUpdated(m));
    s.on("roomEvent", (e) => this.listener.roomEvent(e));
    s.on("userStatus", (e) => this.listener.userStatus(e));
    s.on("typing", (e) => this.listener.typing(e));
    s.on("roomCreated", (e) => this.listener.roomCreated(e));
    s.on("invited", (e) => this.listener.invited(e));
    s.on("dmCreated", (e) => this.listener.dmCreated(e));
    s.on("userUpdated", (e) => this.listener.userUpdated(e));
    s.on("roomUpdated", (e) => this.listener.roomUpdated(e));
    s.on("roomDeleted", (e) => this.listener.roomDeleted(e));
    // The server closes a socket when the token it holds expires: hand it each new one.
    this.unsubscribe = this.auth.onChange(() => void this.reauth());
  }

  /** Send the session's current access token on the live socket (extension `reauth`).
   * If it is refused, nothing is lost: at expiry the server disconnects, and the
   * reconnect presents a fresh token and catches up with `sync`. */
  private async reauth(): Promise<void> {
    const token = this.auth.session?.access ?? null;
    if (!token || !this.socket.connected || token === this.presented) return;
    this.presented = token;
    try {
      await this.socket.timeout(10_000).emitWithAck("reauth", { token });
    } catch {
      /* no answer: the socket is going away, and the reconnect authenticates anew */
    }
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  start(): void {
    this.setState("connecting");
    this.socket.connect();
  }

  stop(): void {
    this.unsubscribe();
    this.reconnect.cancel();
    this.setState("signed-out");
    this.socket.disconnect();
  }

  private setState(state: ConnState): void {
    if (this.state === state) return;
    this.state = state;
    this.listener.state(state);
  }

  private async onConnectError(err: Error): Promise<void> {
    if (this.state === "signed-out") return;
    if (this.state === "connected") this.setState("reconnecting");
    if (this.socket.active) return; // a transport failure: the manager retries by itself
    // Refused by the server: the token was stale (or revoked). Refresh, then try again.
    if (err.message === "unauthorized") {
      const outcome = await this.auth.refresh(this.auth.session?.access);
      if (outcome === "signed-out") return; // the app shows the login screen
    }
    this.retrySoon(this.refusals.fail());
  }

  private retrySoon(delayMs: number): void {
    this.reconnect.schedule(delayMs, () => {
      if (this.state !== "signed-out" && !this.socket.connected && !this.socket.active) {
        this.socket.connect();
      }
    });
  }

  /** Emit with an ack; rejects at once when offline, or after `timeoutMs` without an answer. */
  async call<E extends ClientEvent>(
    event: E,
    payload: PayloadOf<E>,
    timeoutMs = 10_000,
  ): Promise<AckOf<E>> {
    if (!this.socket.connected) throw new OfflineError();
    return (await (this.socket.timeout(timeoutMs) as Untyped).emitWithAck(event, payload)) as AckOf<E>;
  }

  /** Fire and forget (typing): dropped when offline rather than queued. */
  volatile<E extends ClientEvent>(event: E, payload: PayloadOf<E>): void {
    if (this.socket.connected) {
      (this.socket.volatile as Untyped).emit(event, payload, () => undefined);
    }
  }
}
