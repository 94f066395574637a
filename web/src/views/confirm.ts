// A question that needs an answer before something cannot be undone: a modal dialog
// (focus moves into it and stays there, Escape cancels, focus goes back where it was),
// never `window.confirm`.

import { h } from "../dom";

export interface ConfirmOptions {
  title: string;
  text: string;
  /** The button that does it ("Delete"). */
  action: string;
}

let counter = 0;

/** True when the reader confirmed. */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  const id = `confirm-${++counter}`;
  const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const cancel = h("button", { type: "button" }, "Cancel");
  const ok = h("button", { type: "button", class: "danger" }, options.action);
  const dialog = h(
    "dialog",
    {
      class: "confirm",
      role: "alertdialog",
      "aria-labelledby": `${id}-title`,
      "aria-describedby": `${id}-text`,
    },
    h("h2", { id: `${id}-title` }, options.title),
    h("p", { id: `${id}-text` }, options.text),
    h("div", { class: "dialog-actions" }, cancel, ok),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    let answer = false;
    cancel.addEventListener("click", () => dialog.close());
    ok.addEventListener("click", () => {
      answer = true;
      dialog.close();
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (returnTo?.isConnected) returnTo.focus();
      resolve(answer);
    });
    dialog.showModal();
    cancel.focus(); // the safe answer first
  });
}
