// A message's element is made anew when it changes (a reaction, an edit): the focus inside
// it moves to the same control of the new element, and a control marked `data-autofocus`
// (the inline editor's box) takes the focus once drawn.

export interface FocusMark {
  seq: string;
  part: string;
}

/** Which control of which message has the focus, if any. */
export function focusedPart(items: HTMLElement): FocusMark | null {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || !items.contains(active)) return null;
  const part = active.dataset.focus;
  const seq = active.closest<HTMLElement>("li[data-seq]")?.dataset.seq;
  return part && seq ? { seq, part } : null;
}

export function restoreFocus(items: HTMLElement, mark: FocusMark | null): void {
  const auto = items.querySelector<HTMLElement>("[data-autofocus]");
  if (auto) {
    delete auto.dataset.autofocus;
    auto.focus();
    if (auto instanceof HTMLTextAreaElement) auto.setSelectionRange(auto.value.length, auto.value.length);
    return;
  }
  if (!mark || (document.activeElement instanceof HTMLElement && items.contains(document.activeElement))) {
    return;
  }
  const li = items.querySelector<HTMLElement>(`li[data-seq="${mark.seq}"]`);
  const target =
    li?.querySelector<HTMLElement>(`[data-focus="${CSS.escape(mark.part)}"]`) ??
    li?.querySelector<HTMLElement>("[data-focus]");
  target?.focus({ preventScroll: true });
}
