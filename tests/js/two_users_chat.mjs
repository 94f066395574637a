// Two users chatting through the official Socket.IO JavaScript client (socket.io-client 4.8).
//
// Usage: node two_users_chat.mjs URL TOKEN_A TOKEN_B ROOM
//    or: HUBBUB_URL=… HUBBUB_TOKEN_A=… HUBBUB_TOKEN_B=… HUBBUB_ROOM=… node two_users_chat.mjs
// (argv wins over the environment; prefer the environment so tokens stay out of `ps`).
//
// User A owns ROOM; user B is not a member yet. A connects over the websocket transport
// only, B with the client's default (HTTP long-polling, then upgrade to websocket). B joins
// with an ack, A sends, B waits for it and replies, A waits for the reply. Every ack and
// event is checked against PROTOCOL.md; a bad and a missing token must be refused with the
// documented connect_error. Prints one JSON line (what was observed, plus `errors`) and
// exits 0 when everything matched, 1 on a mismatch, 2 on a timeout or crash.

import { io } from "socket.io-client";

const [argUrl, argTokenA, argTokenB, argRoom] = process.argv.slice(2);
const SERVER_URL = argUrl ?? process.env.HUBBUB_URL;
const TOKEN_A = argTokenA ?? process.env.HUBBUB_TOKEN_A;
const TOKEN_B = argTokenB ?? process.env.HUBBUB_TOKEN_B;
const ROOM = argRoom ?? process.env.HUBBUB_ROOM;
const TOTAL_TIMEOUT_MS = Number(process.env.HUBBUB_JS_TIMEOUT_MS ?? 10000);
const STEP_TIMEOUT_MS = 5000;

const started = Date.now();
const observed = { client_version: null, errors: [] };
const sockets = [];
let step = "start";
let finished = false;

function finish(code) {
  if (finished) return;
  finished = true;
  observed.elapsed_ms = Date.now() - started;
  observed.ok = code === 0;
  for (const s of sockets) s.disconnect();
  process.stdout.write(JSON.stringify(observed) + "\n", () => process.exit(code));
}

if (!SERVER_URL || !TOKEN_A || !TOKEN_B || !ROOM) {
  observed.errors.push("usage: two_users_chat.mjs URL TOKEN_A TOKEN_B ROOM (or HUBBUB_* env)");
  process.stdout.write(JSON.stringify({ ...observed, ok: false }) + "\n", () => process.exit(2));
  await new Promise(() => {}); // never go on
}

const watchdog = setTimeout(() => {
  observed.errors.push(`timeout after ${TOTAL_TIMEOUT_MS} ms during step: ${step}`);
  finish(2);
}, TOTAL_TIMEOUT_MS);

function check(condition, what) {
  if (!condition) observed.errors.push(`${step}: ${what}`);
  return condition;
}

function isPlainObject(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function withTimeout(promise, what, ms = STEP_TIMEOUT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function checkUser(user, expected, what) {
  check(isPlainObject(user), `${what}: user is not an object: ${JSON.stringify(user)}`) &&
    check(
      user.id === expected.id && user.username === expected.username,
      `${what}: user ${JSON.stringify(user)} is not ${JSON.stringify(expected)}`,
    );
}

// PROTOCOL.md's message object.
function checkMessage(m, { user, text, clientId }, what) {
  if (!check(isPlainObject(m), `${what}: not an object: ${JSON.stringify(m)}`)) return;
  check(Number.isInteger(m.id), `${what}: id ${JSON.stringify(m.id)} is not an integer`);
  check(m.room === ROOM, `${what}: room ${JSON.stringify(m.room)} is not ${ROOM}`);
  check(Number.isInteger(m.seq) && m.seq >= 1, `${what}: seq ${JSON.stringify(m.seq)}`);
  checkUser(m.user, user, what);
  check(m.text === text, `${what}: text ${JSON.stringify(m.text)} is not ${JSON.stringify(text)}`);
  check(
    m.client_id === clientId,
    `${what}: client_id ${JSON.stringify(m.client_id)} is not ${JSON.stringify(clientId)}`,
  );
  check(
    typeof m.created_at === "string" &&
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]00:?00)$/.test(m.created_at) &&
      !Number.isNaN(Date.parse(m.created_at)),
    `${what}: created_at ${JSON.stringify(m.created_at)} is not ISO 8601 UTC`,
  );
}

function sameMessage(a, b) {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isPlainObject(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys(v[k])]),
  );
}

