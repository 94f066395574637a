// Search: the box in the top bar, and the panel of results (newest first) with the words of
// the query highlighted, each result's room (a DM titled by its people), author and time;
// "Load more results" pages on. Choosing a result opens its room at that message
// (chat/jump.ts). Escape or Close puts the panel away and the focus back in the box.

import type { Chat } from "../chat";
import { h, reconcile } from "../dom";
import { fullTimeOf, timeOf, dayLabel } from "../format";
import { icon } from "../icons";
import { highlightSegments, type SearchResults } from "../state/search";
import type { Message } from "../types";
import { personName } from "./names";
import { roomHref } from "./sidebar";

/** Where the panel would cover the room: choosing a result puts it away. */
const NARROW = "(max-width: 1099px)";

export class SearchView {
  /** The box, for the top bar. */
  readonly form: HTMLFormElement;
  /** The results, beside the room. */
  readonly panel: HTMLElement;
  private readonly input = h("input", {
    id: "search-q",
    type: "search",
    name: "q",
    autocomplete: "off",
    placeholder: "Search messages",
    maxlength: 500,
  });
  private readonly heading = h("h2", { id: "search-title" }, "Search");
  private readonly scope = h("input", { id: "search-here", type: "checkbox" });
  private readonly scopeLabel = h("label", { class: "check", for: "search-here" });
  private readonly status = h("p", { class: "form-status muted", role: "status" });
  private readonly error = h("p", { class: "form-error", role: "alert" });
  private readonly list = h("ol", { class: "hits", "aria-labelledby": "search-title" });
  private readonly more = h("button", { type: "button", class: "small" }, "Load more results");
  private shown: SearchResults | null = null;

  constructor(private readonly chat: Chat) {
    this.form = h(
      "form",
      { class: "search-box", role: "search", "aria-label": "Messages" },
      h("label", { for: "search-q", class: "sr-only" }, "Search messages"),
      this.input,
      h("button", { type: "submit", class: "small quiet", "aria-label": "Search" }, icon("search")),
    );
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.run();
    });
    const close = h("button", { type: "button", class: "small quiet" }, "Close");
    close.setAttribute("aria-label", "Close search");
    close.addEventListener("click", () => this.close());
    this.scopeLabel.append(this.scope, h("span"));
    this.scope.addEventListener("change", () => void this.run());
    this.more.addEventListener("click", () => void chat.search.more());
    this.panel = h(
      "section",
      { class: "search-panel", "aria-labelledby": "search-title", hidden: true },
      h("div", { class: "members-head" }, this.heading, close),
      this.scopeLabel,
      this.status,
      this.error,
      this.list,
      this.more,
    );
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.close();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !this.panel.hidden) {
        event.preventDefault();
        this.close();
      } else if (event.key === "ArrowDown" && !this.panel.hidden) {
        event.preventDefault();
        this.list.querySelector<HTMLElement>(".hit")?.focus(); // on to the results
      }
    });
    // Up and Down move between results (and from the first back to the box).
    this.list.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      const hits = [...this.list.querySelectorAll<HTMLElement>(".hit")];
      const at = hits.indexOf(document.activeElement as HTMLElement);
      if (at < 0) return;
      event.preventDefault();
      const next = event.key === "ArrowDown" ? hits[at + 1] : (hits[at - 1] ?? this.input);
      next?.focus();
    });
  }

  private async run(): Promise<void> {
    const query = this.input.value.trim();
    if (!query) return;
    const open = this.chat.openRoom;
    const room = this.scope.checked && open?.member ? open.name : null;
    this.panel.hidden = false;
    await this.chat.search.run(query, room);
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  /** Put the results away (`refocus`: back to the search box). */
  close(refocus = true): void {
    if (this.panel.hidden) return;
    this.panel.hidden = true;
    this.chat.search.clear();
    if (refocus) this.input.focus();
  }

  private choose(m: Message): void {
    void this.chat.jumps.to(m.room, m.seq);
    location.hash = roomHref(m.room);
    if (window.matchMedia(NARROW).matches) this.panel.hidden = true;
  }

  /** The room a result is in, as the reader knows it. */
  private roomLabel(name: string): string {
    const room = this.chat.rooms.get(name);
    if (room?.kind === "dm") return this.chat.people.title(room);
    return `#${name}`;
  }

  render(): void {
    const open = this.chat.openRoom;
    const here = open?.member ? open : null;
    this.scopeLabel.hidden = here === null;
    const scopeText = here ? `Only in ${this.roomLabel(here.name)}` : "";
    const span = this.scopeLabel.lastElementChild;
    if (span && span.textContent !== scopeText) span.textContent = scopeText;
    if (!here) this.scope.checked = false;

    const search = this.chat.search.current;
    if (!search) {
      this.shown = null;
      this.list.replaceChildren();
      this.more.hidden = true;
      return;
    }
    if (search !== this.shown) {
      this.shown = search;
      this.list.replaceChildren();
      this.heading.textContent = `Results for “${search.query}”`;
    }
    const n = search.results.length;
    const status = search.loading
      ? "Searching…"
      : search.error
        ? ""
        : !search.done
          ? ""
          : n === 0
            ? "No messages match."
            : `${n}${search.hasMore ? "+" : ""} ${n === 1 ? "message" : "messages"}`;
    if (this.status.textContent !== status) this.status.textContent = status;
    const error = search.error ?? "";
    if (this.error.textContent !== error) this.error.textContent = error;
    reconcile(
      this.list,
      search.results.map((m) => ({ key: String(m.id), make: () => this.hit(m, search.words) })),
    );
    this.more.hidden = !search.hasMore;
    this.more.disabled = search.loading;
  }

  private hit(m: Message, words: readonly string[]): HTMLElement {
    const text = h(
      "span",
      { class: "hit-text" },
      highlightSegments(m.text, words).map((s) => (s.match ? h("mark", null, s.text) : s.text)),
    );
    const button = h(
      "button",
      { type: "button", class: "hit" },
      h(
        "span",
        { class: "hit-head" },
        h("span", { class: "hit-room" }, this.roomLabel(m.room)),
        personName(this.chat.people.resolve(m.user), "author"),
        h(
          "time",
          { datetime: m.created_at, title: fullTimeOf(m.created_at) },
          `${dayLabel(m.created_at)} ${timeOf(m.created_at)}`,
        ),
      ),
      text,
    );
    button.addEventListener("click", () => this.choose(m));
    return h("li", null, button);
  }
}
