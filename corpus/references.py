"""Cross-references to other resolutions: "全权代表大会第71号决议（2022年，布加勒斯特，修订版）",
"Resolution 71 (Rev. Bucharest, 2022) of the Plenipotentiary Conference".

>>> find_references("全权代表大会第71号决议（2022年，布加勒斯特，修订版）批准的", own="WTSA")[0]
Reference(number='71', body='PP', year='2022', place='布加勒斯特', revised=True, text='第71号决议（2022年，布加勒斯特，修订版）')
"""

from __future__ import annotations

import re

from corpus.assemblies import body_mentions
from corpus.clause import Reference
from corpus.places import parse_adoption

_REFERENCE = re.compile(
    r"第\s*([0-9]+)\s*号决议(?:\s*[（(]([^（()）]*)[）)])?"
    r"|\bResolution\s+([0-9]+)\b(?:\s*\(([^()]*)\))?"
)
# English names the body after the number: "… (Rev. Bucharest, 2022) of the Plenipotentiary Conference".
_OF_BODY = re.compile(r"\s*,?\s*of\s+(?:the\s+)?")
_SENTENCE_BREAK = re.compile(r"[；;。]|\.\s")


def find_references(text: str, *, own: str) -> tuple[Reference, ...]:
    """Every numbered resolution cited in `text`; `own` is the body that "本届全会"/"this assembly" means."""
    references: list[Reference] = []
    previous_end = 0
    for match in _REFERENCE.finditer(text):
        number = match.group(1) or match.group(3)
        inside = match.group(2) or match.group(4) or ""
        body, end = _body(text, match, previous_end, own=own, previous=references[-1] if references else None)
        adoption = parse_adoption(inside)
        references.append(
            Reference(
                number=number,
                body=body,
                year=adoption.year,
                place=adoption.place,
                revised=adoption.revised,
                text=match.group(0),
            )
        )
        previous_end = end
    return tuple(references)


def _body(text: str, match: re.Match, previous_end: int, *, own: str, previous: Reference | None) -> tuple[str, int]:
    """The body that adopted the cited resolution, and where the reference's wording ends.

    Looked for after the reference ("of the Plenipotentiary Conference"), then as the last body
    named since the previous reference ("本届全会关于…的第44号决议"), then inherited from a
    previous reference in the same sentence ("第71号决议和第72号决议").
    """
    after = _OF_BODY.match(text, match.end())
    if after:
        named = body_mentions(text[after.end() :], own=own)
        if named and named[0][0] == 0:
            return named[0][2], after.end() + named[0][1]
    window = text[previous_end : match.start()]
    named = body_mentions(window, own=own)
    if named:
        return named[-1][2], match.end()
    if previous is not None and not _SENTENCE_BREAK.search(window):
        return previous.body, match.end()
    return "", match.end()
