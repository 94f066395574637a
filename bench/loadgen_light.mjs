// A lighter load generator: ../shared/bench/loadgen.mjs's scenarios, environment and JSON line,
// but each client speaks Engine.IO v4 / Socket.IO v5 frames over a bare `ws` WebSocket instead
// of running the official socket.io-client. At B and C400 the official client saturates the
// generator's core before either server saturates its own (bench/RESULTS.md); this one decodes
// only what it measures: a delivery is a frame starting `42["receiveMessage"`, its send time is
// read from the frame's bytes (Hubbub: the text's leading timestamp; the reference: `sentAt`),
// an ack is `43<id>` with `"ok":true`, a ping `2` is answered `3`. Nothing else is parsed.
//
// Run it from the shared bench's folder (/tmp/hubbub-refbench, made by ../shared/bench/run.sh),
// whose node_modules holds `ws` (socket.io's own WebSocket library): bench/saturation.sh does.
// Env: URL C S RATE DURATION SERVER_PID MODE ROOMS CONCURRENCY TARGET USERS PASSWORD LABEL, as
// loadgen.mjs (MODE idle is not supported: scenario D measures memory, not the generator).
import WebSocket from "ws";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const env = process.env;
const URL_ = env.URL || "http://127.0.0.1:3000";
const C = Number(env.C || 100);
const S = Math.min(Number(env.S || 10), C);
const RATE = Number(env.RATE || 200);
const DURATION = Number(env.DURATION || 10);
const SERVER_PID = env.SERVER_PID ? Number(env.SERVER_PID) : null;
const MODE = env.MODE || "broadcast";
const ROOMS = Number(env.ROOMS || 10);
const CONCURRENCY = Number(env.CONCURRENCY || 100);
const LABEL = env.LABEL || "";
const TARGET = env.TARGET || "reference";
const USERS = Math.max(1, Math.min(Number(env.USERS || 50), C));
const PASSWORD = env.PASSWORD || "bench password 1";
const TAG = Math.random().toString(36).slice(2, 7);
const DRAIN_IDLE_MS = 3000;
const DRAIN_MAX_MS = 20000;
const CLK_TCK = 100;

if (MODE === "idle") {
  console.error("loadgen_light: MODE=idle is not supported (use ../shared/bench/loadgen.mjs)");
  process.exit(2);
}
{
  const host = new URL(URL_).hostname;
  if (!(host === "127.0.0.1" || host === "localhost" || host.startsWith("127."))) {
    console.error(`refusing non-loopback target ${host}`);
    process.exit(2);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function procStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    return s.slice(s.lastIndexOf(")") + 2).split(" ");
  } catch { return null; }
}
const cpuTicks = (pid) => { const f = pid && procStat(pid); return f ? Number(f[11]) + Number(f[12]) : null; };
function rssKiB(pid) {
  if (!pid) return null;
  try { const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)\s+kB/); return m ? Number(m[1]) : null; } catch { return null; }
}
function pct(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return +sorted[i].toFixed(3);
}

const roomOf = (i) => (TARGET === "hubbub" ? `bench-${TAG}-${(i % USERS) % (MODE === "room" ? ROOMS : 1)}` : `r${i % ROOMS}`);
const roomSize = new Map();
if (MODE === "room" || TARGET === "hubbub") for (let i = 0; i < C; i++) roomSize.set(roomOf(i), (roomSize.get(roomOf(i)) || 0) + 1);

let delivered = 0, measuring = false, lastRecvT = null;
let lat = new Float64Array(1 << 16), latN = 0;
function pushLat(v) {
  if (latN === lat.length) { const n = new Float64Array(lat.length * 2); n.set(lat); lat = n; }
  lat[latN++] = v;
}

// ---------- frames ----------
const RECEIVE = Buffer.from('42["receiveMessage"');
const TIME_FIELD = TARGET === "hubbub" ? '"text":"' : '"sentAt":';
const OK = Buffer.from('"ok":true');
const ackLat = [];
let ackErrors = 0;