async function me(token) {
  const r = await fetch(new URL("/api/me", SERVER_URL), {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (r.status !== 200) throw new Error(`GET /api/me answered ${r.status}: ${await r.text()}`);
  return r.json();
}

// A connected socket that records every server event; `next(event, predicate)` waits.
function recorder(name, token, options) {
  const socket = io(SERVER_URL, {
    auth: { token },
    reconnection: false,
    forceNew: true,
    timeout: STEP_TIMEOUT_MS,
    ...options,
  });
  sockets.push(socket);
  const seen = { receiveMessage: [], roomEvent: [], userStatus: [], typing: [] };
  const waiters = [];
  socket.onAny((event, ...args) => {
    (seen[event] ??= []).push(args[0]);
    for (const w of [...waiters]) {
      if (w.event === event && w.predicate(args[0])) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(args[0]);
      }
    }
  });
  const next = (event, predicate = () => true) => {
    const already = (seen[event] ?? []).find(predicate);
    if (already !== undefined) return Promise.resolve(already);
    return withTimeout(
      new Promise((resolve) => waiters.push({ event, predicate, resolve })),
      `${name}: ${event}`,
    );
  };
  const connected = withTimeout(
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", (err) =>
        reject(new Error(`${name} connect_error: ${err.message} ${JSON.stringify(err.data)}`)),
      );
    }),
    `${name}: connect`,
  );
  return { socket, seen, next, connected };
}

// A socket that must be refused: resolves with what connect_error carried.
function refused(auth) {
  const socket = io(SERVER_URL, {
    ...(auth === undefined ? {} : { auth }),
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    timeout: STEP_TIMEOUT_MS,
  });
  sockets.push(socket);
  return withTimeout(
    new Promise((resolve) => {
      socket.once("connect", () => resolve({ connected: true }));
      socket.once("connect_error", (err) =>
        resolve({ connected: false, message: err.message, data: err.data ?? null }),
      );
    }),
    "connect_error",
  ).finally(() => socket.disconnect());
}

function checkRefusal(result, what) {
  check(!result.connected, `${what}: the socket connected`);
  check(
    result.message === "unauthorized",
    `${what}: connect_error message ${JSON.stringify(result.message)} is not "unauthorized"`,
  );
  check(
    isPlainObject(result.data) &&
      result.data.code === "unauthorized" &&
      typeof result.data.message === "string" &&
      result.data.message.length > 0,
    `${what}: connect_error data ${JSON.stringify(result.data)} is not {code: "unauthorized", message}`,
  );
}

// An ack the rest of the conversation depends on: not ok ends the run.
function checkAckOk(ack, what) {
  if (!(isPlainObject(ack) && ack.ok === true)) {
    throw new Error(`${what}: ack is not {ok: true, …}: ${JSON.stringify(ack)}`);
  }
  return true;
}

