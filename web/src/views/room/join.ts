// A room the reader is not in: an offer to join it (or to accept the invitation to a
// private one), word that they are banned from it, or that there is no such room.

import { describeError, type Chat } from "../../chat";
import { h } from "../../dom";
import type { RoomState } from "../../state";
import { joinOffer } from "../../state/community";

/** Which screen shows for `name`: a new key means a new screen. */
export function outsideKey(chat: Chat, name: string, room: RoomState | null): string {
  const state = room ? joinOffer(room) : `none:${chat.openError ?? ""}:${chat.roomsLoaded}`;
  return `${name}|${state}|${chat.community.gone.get(name) ?? ""}`;
}

/** The screen's content. `error` shows why joining failed. */
export function outsideScreen(
  chat: Chat,
  name: string,
  room: RoomState | null,
  error: HTMLElement,
): HTMLElement {
  // v2: the reader was removed from it, or it was deleted: say so first.
  const why = chat.community.gone.get(name);
  const gone = why ? h("p", { class: "gone", role: "alert" }, why) : null;
  if (room && joinOffer(room) === "banned") {
    // No Join: the server would refuse it. Said once (a ban just now already says so).
    const text = gone ? null : h("p", { role: "status" }, `You are banned from #${name}.`);
    return h("div", { class: "welcome" }, gone, text, h("a", { href: "#/" }, "Back to your rooms"));
  }
  if (room) {
    const [label, text] = room.isPrivate
      ? ["Accept invitation", `You are invited to the private room ${name}.`]
      : [`Join #${name}`, `You are not in #${name} yet.`];
    const join = h("button", { type: "button", class: "primary" }, label);
    join.addEventListener("click", () => {
      join.disabled = true;
      chat.join(name).catch((e: unknown) => {
        join.disabled = false;
        error.textContent = describeError(e);
      });
    });
    return h("div", { class: "welcome" }, gone, h("p", null, text), join, error);
  }
  const text = chat.openError ?? (chat.roomsLoaded ? `There is no room #${name}.` : "Loading…");
  return h(
    "div",
    { class: "welcome" },
    gone ?? h("p", { role: "status" }, text),
    h("a", { href: "#/" }, "Back to your rooms"),
  );
}