function onFrame(client, data) {
  const now = performance.now();
  if (data.length >= RECEIVE.length && data[0] === 0x34 && data[1] === 0x32 && data.compare(RECEIVE, 0, RECEIVE.length, 0, RECEIVE.length) === 0) {
    if (!measuring) return;
    delivered++;
    lastRecvT = now;
    const at = data.indexOf(TIME_FIELD, RECEIVE.length);
    if (at > 0) {
      const start = at + TIME_FIELD.length;
      const t = parseFloat(data.toString("latin1", start, start + 24));
      if (t > 0) pushLat(now - t);
    }
    return;
  }
  const kind = data[0];
  if (kind === 0x32 && data.length === 1) { client.ws.send("3"); return; } // ping
  if (kind === 0x34 && data[1] === 0x33) { // ack: 43<id>[...]
    let i = 2, id = 0;
    while (i < data.length && data[i] >= 0x30 && data[i] <= 0x39) id = id * 10 + (data[i++] - 0x30);
    const sentAt = client.pending.get(id);
    if (sentAt === undefined) return;
    client.pending.delete(id);
    if (data.indexOf(OK, i) > 0) ackLat.push(now - sentAt); else ackErrors++;
    return;
  }
  if (kind === 0x34 && data[1] === 0x30) { client.connected(true); return; } // namespace connected
  if (kind === 0x34 && data[1] === 0x34) { client.connected(false, data.toString()); return; } // refused
  if (kind === 0x30) { client.ws.send(client.auth ? `40${JSON.stringify(client.auth)}` : "40"); } // open
}

// ---------- hubbub accounts and rooms (as loadgen.mjs) ----------
const tokens = [];
function fakeAddr(name) { let h = 0; for (const c of String(name)) h = (h * 31 + c.charCodeAt(0)) >>> 0; return `127.${(h >> 16) & 255}.${(h >> 8) & 255}.${(h & 255) || 1}`; }
async function rest(method, path, body, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body && body.username) headers["x-forwarded-for"] = fakeAddr(body.username);
  for (let attempt = 0; ; attempt++) {
    const r = await fetch(URL_ + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const t = await r.text();
    const json = t ? JSON.parse(t) : null;
    if (r.status === 429 && attempt < 20) {
      const after = Number(r.headers.get("retry-after") || (json && json.error && json.error.retry_after) || 1);
      await sleep(Math.min(Math.max(after, 0.1), 15) * 1000);
      continue;
    }
    return { status: r.status, json };
  }
}
if (TARGET === "hubbub") {
  const made = new Set();
  for (let u = 0; u < USERS; u++) {
    const username = `bench_${TAG}_${u}`;
    const r = await rest("POST", "/api/auth/register", { username, password: PASSWORD });
    if (r.status !== 201) { console.error(`register ${username}: ${r.status} ${JSON.stringify(r.json)}`); process.exit(1); }
    tokens[u] = r.json.access_token;
    const room = roomOf(u);
    if (!made.has(room)) {
      const c = await rest("POST", "/api/rooms", { name: room, private: false }, tokens[u]);
      if (c.status !== 201) { console.error(`create room ${room}: ${c.status}`); process.exit(1); }
      made.add(room);
    } else {
      const j = await rest("POST", `/api/rooms/${room}/join`, undefined, tokens[u]);
      if (j.status !== 200) { console.error(`join ${room}: ${j.status}`); process.exit(1); }
    }
  }
}

// ---------- connect ----------
const clients = new Array(C);
let connected = 0, connectErrors = 0, disconnects = 0, lastConnectError = null;
const rss = { before_connect_kib: rssKiB(SERVER_PID) };
const wsBase = URL_.replace(/^http/, "ws") + "/socket.io/?EIO=4&transport=websocket";
function connectOne(i) {
  return new Promise((resolve) => {
    const query = TARGET !== "hubbub" && MODE === "room" ? `&room=${encodeURIComponent(roomOf(i))}` : "";
    const ws = new WebSocket(wsBase + query, { perMessageDeflate: false });
    const client = { ws, pending: new Map(), nextId: 0, auth: TARGET === "hubbub" ? { token: tokens[i % USERS] } : null, settled: false, up: false };
    const timer = setTimeout(() => { client.connected(false, "handshake timed out"); ws.terminate(); }, 60000);
    client.connected = (ok, why) => {
      if (client.settled) return;
      client.settled = true;
      client.up = ok;
      clearTimeout(timer);
      if (ok) connected++; else { connectErrors++; lastConnectError = why; }
      resolve(ok);
    };
    clients[i] = client;
    ws.on("message", (data) => onFrame(client, data));
    ws.on("close", () => { if (client.up) disconnects++; else client.connected(false, "closed"); });
    ws.on("error", (e) => client.connected(false, String(e && e.message)));
  });
}
const t0 = performance.now();
{
  let next = 0;
  const workers = [];
  for (let w = 0; w < Math.min(CONCURRENCY, C); w++) workers.push((async () => { while (next < C) await connectOne(next++); })());
  await Promise.all(workers);
}
const connectMs = performance.now() - t0;
await sleep(1000);
rss.after_connect_kib = rssKiB(SERVER_PID);

