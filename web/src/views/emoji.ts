// The emoji picker: a modal dialog with a search box, a row of common reactions, and every
// emoji by group (emojibase-data, bundled and loaded on first use: nothing comes from
// anywhere but this server). One tab stop for the grid; the arrow keys move in it.

import { h } from "../dom";
import { emojiMatches, qualified, type EmojiEntry } from "../state/emoji";

/** Common reactions, first in the picker, with their names (emojibase's labels). */
export const QUICK: readonly [string, string][] = [
  ["👍", "thumbs up"],
  ["❤️", "red heart"],
  ["😂", "face with tears of joy"],
  ["🎉", "party popper"],
  ["😮", "face with open mouth"],
  ["😢", "crying face"],
  ["🙏", "folded hands"],
  ["👀", "eyes"],
];
const GROUPS: Record<number, string> = {
  0: "Smileys and emotion",
  1: "People and body",
  3: "Animals and nature",
  4: "Food and drink",
  5: "Travel and places",
  6: "Activities",
  7: "Objects",
  8: "Symbols",
  9: "Flags",
};

let data: Promise<EmojiEntry[]> | null = null;

function loadData(): Promise<EmojiEntry[]> {
  data ??= import("emojibase-data/en/compact.json").then((module) =>
    (module.default as unknown as EmojiEntry[]).map((e) => ({ ...e, unicode: qualified(e.unicode) })),
  );
  return data;
}

export class EmojiPicker {
  private readonly dialog = h("dialog", {
    class: "emoji-picker",
    "aria-labelledby": "emoji-picker-title",
  });
  private readonly search = h("input", {
    id: "emoji-search",
    type: "search",
    autocomplete: "off",
    spellcheck: "false",
  });
  private readonly grid = h("div", { class: "emoji-grid", role: "group", "aria-label": "All emoji" });
  private readonly status = h("p", { class: "sr-only", role: "status" });
  private resolve: ((emoji: string | null) => void) | null = null;
  private all: EmojiEntry[] = [];

