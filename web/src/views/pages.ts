// Moving between the routes (route.ts): the address names the screen, so a reload, a
// bookmark and the browser's Back come to it. A page (a room's settings, the admin page,
// the reader's bots) shows in the main pane instead of the room; the button that opens one
// adds a step to the history, so Close (and Escape) go back where the reader was, and the
// focus goes back to that button. A page opened by its address closes to its room, or the
// room list.

import { closeTarget, isPage, parseRoute, routeHash, sameRoute, type PageRoute, type Route } from "../route";
import type { Page } from "./page";

/** A page's view: its Page, and what it does when its route opens it and while it shows. */
export interface PageView {
  readonly page: Page;
  /** Its route opened: start afresh (and load what it lists). */
  enter(route: PageRoute): void;
  /** Redraw (the chat changed). */
  render(): void;
}

/** In `history.state` of the steps the app added for a page: Close may go back over them. */
const PUSHED = "hubbubPage";

export class Router {
  route: Route = { kind: "home" };
  /** The route changed (by the address, Back, or a button): redraw. */
  onChange: ((route: Route, previous: Route) => void) | null = null;
  /** Away from a page, not back to the button that opened it (gone, or elsewhere): where
   * the focus goes instead. */
  onReturn: ((route: Route) => void) | null = null;
  /** The button that opened the page shown, and the route it was on. */
  private opener: { el: HTMLElement; route: Route } | null = null;
  private closing = false;
  private started = false;

  /** `room`: the room's pane; the page shown goes in after it (in the page only while shown,
   * so its texts and ids are not found twice). */
  constructor(
    private readonly views: Record<PageRoute["kind"], PageView>,
    private readonly room: HTMLElement,
  ) {
    for (const view of Object.values(views)) view.page.onClose = () => this.close();
  }

  /** The view of the page shown, if a page is. */
  get view(): PageView | null {
    return isPage(this.route) ? this.views[this.route.kind] : null;
  }

  /** Open a page (from its button, which gets the focus back when it closes). */
  go(route: PageRoute, opener?: HTMLElement | null): void {
    if (sameRoute(route, this.route)) {
      this.view?.page.focus();
      return;
    }
    const from = this.route;
    const active = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const el = opener ?? active;
    history.pushState({ [PUSHED]: true }, "", routeHash(route));
    this.sync();
    this.opener = el ? { el, route: from } : null; // after sync, which forgets the last one
  }

  /** Close the page shown: back where the reader was. */
  close(): void {
    const route = this.route;
    if (!isPage(route) || this.closing) return;
    this.closing = true;
    const state: unknown = history.state;
    if (typeof state === "object" && state !== null && PUSHED in state) {
      history.back(); // its hashchange brings sync()
    } else {
      history.replaceState(null, "", routeHash(closeTarget(route)));
      this.sync();
    }
  }

  /** Escape with the focus nowhere (on the body: its element went, say) closes the page
   * too; inside the page, the page sees it (page.ts). For `document`'s keydown. */
  readonly onKey = (event: KeyboardEvent): void => {
    if (event.key !== "Escape" || event.defaultPrevented || event.target !== document.body) return;
    if (!this.view || document.querySelector("dialog[open]")) return;
    event.preventDefault();
    this.close();
  };

  /** Follow the address (at the start, and on every hashchange). */
  sync(): void {
    const previous = this.route;
    const route = parseRoute(location.hash);
    this.closing = false;
    if (this.started && sameRoute(route, previous)) return;
    this.started = true;
    this.route = route;
    const view = this.view;
    for (const other of Object.values(this.views)) if (other !== view) other.page.hide();
    if (view && isPage(route)) {
      if (!view.page.shown) this.room.after(view.page.el);
      view.page.show();
      view.enter(route);
    }
    this.onChange?.(route, previous);
    if (view) {
      view.page.focus();
      return;
    }
    if (!isPage(previous)) return;
    // Back from a page: to the button that opened it, if it is still there to take it.
    const opener = this.opener;
    this.opener = null;
    const el = opener && sameRoute(opener.route, route) ? opener.el : null;
    if (el?.isConnected && el.getClientRects().length > 0) el.focus();
    else this.onReturn?.(route);
  }
}
