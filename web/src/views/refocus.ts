// Lists whose rows go away under the reader's hands (a member kicked, a ban lifted, a bot
// deleted): when the focused row goes, focus moves to the list's heading instead of being
// lost to the page.

import { reconcile, type Keyed } from "../dom";

/** `reconcile`, then: if the focus was in `list` and its element left, focus `heading`
 * (made focusable by script only). */
export function reconcileKeepingFocus(list: HTMLElement, items: Keyed[], heading: HTMLElement): void {
  const had = list.contains(document.activeElement);
  reconcile(list, items);
  if (had && !list.contains(document.activeElement)) {
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}
