"""One source line at a time: remove conversion artefacts, pull out footnotes, split off item labels.

Text exported from .docx carries artefacts: `[bookmark: irecnoe]`, an inline footnote mark
`[footnoteRef:1]1` and the footnote body `[1: 1<TAB>…]` at the end of the host paragraph.

>>> clean_line(" b)\\t发展中国家[footnoteRef:1]1与… [1: 1\\t这些国家…] ").text
'b)\\t发展中国家¹与…'
>>> split_label("b)\\t发展中国家¹与…")
('b', '发展中国家¹与…')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_FOOTNOTE_BODY = re.compile(r"\[([0-9]{1,3}):\s([^\]]*)\]")
# The digits after the mark are the rendered number ("[footnoteRef:1]1"): dropped, the mark stands for them.
_FOOTNOTE_MARK = re.compile(r"\[footnoteRef:([0-9]{1,3})\]([0-9]*)")
# A plain-text footnote mark is already a superscript number: "developing countries¹ and".
_MARK_OR_SUPERSCRIPT = re.compile(_FOOTNOTE_MARK.pattern + "|([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_PLAIN = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
# Control characters other than TAB (the label separator) would only confuse matching.
_CONTROL = {code: " " for code in (*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F, 0x85, 0x2028, 0x2029)}
_LABEL = re.compile(
    r"^(?:(?P<letter>[a-z])[)）][\t ]+"  # a)<TAB> or "a) " in English
    r"|(?P<number>[0-9]{1,3}(?:bis|ter)?)(?:\t|[)）.][\t ]|  )[\t ]*)"  # 1<TAB>, "1) ", "1  "
)


@dataclass(frozen=True)
class Footnote:
    """A footnote body found in a line: "[1: 1<TAB>text]"."""

    number: str
    text: str


@dataclass(frozen=True)
class CleanLine:
    """A source line without artefacts, with the footnotes it marks and the ones it defines."""

    text: str
    marks: tuple[str, ...] = ()  # footnote numbers referenced by a superscript mark in `text`
    footnotes: tuple[Footnote, ...] = ()  # footnote bodies removed from the line
    # Of `marks`, those that were bare superscript digits: a footnote mark in plain text, or the
    # "²" of "km²"; they link only to a footnote that exists, and are not reported otherwise.
    bare: tuple[str, ...] = ()


def split_lines(text: str) -> list[str]:
    """Lines of a text, whatever its newline convention, without a byte order mark (line N is item N-1)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def clean_line(raw: str) -> CleanLine:
    """The line's text without bookmarks or footnote bodies, marks turned into superscripts."""
    text = _BOOKMARK.sub("", raw)
    footnotes = tuple(_footnote(m) for m in _FOOTNOTE_BODY.finditer(text))
    text = _FOOTNOTE_BODY.sub("", text)
    found = [(m.group(1) or m.group(3).translate(_PLAIN), not m.group(1)) for m in _MARK_OR_SUPERSCRIPT.finditer(text)]
    text = _FOOTNOTE_MARK.sub(_superscript_mark, text)
    text = text.translate(_CONTROL).strip()
    return CleanLine(
        text=text,
        marks=tuple(mark for mark, _ in found),
        footnotes=tuple(f for f in footnotes if f.text),
        bare=tuple(mark for mark, bare in found if bare),
    )


def _footnote(match: re.Match) -> Footnote:
    """A footnote body without the repeated number that starts it ("1<TAB>")."""
    number, body = match.group(1), match.group(2).translate(_CONTROL).strip()
    if body.startswith(number) and body[len(number) : len(number) + 1].isspace():
        body = body[len(number) :].strip()
    return Footnote(number=number, text=body)


def footnote_mark(number: str) -> str:
    """How a clause's text marks footnote `number`: "1" -> "¹"."""
    return number.translate(_SUPERSCRIPT)


def _superscript_mark(match: re.Match) -> str:
    """"[footnoteRef:1]1" -> "¹", keeping any digits that follow the rendered number."""
    number, after = match.group(1), match.group(2)
    return footnote_mark(number) + after.removeprefix(number)


def split_label(text: str) -> tuple[str, str]:
    """("b", rest) for "b)<TAB>rest", ("1", rest) for "1<TAB>rest", ("", text) when unlabelled."""
    match = _LABEL.match(text)
    if not match:
        return "", text
    return match.group("letter") or match.group("number"), text[match.end() :].strip()
