"""The SDK's exactly-once bookkeeping, without a server: out-of-order and repeated
events, gaps, and changes after the fact."""

from __future__ import annotations

from hubbub.client.models import Message, User
from hubbub.client.stream import RoomStream

ANN = User(1, "ann")


def m(seq: int, rev: int, text: str = "") -> Message:
    return Message(
        id=seq, room="r", seq=seq, rev=rev, user=ANN, text=text or f"m{seq}", created_at=""
    )


def test_new_messages_come_out_once_in_seq_order() -> None:
    s = RoomStream()
    s.start_at(2, 2)
    assert s.take(m(4, 4)) == ([], [])  # 3 is missing: held
    assert s.missing
    new, _ = s.take(m(3, 3))
    assert [x.seq for x in new] == [3, 4] and not s.missing
    assert s.take(m(4, 4)) == ([], [])  # a repeat: nothing
    assert s.take(m(2, 2)) == ([], [])  # from before the start, unchanged: nothing
    assert (s.seq, s.rev) == (4, 4)


def test_changes_come_out_once_per_state_and_rev_gaps_are_noticed() -> None:
    s = RoomStream()
    s.start_at(3, 3)
    _, changed = s.take(m(2, 4, "edited"))
    assert [x.text for x in changed] == ["edited"]
    assert s.take(m(2, 4, "edited")) == ([], [])
    _, changed = s.take(m(1, 6, "deleted"))  # rev 5 was missed
    assert [x.rev for x in changed] == [6] and s.missing and s.rev == 4
    # sync by rev answers everything up to 6: rev 5's message comes back in its latest state
    _, changed = s.take(m(3, 5, "reacted"))
    s.synced(6)
    assert [x.text for x in changed] == ["reacted"] and not s.missing and s.rev == 6
    # an older state never follows a newer one
    assert s.take(m(1, 5, "stale")) == ([], [])
