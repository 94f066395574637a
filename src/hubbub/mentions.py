"""Finding ``@username`` and ``@room`` in a message's text (PROTOCOL v2 mentions).

Pure text work; which of the named users are members (and so are mentioned) is the
store's answer (``Store.mention_targets``). A text with no ``@`` costs one ``in`` test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A username is 3-32 of [A-Za-z0-9_.-]; not preceded by a word character (so an e-mail
# address is not a mention); a trailing "." or "-" is punctuation, not part of the name.
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_.-]{3,32})")
EVERYONE = "room"


@dataclass(frozen=True, slots=True)
class Named:
    usernames: tuple[str, ...]  # lower-cased, each once, in order of appearance
    everyone: bool  # ``@room``


NOBODY = Named((), False)


def named_in(text: str) -> Named:
    if "@" not in text:
        return NOBODY
    names: dict[str, None] = {}
    for match in _MENTION.finditer(text):
        name = match.group(1).rstrip(".-").lower()
        if len(name) >= 3:
            names[name] = None
    return Named(tuple(names), EVERYONE in names)
