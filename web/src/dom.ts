// A tiny element builder. Strings always become text nodes: nothing here parses HTML.

type Child = Node | string | number | null | undefined | false | Child[];
type Handler = (event: Event) => void;
type PropValue = string | number | boolean | null | undefined | Handler | Record<string, string>;
export type Props = Record<string, PropValue>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) setProps(el, props);
  append(el, children);
  return el;
}

function setProps(el: HTMLElement, props: Props): void {
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "dataset" && typeof value === "object") {
      Object.assign(el.dataset, value);
    } else if (name === "class") {
      el.className = String(value);
    } else if (name === "value" || name === "checked" || name === "disabled") {
      (el as unknown as Record<string, unknown>)[name] = value;
    } else if (typeof value !== "object") {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Replace an element's content. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * Keyed reconciliation: make `container`'s children exactly `items`, in order, reusing the
 * element already there for a key (so scroll anchors, focus and selections survive).
 */
export interface Keyed {
  key: string;
  make: () => HTMLElement;
  /** Bring an element made earlier for this key up to date (when its content can change). */
  update?: (el: HTMLElement) => void;
}

export function reconcile(container: HTMLElement, items: Keyed[]): void {
  const existing = new Map<string, HTMLElement>();
  for (const child of Array.from(container.children)) {
    const key = (child as HTMLElement).dataset.key;
    if (key !== undefined) existing.set(key, child as HTMLElement);
    else child.remove();
  }
  let cursor: Element | null = container.firstElementChild;
  for (const item of items) {
    let el = existing.get(item.key);
    if (el) {
      existing.delete(item.key);
      item.update?.(el);
    } else {
      el = item.make();
      el.dataset.key = item.key;
    }
    if (el === cursor) cursor = cursor.nextElementSibling;
    else container.insertBefore(el, cursor);
  }
  for (const stale of existing.values()) stale.remove();
}
