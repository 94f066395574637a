"""What a reaction may be (PROTOCOL v2): exactly one emoji of at most 32 bytes in UTF-8,
or a shortcode ``:[a-z0-9_+-]{1,32}:``. Which strings are one emoji is the ``emoji``
package's answer (it follows Unicode's emoji data, skin tones and ZWJ sequences included),
not a hand-kept list.

One emoji is spelled several ways (with or without variation selectors U+FE0F: "❤" and
"❤️", "👍" and "👍\\ufe0f"); keyboards and emoji sets differ. Each is stored in Unicode's
*fully-qualified* form, so the same emoji from two clients is one reaction, not two.
"""

from __future__ import annotations

import re

import emoji

_SHORTCODE = re.compile(r":[a-z0-9_+-]{1,32}:")
_SELECTOR = "\ufe0f"
MAX_EMOJI_BYTES = 32
_FULLY_QUALIFIED = emoji.STATUS["fully_qualified"]
# Every emoji's spelling without selectors -> its fully-qualified spelling.
_CANONICAL = {
    text.replace(_SELECTOR, ""): text
    for text, data in emoji.EMOJI_DATA.items()
    if data.get("status") == _FULLY_QUALIFIED
}


def canonical_reaction(value: str) -> str | None:
    """The reaction as stored, or ``None`` if it is not one."""
    if _SHORTCODE.fullmatch(value):
        return value
    found = _CANONICAL.get(value.replace(_SELECTOR, ""))
    if found is None or len(found.encode()) > MAX_EMOJI_BYTES:
        return None
    return found
