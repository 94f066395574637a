// v2 conversation events through the official Socket.IO JavaScript client (4.8).
//
// Usage: HUBBUB_URL=… HUBBUB_TOKEN_A=… HUBBUB_TOKEN_B=… HUBBUB_ROOM=… node conversation.mjs
//
// A (websocket) and B (long-polling only, so non-ASCII emoji cross the polling framing
// too) are both members of ROOM. A sends, edits, and replies; B reacts with an emoji and
// takes it back; A deletes. Both record every `messageUpdated`. Then B disconnects, A
// edits once more, and B — reconnected — catches up with `sync` by rev. Prints one JSON
// line of what was seen (the Python test judges it); exits 2 on a timeout or crash.

import { io } from "socket.io-client";

const URL = process.env.HUBBUB_URL;
const ROOM = process.env.HUBBUB_ROOM;
const seen = { updated: { a: [], b: [] }, acks: {}, errors: [] };
const sockets = [];
const watchdog = setTimeout(() => {
  seen.errors.push("timeout");
  done(2);
}, 15000);

function done(code) {
  clearTimeout(watchdog);
  for (const s of sockets) s.disconnect();
  process.stdout.write(JSON.stringify(seen) + "\n", () => process.exit(code));
}

function connect(token, transports) {
  return new Promise((resolve, reject) => {
    const socket = io(URL, { auth: { token }, transports, reconnection: false });
    sockets.push(socket);
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => reject(err));
  });
}

function until(list, predicate) {
  return new Promise((resolve) => {
    const tick = () => (list.some(predicate) ? resolve() : setTimeout(tick, 20));
    tick();
  });
}

try {
  const a = await connect(process.env.HUBBUB_TOKEN_A, ["websocket"]);
  let b = await connect(process.env.HUBBUB_TOKEN_B, ["polling"]);
  a.on("messageUpdated", (m) => seen.updated.a.push(m));
  b.on("messageUpdated", (m) => seen.updated.b.push(m));

  const ask = (socket, event, payload) => socket.timeout(5000).emitWithAck(event, payload);
  seen.acks.send = await ask(a, "sendMessage", { room: ROOM, text: "helo wrld" });
  seen.acks.edit = await ask(a, "editMessage", { room: ROOM, seq: 1, text: "hello world ✓" });
  seen.acks.react = await ask(b, "addReaction", { room: ROOM, seq: 1, emoji: "👍🏽" });
  seen.acks.reply = await ask(b, "sendMessage", { room: ROOM, text: "re", reply_to: 1 });
  seen.acks.unreact = await ask(b, "removeReaction", { room: ROOM, seq: 1, emoji: "👍🏽" });
  seen.acks.bad = await ask(b, "addReaction", { room: ROOM, seq: 1, emoji: "not one" });
  seen.acks.remove = await ask(a, "deleteMessage", { room: ROOM, seq: 2 });
  await until(seen.updated.b, (m) => m.seq === 2 && m.deleted);
  await until(seen.updated.a, (m) => m.seq === 2 && m.deleted);

  const mark = seen.acks.remove.message.rev;
  b.disconnect();
  seen.acks.offline_edit = await ask(a, "editMessage", { room: ROOM, seq: 1, text: "while away" });
  b = await connect(process.env.HUBBUB_TOKEN_B, ["polling", "websocket"]);
  seen.acks.sync = await ask(b, "sync", { rooms: { [ROOM]: { rev: mark } } });
  done(0);
} catch (err) {
  seen.errors.push(String(err?.stack ?? err));
  done(2);
}
