"""Abbreviations against words: whether "LDCs" is spelled by "least developed countries".

An abbreviation is rarely written out in a resolution; its words are. The corpus's search asks whether
any run of its English words spells a question's abbreviation, and role questions whether one kind in a
footnote's list does ("an LDC" is one of footnote 1's least developed countries).
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from assistant import dictionary

# Words an abbreviation leaves out: "Organization for Economic Co-operation" is OEC, "Bureau of Standards" BS.
_UNSPELLED = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to", "with"})


def letters_of(acronym: str) -> str:
    """The letters an abbreviation spells, lower case, without a plural s or hyphens.

    >>> [letters_of(a) for a in ("LDCs", "SIDS", "RG-DT")]
    ['ldc', 'sids', 'rgdt']
    """
    return re.sub(r"[^A-Z]", "", acronym.removesuffix("s")).casefold()


def phrases(texts: Iterable[str]) -> list[list[str]]:
    """The texts' words, lower case, one list per stretch between punctuation, without the words
    abbreviations leave out."""
    return [
        words
        for text in texts
        for stretch in re.split(r"[;:,.()]", text)
        if (words := [w for w in re.findall(r"[a-z]+", stretch.casefold()) if w not in _UNSPELLED])
    ]


def spells(letters: str, words: Sequence[str]) -> bool:
    """Whether the words, from the first, spell the letters: each word its initial, a compound of two
    English words both initials ("landlocked" gives the LL of LLDC).

    >>> spells("lldc", ["landlocked", "developing", "countries"])
    True
    """
    if not letters:
        return True
    if not words or words[0][0] != letters[0]:
        return False
    if spells(letters[1:], words[1:]):
        return True
    return len(letters) > 1 and _compound_initial(words[0], letters[1]) and spells(letters[2:], words[1:])


def spelled_within(acronym: str, text: str) -> bool:
    """Whether some run of the text's words spells the abbreviation ("the least developed countries": LDC)."""
    letters = letters_of(acronym)
    return bool(letters) and any(spells(letters, words[i:]) for words in phrases([text]) for i in range(len(words)))


def _compound_initial(word: str, letter: str) -> bool:
    """Whether the word is two English words of three letters or more, the second starting with `letter`."""
    return any(
        word[i] == letter and dictionary.is_english_word(word[:i]) and dictionary.is_english_word(word[i:])
        for i in range(3, len(word) - 2)
    )
