"""The words of a text, as search sees them (PROTOCOL v2: a message matches a query when
it holds every word of the query as a whole word, case-insensitively).

A word is a run of letters and digits; anything else separates words. SQLite's FTS5
``unicode61`` tokenizer cuts text the same way; for PostgreSQL the server cuts it here, in
Python, and stores the lexemes as they are (``array_to_tsvector``), so the answer does not
depend on the database's locale or text-search parser (which keeps ``example.com`` whole).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+")
MAX_WORD = 64  # longer runs (hashes, base64) are not indexed, nor searched for
MAX_QUERY_WORDS = 16


def words(text: str) -> list[str]:
    """Each word once, lower-cased, in order of first appearance."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if len(word) <= MAX_WORD:
            seen[word] = None
    return list(seen)


def lexemes(text: str) -> str:
    """The words joined by spaces: how a message's words travel to PostgreSQL."""
    return " ".join(words(text))


def fts5_query(query_words: list[str]) -> str:
    """An FTS5 MATCH expression requiring every word: each a quoted string (words hold
    only letters and digits, so nothing in them is FTS5 syntax)."""
    return " AND ".join(f'"{w}"' for w in query_words)


def tsquery(query_words: list[str]) -> str:
    """A ``tsquery`` requiring every word, each a quoted lexeme taken as it is."""
    return " & ".join(f"'{w}'" for w in query_words)
