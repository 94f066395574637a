// People's names on screen: an element for a person's shown name (their display name, else
// their username; the username as its title), and the pass that brings every such element
// up to date after a rename (`userUpdated`), wherever it is drawn.

import type { PeopleNames } from "../chat/people";
import { h } from "../dom";
import { displayName } from "../state/people";
import type { User } from "../types";

/** A person's shown name, kept current by `refreshNames`. */
export function personName(user: User, className = "person-name"): HTMLElement {
  return h(
    "span",
    { class: className, title: `@${user.username}`, dataset: { nameOf: String(user.id) } },
    displayName(user),
  );
}

/** Bring every name drawn under `root` up to what the directory knows now. */
export function refreshNames(root: ParentNode, people: PeopleNames): void {
  for (const el of root.querySelectorAll<HTMLElement>("[data-name-of]")) {
    const known = people.known.get(Number(el.dataset.nameOf));
    if (!known) continue;
    const text = displayName(known);
    if (el.textContent !== text) el.textContent = text;
    const title = `@${known.username}`;
    if (el.title !== title) el.title = title;
  }
}
