"""A bot in ten lines: it answers every message in its rooms, and never misses or doubles
one (it catches up by ``rev`` after any reconnect, a server restart included).

    HUBBUB_URL=http://127.0.0.1:8000 HUBBUB_TOKEN=hbt_… .venv/bin/python examples/echo_bot.py

Make the bot and its token with ``POST /api/bots {"username": "echo"}`` (as yourself),
then have it join a room: ``POST /api/rooms/{name}/join`` with the token.
"""

import asyncio
import os

from hubbub.client import Client, Message

bot = Client(
    os.environ.get("HUBBUB_URL", "http://127.0.0.1:8000"), token=os.environ["HUBBUB_TOKEN"]
)


@bot.on_message
async def echo(message: Message) -> None:
    await bot.send(message.room, f"echo: {message.text}", reply_to=message.seq)


if __name__ == "__main__":
    asyncio.run(bot.run())
