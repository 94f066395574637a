// Browser notifications for messages the reader is not looking at, and the unread count in
// the tab title.

import type { Message } from "./types";

const KEY = "hubbub.notifications";

export class Notifier {
  readonly supported = typeof window.Notification === "function";
  /** A notification's title for a message (the app names people and DMs as it shows them). */
  describe: (m: Message) => string = (m) => `${m.user.username} in #${m.room}`;

  get permission(): NotificationPermission {
    return this.supported ? Notification.permission : "denied";
  }

  /** The user opted in, and the browser allows it. */
  get enabled(): boolean {
    return this.permission === "granted" && localStorage.getItem(KEY) === "on";
  }

  async enable(): Promise<boolean> {
    if (!this.supported) return false;
    const permission =
      Notification.permission === "default"
        ? await Notification.requestPermission()
        : Notification.permission;
    if (permission !== "granted") return false;
    localStorage.setItem(KEY, "on");
    return true;
  }

  disable(): void {
    localStorage.setItem(KEY, "off");
  }

  /** A message arrived in a room the reader is not looking at. */
  message(m: Message): void {
    if (!this.enabled) return;
    try {
      const n = new Notification(this.describe(m), {
        body: m.text.length > 200 ? `${m.text.slice(0, 199)}…` : m.text,
        tag: `hubbub:${m.room}`,
      });
      n.onclick = () => {
        window.focus();
        location.hash = `#/room/${encodeURIComponent(m.room)}`;
        n.close();
      };
    } catch {
      /* some browsers only allow notifications from a service worker */
    }
  }

  /** `place`: what is open, as shown ("#general", or a DM's title), or null. */
  title(unread: number, place: string | null): void {
    const base = place ? `${place} · Hubbub` : "Hubbub";
    document.title = unread > 0 ? `(${unread}) ${base}` : base;
  }
}