// ---------- send (the same schedule as loadgen.mjs) ----------
const text = "hello from the benchmark, this is a typical short chat line";
const perMsgExpected = (i) => (MODE === "room" || TARGET === "hubbub" ? roomSize.get(roomOf(i)) : C);
let sent = 0, expected = 0, lastSendT = null, maxLagMs = 0, rr = 0;
const srvCpu0 = cpuTicks(SERVER_PID);
const genCpu0 = process.cpuUsage();
const wall0 = performance.now();
measuring = true;
const total = Math.round(RATE * DURATION);
const start = performance.now();
await new Promise((resolve) => {
  const tick = () => {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - start) / 1000) * RATE) + 1);
    if (due - sent > 1) maxLagMs = Math.max(maxLagMs, ((due - sent - 1) / RATE) * 1000);
    while (sent < due) {
      const i = rr; rr = (rr + 1) % S;
      const client = clients[i];
      const t = performance.now();
      if (TARGET === "hubbub") {
        const id = client.nextId++;
        client.pending.set(id, t);
        client.ws.send(`42${id}["sendMessage",${JSON.stringify({ room: roomOf(i), text: `${t} ${text}`, client_id: `${TAG}-${sent}` })}]`);
      } else {
        client.ws.send(`42["sendMessage",${JSON.stringify({ text, sentAt: t, id: sent })}]`);
      }
      expected += perMsgExpected(i);
      sent++;
      lastSendT = t;
    }
    if (sent >= total) { clearInterval(h); resolve(); }
  };
  const h = setInterval(tick, 1);
});
const sendEnd = performance.now();
while (true) {
  await sleep(100);
  const now = performance.now();
  if (delivered >= expected) break;
  if (now - (lastRecvT ?? sendEnd) > DRAIN_IDLE_MS) break;
  if (now - sendEnd > DRAIN_MAX_MS) break;
}
measuring = false;
const wall1 = performance.now();
const srvCpu1 = cpuTicks(SERVER_PID);
const genCpu = process.cpuUsage(genCpu0);
rss.at_end_kib = rssKiB(SERVER_PID);
const sorted = lat.subarray(0, latN).sort();
const spanS = ((lastRecvT ?? sendEnd) - start) / 1000;
const wallS = (wall1 - wall0) / 1000;
const acks = Float64Array.from(ackLat).sort();
console.log(JSON.stringify({
  label: LABEL, target: TARGET, mode: MODE, url: URL_, generator: "light", clients: C, connected,
  connect_errors: connectErrors, last_connect_error: lastConnectError, connect_ms: +connectMs.toFixed(1),
  senders: S, rate_msgs_s: RATE, duration_s: DURATION, rooms: MODE === "room" ? ROOMS : undefined,
  sent, send_window_s: +((sendEnd - start) / 1000).toFixed(3), expected_deliveries: expected, delivered,
  delivered_ratio: +(delivered / Math.max(1, expected)).toFixed(5),
  offered_deliveries_s: Math.round(expected / DURATION), deliveries_s: Math.round(delivered / spanS),
  drain_ms: lastRecvT ? +(lastRecvT - lastSendT).toFixed(1) : null,
  lat_ms: { p50: pct(sorted, 50), p95: pct(sorted, 95), p99: pct(sorted, 99), max: latN ? +sorted[latN - 1].toFixed(3) : null, n: latN },
  server_rss: rss,
  server_cpu_pct: srvCpu0 != null && srvCpu1 != null ? +(((srvCpu1 - srvCpu0) / CLK_TCK / wallS) * 100).toFixed(1) : null,
  gen_cpu_pct: +(((genCpu.user + genCpu.system) / 1e6 / wallS) * 100).toFixed(1),
  gen_max_send_lag_ms: +maxLagMs.toFixed(1),
  ...(TARGET === "hubbub" ? { ack_errors: ackErrors, ack_missing: clients.reduce((n, c) => n + (c ? c.pending.size : 0), 0), ack_ms: { p50: pct(acks, 50), p99: pct(acks, 99), n: acks.length } } : {}),
  disconnects,
}));
for (const c of clients) if (c) c.ws.terminate();
setTimeout(() => process.exit(0), 200).unref();