  constructor() {
    const close = h("button", { type: "button", class: "small quiet" }, "Close");
    close.addEventListener("click", () => this.finish(null));
    const quick = h(
      "div",
      { class: "emoji-quick", role: "group", "aria-label": "Common reactions" },
      QUICK.map(([emoji, label]) => this.button(emoji, label, 0)),
    );
    this.dialog.append(
      h(
        "div",
        { class: "emoji-head" },
        h("h2", { id: "emoji-picker-title" }, "Add a reaction"),
        close,
      ),
      h("label", { for: "emoji-search", class: "sr-only" }, "Search emoji"),
      this.search,
      quick,
      this.grid,
      this.status,
    );
    this.search.placeholder = "Search emoji";
    this.search.addEventListener("input", () => this.fill());
    this.search.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "Enter") {
        event.preventDefault();
        const first = this.grid.querySelector<HTMLButtonElement>("button");
        if (event.key === "Enter" && first && this.search.value.trim()) first.click();
        else first?.focus();
      }
    });
    this.grid.addEventListener("keydown", (event) => this.onGridKey(event));
    this.dialog.addEventListener("close", () => this.finish(null));
    // A click on the backdrop (outside the dialog's box) closes it.
    this.dialog.addEventListener("click", (event) => {
      if (event.target === this.dialog) this.finish(null);
    });
  }

  /** Ask for an emoji: the one chosen, or null when the dialog was closed. */
  async pick(): Promise<string | null> {
    if (!this.dialog.isConnected) document.body.append(this.dialog);
    this.finish(null);
    const chosen = new Promise<string | null>((resolve) => (this.resolve = resolve));
    this.search.value = "";
    this.dialog.showModal();
    this.search.focus();
    if (this.all.length === 0) {
      this.status.textContent = "Loading emoji…";
      try {
        this.all = await loadData();
      } catch {
        this.status.textContent = "The emoji could not be loaded.";
      }
    }
    this.fill();
    return chosen;
  }

  private finish(emoji: string | null): void {
    const resolve = this.resolve;
    this.resolve = null;
    if (this.dialog.open) this.dialog.close();
    resolve?.(emoji);
  }

  private button(emoji: string, label: string, tabIndex: number): HTMLButtonElement {
    const b = h(
      "button",
      { type: "button", class: "emoji", tabindex: String(tabIndex) },
      emoji,
    );
    b.title = label;
    b.setAttribute("aria-label", `${emoji} ${label}`);
    b.addEventListener("click", () => this.finish(emoji));
    return b;
  }

  /** The grid: the search's matches, or every emoji by group. */
  private fill(): void {
    const query = this.search.value.trim();
    const sections: HTMLElement[] = [];
    let first = true;
    const buttons = (list: EmojiEntry[]): HTMLButtonElement[] =>
      list.map((e) => {
        const b = this.button(e.unicode, e.label, first ? 0 : -1);
        first = false;
        return b;
      });
    if (query) {
      const found = emojiMatches(this.all, query);
      this.status.textContent = found.length ? `${found.length} emoji found` : "No emoji found";
      sections.push(h("div", { class: "emoji-cells" }, buttons(found)));
    } else {
      this.status.textContent = "";
      const byGroup = new Map<number, EmojiEntry[]>();
      for (const e of this.all) {
        const list = byGroup.get(e.group) ?? [];
        list.push(e);
        byGroup.set(e.group, list);
      }
      for (const [group, list] of [...byGroup].sort((a, b) => a[0] - b[0])) {
        const id = `emoji-group-${group}`;
        sections.push(
          h(
            "section",
            { "aria-labelledby": id },
            h("h3", { id }, GROUPS[group] ?? "Other"),
            h("div", { class: "emoji-cells" }, buttons(list)),
          ),
        );
      }
    }
    this.grid.replaceChildren(...sections);
  }

  /** Arrow keys move through the grid (one tab stop: the last one focused); up and down
   * go to the nearest emoji in the row above or below, across groups. */
  private onGridKey(event: KeyboardEvent): void {
    const all = [...this.grid.querySelectorAll<HTMLButtonElement>("button.emoji")];
    const current = document.activeElement as HTMLButtonElement;
    const at = all.indexOf(current);
    if (at < 0) return;
    let next: HTMLButtonElement | undefined;
    if (event.key === "ArrowRight") next = all[at + 1];
    else if (event.key === "ArrowLeft") next = all[at - 1];
    else if (event.key === "Home") next = all[0];
    else if (event.key === "End") next = all[all.length - 1];
    else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      next = nearestInNextRow(all, current, event.key === "ArrowDown" ? 1 : -1);
      if (!next && event.key === "ArrowUp") {
        event.preventDefault();
        this.search.focus();
        return;
      }
    } else return;
    event.preventDefault();
    if (!next) return;
    for (const b of all) b.tabIndex = b === next ? 0 : -1;
    next.focus();
  }
}

function nearestInNextRow(
  all: HTMLElement[],
  from: HTMLElement,
  direction: 1 | -1,
): HTMLButtonElement | undefined {
  const box = from.getBoundingClientRect();
  let rowTop: number | null = null;
  let best: HTMLElement | undefined;
  let bestDx = Infinity;
  for (const b of all) {
    const r = b.getBoundingClientRect();
    const dy = (r.top - box.top) * direction;
    if (dy <= 1) continue;
    if (rowTop === null || (r.top - rowTop) * direction < -1) {
      rowTop = r.top;
      best = undefined;
      bestDx = Infinity;
    }
    if (Math.abs(r.top - rowTop) > 1) continue;
    const dx = Math.abs(r.left - box.left);
    if (dx < bestDx) {
      best = b;
      bestDx = dx;
    }
  }
  return best as HTMLButtonElement | undefined;
}
