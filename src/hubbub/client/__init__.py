"""Hubbub's Python client: for bots and scripts that must never miss or double a message.

    from hubbub.client import Client

    bot = Client("http://127.0.0.1:8000", token="hbt_…")

    @bot.on_message
    async def echo(message):
        await bot.send(message.room, f"echo: {message.text}")

    await bot.run()

Needs the ``client`` extra (``pip install 'hubbub[client]'``: httpx and python-socketio's
asyncio client). See ``docs/python-client.md``.
"""

from hubbub.client.client import Client
from hubbub.client.errors import HubbubClientError
from hubbub.client.models import Attachment, Message, Reaction, Room, User

__all__ = [
    "Attachment",
    "Client",
    "HubbubClientError",
    "Message",
    "Reaction",
    "Room",
    "User",
]
