"""Misspelled English words corrected to the corpus's own words before a question is understood.

Users type fast: "acadmia", "recomendations", "rapporter group". The keyword index, the
glossary and the actor names match words exactly, and the embedding of a misspelled word
drifts, so a one-letter slip can lose the clause. A word is corrected only when

- it is long enough to carry a slip (5+ letters), and is not a word at all: not in the corpus's
  vocabulary, not a stopword, and not an English word CC-CEDICT glosses (so "laptop" stays "laptop");
- exactly one corpus word is nearest to it, within one edit (two for words of 8+ letters),
  counting a swap of neighbouring letters as one edit.

The vocabulary comes from the texts themselves (each clause's English version), the glossary's
English terms and the actor names: nothing is listed here by hand.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable

_WORD = re.compile(r"[A-Za-z]+")
MIN_LENGTH = 5  # shorter words are too often other real words one edit away ("rule" / "role")
LONG_WORD = 8  # from this length on, two edits still name one word


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap neighbours); limit + 1 once above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class Speller:
    """Corrects a question's misspelled English words to the nearest corpus word.

    >>> Speller(["academia", "recommendations"]).correct("any mention of acadmia?")
    'any mention of academia?'
    """

    def __init__(self, vocabulary: Iterable[str], *, is_word: Callable[[str], bool] = lambda word: False):
        self.words = frozenset(w.casefold() for text in vocabulary for w in _WORD.findall(text))
        self._is_word = is_word
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(self.words):
            if len(word) >= MIN_LENGTH - 1:
                self._by_length[len(word)].append(word)

    def suggestion(self, word: str) -> str | None:
        """The one corpus word nearest to a misspelled `word`, or None (a word, too short, or no single nearest)."""
        low = word.casefold()
        if len(low) < MIN_LENGTH or low in self.words or word.isupper() or self._is_word(low):
            return None
        limit = 2 if len(low) >= LONG_WORD else 1
        best, nearest = limit + 1, []
        for length in range(len(low) - limit, len(low) + limit + 1):
            for candidate in self._by_length.get(length, ()):
                distance = edit_distance(low, candidate, best)
                if distance < best:
                    best, nearest = distance, [candidate]
                elif distance == best:
                    nearest.append(candidate)
        return nearest[0] if best <= limit and len(nearest) == 1 else None

    def correct(self, text: str) -> str:
        """`text` with each misspelled word replaced by its suggestion; everything else as written."""
        return _WORD.sub(lambda m: self.suggestion(m.group(0)) or m.group(0), text)
