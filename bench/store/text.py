"""Chat-like text for the benchmarks: a pseudo-word vocabulary drawn with a Zipf law.

A few words are in a large share of messages (rank 0 in about half of them), most are
rare (a word of rank 20,000 of 50,000 turns up a few dozen times in a million messages),
as in real chat. Deterministic for a seed; pure Python, no Hubbub import (the send-only
benchmark also runs against older Hubbub trees).
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence

_ONSETS = ["", "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ou"]
_CODAS = ["", "", "n", "r", "s", "l", "x"]
# chat lines: mostly short, a few long (1..30 words, mean ~9)
_LENGTHS = list(range(1, 31))
_LENGTH_WEIGHTS = [max(1.0, 14 - abs(n - 7) * 1.5) if n <= 14 else 30 / n for n in _LENGTHS]


def vocabulary(size: int, seed: int = 7) -> list[str]:
    """``size`` distinct lower-case pseudo-words (letters only); index = frequency rank."""
    rng = random.Random(seed)
    syllables = [o + v + c for o, v, c in itertools.product(_ONSETS, _VOWELS, _CODAS)]
    syllables = sorted(set(syllables))
    words: dict[str, None] = {}
    while len(words) < size:
        n = rng.choice((1, 2, 2, 2, 3, 3, 3, 4))
        word = "".join(rng.choice(syllables) for _ in range(n))
        if len(word) >= 2:
            words[word] = None
    out = list(words)
    # short words first: frequent words are short in real languages
    out.sort(key=lambda w: len(w) + rng.random() * 6)
    return out


class TextGen:
    """Messages of Zipf-distributed words (exponent ``s``) over ``vocab`` (rank order)."""

    def __init__(self, vocab: Sequence[str], *, s: float = 1.0, seed: int = 11) -> None:
        self.vocab = list(vocab)
        self.rng = random.Random(seed)
        weights = [1.0 / (rank + 1) ** s for rank in range(len(self.vocab))]
        self.cum = list(itertools.accumulate(weights))
        self.counts: Counter[str] = Counter()  # term counts of everything generated

    def texts(self, n: int, *, count: bool = False) -> list[str]:
        rng = self.rng
        lengths = rng.choices(_LENGTHS, weights=_LENGTH_WEIGHTS, k=n)
        tokens = rng.choices(self.vocab, cum_weights=self.cum, k=sum(lengths))
        if count:
            self.counts.update(tokens)
        ends = rng.choices(("", ".", "?", "!", " :)", "..."), weights=(5, 3, 1, 1, 0.3, 0.3), k=n)
        out: list[str] = []
        pos = 0
        for length, end in zip(lengths, ends, strict=True):
            words = tokens[pos : pos + length]
            pos += length
            line = " ".join(words)
            if length > 6 and rng.random() < 0.3:  # a comma somewhere
                cut = line.find(" ", len(line) // 2)
                if cut > 0:
                    line = line[:cut] + "," + line[cut:]
            out.append(line[:1].upper() + line[1:] + end)
        return out

    def band(self, lo: int, hi: int) -> list[str]:
        """The words of frequency ranks ``lo`` .. ``hi - 1``."""
        return self.vocab[lo:hi]
