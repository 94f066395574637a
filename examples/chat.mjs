// A minimal Hubbub client with the official JavaScript client (npm install socket.io-client).
//   node examples/chat.mjs bob 'bob password' lobby "hello from node" [http://127.0.0.1:8000]
import { io } from "socket.io-client";

const [username, password, room, text, url = "http://127.0.0.1:8000"] = process.argv.slice(2);
const post = (path, body, token) =>
  fetch(url + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });

let r = await post("/api/auth/register", { username, password });
if (r.status === 409) r = await post("/api/auth/login", { username, password });
const { access_token } = await r.json();

const socket = io(url, { auth: { token: access_token } });
socket.on("receiveMessage", (m) => console.log(`[${m.room} #${m.seq}] ${m.user.username}: ${m.text}`));
const joined = await socket.emitWithAck("joinRoom", { room });
if (!joined.ok) throw new Error(joined.error.message);
const ack = await socket.emitWithAck("sendMessage", { room, text, client_id: crypto.randomUUID() });
console.log("stored as seq", ack.message.seq);
setTimeout(() => socket.close(), 500);