try {
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  observed.client_version = require("socket.io-client/package.json").version;

  step = "refused tokens";
  [observed.bad_token, observed.no_token] = await Promise.all([
    refused({ token: "not-a-valid-token" }),
    refused(undefined),
  ]);
  checkRefusal(observed.bad_token, "bad token");
  checkRefusal(observed.no_token, "missing token");

  step = "who am I";
  const [userA, userB] = await Promise.all([me(TOKEN_A), me(TOKEN_B)]);
  observed.users = { a: userA, b: userB };

  step = "connect";
  const a = recorder("A", TOKEN_A, { transports: ["websocket"] });
  const b = recorder("B", TOKEN_B, {}); // default: polling, then upgrade to websocket
  observed.transports = { a: null, b_initial: null, b_upgraded: null };
  // The Manager opens its engine.io socket asynchronously: these handlers are in time.
  const bUpgraded = withTimeout(
    new Promise((resolve) =>
      b.socket.io.once("open", () => {
        observed.transports.b_initial = b.socket.io.engine.transport.name;
        b.socket.io.engine.once("upgrade", (transport) => resolve(transport.name));
      }),
    ),
    "B: transport upgrade",
  );
  await Promise.all([a.connected, b.connected]);
  observed.transports.a = a.socket.io.engine.transport.name;
  check(observed.transports.a === "websocket", `A's transport is ${observed.transports.a}`);

  step = "B joinRoom";
  const join = await b.socket.timeout(STEP_TIMEOUT_MS).emitWithAck("joinRoom", { room: ROOM });
  observed.join_ack = join;
  if (checkAckOk(join, "joinRoom")) {
    check(
      isPlainObject(join.room) && join.room.name === ROOM,
      `room ${JSON.stringify(join.room)}`,
    );
    check(Array.isArray(join.messages), `messages is not an array: ${JSON.stringify(join.messages)}`);
    const members = Array.isArray(join.members) ? join.members : [];
    check(Array.isArray(join.members), `members is not an array: ${JSON.stringify(join.members)}`);
    for (const u of [userA, userB]) {
      const m = members.find((x) => x.id === u.id);
      check(
        m && m.username === u.username && typeof m.online === "boolean",
        `members ${JSON.stringify(members)} lack ${u.username} with online`,
      );
    }
  }
  step = "A sees B join (roomEvent)";
  observed.room_event_seen_by_a = await a.next(
    "roomEvent",
    (e) => e?.type === "join" && e?.user?.id === userB.id,
  );
  check(
    observed.room_event_seen_by_a.room === ROOM,
    `roomEvent ${JSON.stringify(observed.room_event_seen_by_a)}`,
  );

  step = "B transport upgrade";
  observed.transports.b_upgraded = await bUpgraded;
  check(
    observed.transports.b_initial === "polling",
    `B started on ${observed.transports.b_initial}, not polling`,
  );
  check(
    observed.transports.b_upgraded === "websocket",
    `B upgraded to ${observed.transports.b_upgraded}`,
  );
  check(
    b.socket.io.engine.transport.name === "websocket",
    `B is now on ${b.socket.io.engine.transport.name}`,
  );

  const nonce = Math.random().toString(36).slice(2, 10);
  const textA = `hi B, from the JS client ${nonce} ✓`;
  const textB = `hello A, JS here too ${nonce} ✓`;
  const clientIdA = `js-a-${nonce}`;
  const clientIdB = `js-b-${nonce}`;

  step = "A sendMessage";
  const ackA = await a.socket
    .timeout(STEP_TIMEOUT_MS)
    .emitWithAck("sendMessage", { room: ROOM, text: textA, client_id: clientIdA });
  observed.ack_a = ackA;
  if (checkAckOk(ackA, "A sendMessage")) {
    checkMessage(ackA.message, { user: userA, text: textA, clientId: clientIdA }, "A's ack");
  }

  step = "B receives A's message";
  const gotB = await b.next("receiveMessage", (m) => m?.text === textA);
  checkMessage(gotB, { user: userA, text: textA, clientId: clientIdA }, "B's receiveMessage");
  check(sameMessage(gotB, ackA.message), "B's receiveMessage differs from A's ack");

  step = "B replies";
  const ackB = await b.socket
    .timeout(STEP_TIMEOUT_MS)
    .emitWithAck("sendMessage", { room: ROOM, text: textB, client_id: clientIdB });
  observed.ack_b = ackB;
  if (checkAckOk(ackB, "B sendMessage")) {
    checkMessage(ackB.message, { user: userB, text: textB, clientId: clientIdB }, "B's ack");
    check(
      ackB.message.seq === ackA.message.seq + 1,
      `seqs ${ackA.message.seq}, ${ackB.message.seq} are not consecutive`,
    );
  }

  step = "A receives B's reply";
  const gotA = await a.next("receiveMessage", (m) => m?.text === textB);
  checkMessage(gotA, { user: userB, text: textB, clientId: clientIdB }, "A's receiveMessage");
  check(sameMessage(gotA, ackB.message), "A's receiveMessage differs from B's ack");

  step = "senders get their own messages";
  // "every connected socket of every member of the room, the sender's own included"
  const ownA = await a.next("receiveMessage", (m) => m?.text === textA);
  const ownB = await b.next("receiveMessage", (m) => m?.text === textB);
  check(sameMessage(ownA, ackA.message), "A's own receiveMessage differs from its ack");
  check(sameMessage(ownB, ackB.message), "B's own receiveMessage differs from its ack");

  step = "A resends the same client_id";
  const again = await a.socket
    .timeout(STEP_TIMEOUT_MS)
    .emitWithAck("sendMessage", { room: ROOM, text: textA, client_id: clientIdA });
  observed.resend_ack = again;
  if (checkAckOk(again, "resend")) {
    check(sameMessage(again.message, ackA.message), "resend did not return the first message");
  }

  step = "bad payload";
  const bad = await a.socket
    .timeout(STEP_TIMEOUT_MS)
    .emitWithAck("sendMessage", { room: ROOM, text: "   " });
  observed.bad_payload_ack = bad;
  check(
    isPlainObject(bad) &&
      bad.ok === false &&
      isPlainObject(bad.error) &&
      bad.error.code === "bad_request" &&
      typeof bad.error.message === "string",
    `blank text ack is not {ok: false, error: {code: "bad_request", message}}: ${JSON.stringify(bad)}`,
  );
  check(a.socket.connected, "A was disconnected by a bad payload");

  step = "settle";
  // Give a duplicate broadcast (from the resend) a moment to show up if there were one.
  await new Promise((resolve) => setTimeout(resolve, 300));
  observed.received = {
    a: a.seen.receiveMessage.filter((m) => m?.room === ROOM),
    b: b.seen.receiveMessage.filter((m) => m?.room === ROOM),
  };
  for (const who of ["a", "b"]) {
    const seqs = observed.received[who].map((m) => m?.seq);
    check(
      JSON.stringify(seqs) === JSON.stringify([ackA.message.seq, ackB.message.seq]),
      `${who.toUpperCase()} received seqs ${JSON.stringify(seqs)}, expected exactly the two messages`,
    );
  }
  step = "done";
  clearTimeout(watchdog);
  finish(observed.errors.length === 0 ? 0 : 1);
} catch (err) {
  // Our own failures (timeouts, refused acks) are plain Errors: their message says it all.
  observed.errors.push(`${step}: ${err?.name === "Error" ? err.message : (err?.stack ?? err)}`);
  clearTimeout(watchdog);
  finish(2);
}
