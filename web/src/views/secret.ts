// A secret the server shows once (a bot's token, a webhook's URL): in a read-only field
// with a Copy button, and a clear word that it will not be shown again.

import { h } from "../dom";

let counter = 0;

export interface SecretOptions {
  /** What it is ("Token of deploy-bot"). */
  label: string;
  value: string;
  /** More to say below it (an example of its use). */
  extra?: Node | null;
}

/** Copy text to the clipboard; false when the browser refused. */
export async function copyText(text: string, field?: HTMLInputElement | HTMLTextAreaElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (plain http, an old browser): select it and let the reader copy.
    field?.focus();
    field?.select();
    return false;
  }
}

export function secretBox(options: SecretOptions): HTMLElement {
  const id = `secret-${++counter}`;
  const field = h("input", {
    id,
    readonly: true,
    value: options.value,
    class: "secret-value",
    spellcheck: "false",
    autocomplete: "off",
    "aria-describedby": `${id}-warning`,
  });
  const status = h("p", { class: "form-status", role: "status" });
  const copy = h("button", { type: "button", class: "small" }, "Copy");
  copy.setAttribute("aria-label", `Copy ${options.label}`);
  copy.addEventListener("click", async () => {
    status.textContent = (await copyText(options.value, field))
      ? "Copied."
      : "Copying is blocked here: it is selected, copy it with Ctrl+C.";
  });
  field.addEventListener("focus", () => field.select());
  return h(
    "div",
    { class: "secret" },
    h("label", { for: id }, options.label),
    h("div", { class: "row" }, field, copy),
    h(
      "p",
      { class: "secret-warning", id: `${id}-warning` },
      "Copy it now: you will not see it again.",
    ),
    status,
    options.extra ?? null,
  );
}
