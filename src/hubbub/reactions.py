"""What a reaction may be (PROTOCOL v2): exactly one emoji of at most 32 bytes in UTF-8,
or a shortcode ``:[a-z0-9_+-]{1,32}:``. Which strings are one emoji is the ``emoji``
package's answer (it follows Unicode's emoji data, skin tones and ZWJ sequences included),
not a hand-kept list."""

from __future__ import annotations

import re

import emoji

_SHORTCODE = re.compile(r":[a-z0-9_+-]{1,32}:")
MAX_EMOJI_BYTES = 32


def is_reaction(value: str) -> bool:
    if _SHORTCODE.fullmatch(value):
        return True
    return len(value.encode()) <= MAX_EMOJI_BYTES and bool(emoji.is_emoji(value))
