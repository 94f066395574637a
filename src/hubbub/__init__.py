"""Hubbub: a self-hostable real-time chat server (Socket.IO + REST)."""

__version__ = "0.1.0"
