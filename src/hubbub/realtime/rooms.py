"""Names of the Socket.IO rooms Hubbub puts sockets in (one namespace, ``/``)."""


def chat_room(name: str) -> str:
    """Every socket of every member of a chat room."""
    return f"r:{name}"


def is_chat_room(room: object) -> bool:
    return isinstance(room, str) and room.startswith("r:")


def user_room(user_id: int) -> str:
    """Every socket of one user on this node."""
    return f"u:{user_id}"
