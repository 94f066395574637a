"""Exactly once, in order: what one room's stream has handed on to the bot. Pure: the
client feeds it live events and ``sync`` answers; it says what is new (by ``seq``, in
order, each once), what changed (by ``rev``, each state once), and whether something is
missing (then the client asks ``sync`` by rev)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hubbub.client.models import Message

REMEMBERED = 10_000  # per room: the revs of this many recent messages


@dataclass(slots=True)
class RoomStream:
    seq: int = 0  # every message up to here was handed on as new
    rev: int = 0  # every change up to here was seen
    held: dict[int, Message] = field(default_factory=dict)  # new ones past a seq gap
    later_revs: set[int] = field(default_factory=set)  # seen revs past a rev gap
    revs: dict[int, int] = field(default_factory=dict)  # seq -> the rev handed on

    def start_at(self, seq: int, rev: int) -> None:
        """Begin from the room as it is now (what came before is not new)."""
        self.seq, self.rev = seq, rev

    @property
    def missing(self) -> bool:
        return bool(self.held or self.later_revs)

    def take(self, message: Message) -> tuple[list[Message], list[Message]]:
        """``(new, changed)`` to hand on."""
        unseen = message.rev > self.rev  # at or below the mark: seen, or superseded
        self._saw_rev(message.rev)
        if message.seq > self.seq:
            self.held[message.seq] = message
            new = []
            while self.seq + 1 in self.held:
                self.seq += 1
                ready = self.held.pop(self.seq)
                self._remember(ready)
                new.append(ready)
            return new, []
        if unseen and message.rev > self.revs.get(message.seq, 0):
            self._remember(message)
            return [], [message]
        return [], []

    def synced(self, rev: int) -> None:
        """A ``sync`` by rev answered every change up to ``rev``."""
        self._saw_rev(rev, contiguous=True)

    def _saw_rev(self, rev: int, *, contiguous: bool = False) -> None:
        if contiguous:
            self.rev = max(self.rev, rev)
        elif rev > self.rev:
            self.later_revs.add(rev)
        while self.rev + 1 in self.later_revs:
            self.rev += 1
        self.later_revs = {r for r in self.later_revs if r > self.rev}

    def _remember(self, message: Message) -> None:
        self.revs[message.seq] = message.rev
        if len(self.revs) > REMEMBERED:
            for seq in sorted(self.revs)[: len(self.revs) - REMEMBERED]:
                del self.revs[seq]
