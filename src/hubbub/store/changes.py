"""What a change does to a message, decided once for both stores.

Pure: given the message as it is inside the writer's transaction, a change gives its next
state, ``None`` when it would change nothing (no rev is consumed, no event sent), or a
``Refused`` when the message's state does not allow it. The backends read the row, call
``apply``, and write what comes back with the rev they reserved.
"""

from __future__ import annotations

from dataclasses import replace

from hubbub.store.base import (
    MAX_REACTIONS,
    MessageChange,
    MessageRecord,
    Reaction,
    Refused,
    iso,
)


def apply(change: MessageChange, current: MessageRecord) -> MessageRecord | Refused | None:
    if change.kind == "delete":
        if current.deleted:
            return None
        return replace(current, text="", deleted=True, reactions=(), mentions=(), attachments=())
    if current.deleted:
        return Refused("bad_request", f"message {current.seq} was deleted")
    if change.kind == "edit":
        if change.text == current.text:
            return None
        return replace(
            current, text=change.text, mentions=change.mentions, edited_at=iso(change.at)
        )
    if change.kind == "react":
        return _react(current, change.emoji, change.actor_id)
    return _unreact(current, change.emoji, change.actor_id)


def _react(current: MessageRecord, emoji: str, user_id: int) -> MessageRecord | Refused | None:
    reactions = list(current.reactions)
    for i, reaction in enumerate(reactions):
        if reaction.emoji == emoji:
            if user_id in reaction.user_ids:
                return None
            reactions[i] = Reaction(emoji, (*reaction.user_ids, user_id))
            return replace(current, reactions=tuple(reactions))
    if len(reactions) >= MAX_REACTIONS:
        return Refused(
            "bad_request", f"a message holds at most {MAX_REACTIONS} different reactions"
        )
    reactions.append(Reaction(emoji, (user_id,)))
    return replace(current, reactions=tuple(reactions))


def _unreact(current: MessageRecord, emoji: str, user_id: int) -> MessageRecord | None:
    reactions: list[Reaction] = []
    found = False
    for reaction in current.reactions:
        if reaction.emoji == emoji and user_id in reaction.user_ids:
            found = True
            remaining = tuple(u for u in reaction.user_ids if u != user_id)
            if remaining:
                reactions.append(Reaction(emoji, remaining))
        else:
            reactions.append(reaction)
    return replace(current, reactions=tuple(reactions)) if found else None
