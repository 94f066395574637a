"""A minimal Hubbub chat client: register (or log in), join a room, chat from the terminal.

.venv/bin/python examples/chat.py alice 'alice password' lobby [http://127.0.0.1:8000]
"""

import asyncio
import sys

import httpx
import socketio


async def main(username: str, password: str, room: str, url: str) -> None:
    async with httpx.AsyncClient(base_url=url) as http:
        creds = {"username": username, "password": password}
        r = await http.post("/api/auth/register", json=creds)
        if r.status_code == 409:  # already registered: log in instead
            r = await http.post("/api/auth/login", json=creds)
        r.raise_for_status()
        token = r.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        await http.post("/api/rooms", json={"name": room}, headers=headers)  # 409 if it exists

    sio = socketio.AsyncClient()

    @sio.on("receiveMessage")
    def show(message: dict) -> None:
        who = message["user"]["username"]
        print(f"[{message['room']} #{message['seq']}] {who}: {message['text']}")

    await sio.connect(url, auth={"token": token}, transports=["websocket"])
    joined = await sio.call("joinRoom", {"room": room})
    for message in joined["messages"]:  # the latest history
        show(message)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        ack = await sio.call("sendMessage", {"room": room, "text": line})
        if not ack["ok"]:
            print("error:", ack["error"]["message"])
    await sio.disconnect()


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(*args[:3], args[3] if len(args) > 3 else "http://127.0.0.1:8000"))
