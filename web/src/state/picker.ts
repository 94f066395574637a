// Who a new direct conversation is with (the "New message" picker): 1 to 8 other people,
// each once, never oneself (PROTOCOL v2 `POST /api/dms`). Pure: the picker view asks.

import type { User } from "../types";

/** The most other people one conversation holds. */
export const MAX_PICKED = 8;

export type PickOutcome = "added" | "removed" | "full" | "self";

export class PickerSelection {
  private readonly chosen: User[] = [];

  constructor(private readonly me: number) {}

  /** The people chosen, in the order they were picked. */
  get people(): readonly User[] {
    return this.chosen;
  }

  get size(): number {
    return this.chosen.length;
  }

  get full(): boolean {
    return this.chosen.length >= MAX_PICKED;
  }

  /** 1 to 8 people: the conversation can be opened. */
  get ready(): boolean {
    return this.chosen.length >= 1 && this.chosen.length <= MAX_PICKED;
  }

  has(id: number): boolean {
    return this.chosen.some((u) => u.id === id);
  }

  /** Whether `user` can be ticked now: not oneself, and room for one more (or already in). */
  selectable(user: User): boolean {
    return user.id !== this.me && (this.has(user.id) || !this.full);
  }

  add(user: User): PickOutcome {
    if (user.id === this.me) return "self";
    if (this.has(user.id)) return "added";
    if (this.full) return "full";
    this.chosen.push(user);
    return "added";
  }

  remove(id: number): void {
    const at = this.chosen.findIndex((u) => u.id === id);
    if (at >= 0) this.chosen.splice(at, 1);
  }

  /** Tick or untick. */
  toggle(user: User): PickOutcome {
    if (this.has(user.id)) {
      this.remove(user.id);
      return "removed";
    }
    return this.add(user);
  }

  /** What `POST /api/dms` takes. */
  usernames(): string[] {
    return this.chosen.map((u) => u.username);
  }

  clear(): void {
    this.chosen.length = 0;
  }
}

/** What the picker says under its list, or "" (nothing to say). */
export function pickerHint(selection: PickerSelection): string {
  if (selection.full) return `A conversation holds at most ${MAX_PICKED} other people.`;
  return "";
}
