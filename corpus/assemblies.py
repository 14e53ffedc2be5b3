"""The ITU bodies that adopt resolutions (WTSA, WTDC, PP, RA, WRC) and how texts name them."""

from __future__ import annotations

import re

# Abbreviation -> full names in English and Chinese.
ASSEMBLY_NAMES = {
    "WTSA": ("World Telecommunication Standardization Assembly", "世界电信标准化全会"),
    "WTDC": ("World Telecommunication Development Conference", "世界电信发展大会"),
    "PP": ("Plenipotentiary Conference", "国际电信联盟全权代表大会", "全权代表大会"),
    "RA": ("Radiocommunication Assembly", "无线电通信全会"),
    "WRC": ("World Radiocommunication Conference", "世界无线电通信大会"),
}
# Words that mean "the assembly adopting this very resolution".
_SELF = (
    # "this assembly", "this same Assembly", "the present conference", …
    *(f"{det} {qualifier}{noun}" for det in ("this", "the")
      for qualifier in ("", "same ", "very ", "present ", "current ") if det == "this" or qualifier
      for noun in ("Assembly", "assembly", "Conference", "conference")),
    "本届全会",
    "本次全会",
    "本届大会",
    "本次大会",
)

# Shorter names a question uses: "which Plenipotentiary resolution…".
_SHORT_NAMES = {"PP": ("Plenipotentiary", "plenipotentiary", "Plenipot", "plenipot", "全权大会"),
                "WTSA": ("Standardization Assembly", "standardization assembly", "标准化全会"),
                "WTDC": ("Development Conference", "development conference", "发展大会")}

# Longest first, so that "国际电信联盟全权代表大会" wins over "全权代表大会".
_MENTIONS = sorted(
    [(name, body) for body, names in ASSEMBLY_NAMES.items() for name in (*names, body, *_SHORT_NAMES.get(body, ()))]
    + [(name, "") for name in _SELF],
    key=lambda pair: len(pair[0]),
    reverse=True,
)
# Case-sensitive for two letters ("PP" is the Plenipotentiary, "pp." is pages); "wtdc", "Wtsa" as typed.
_MENTION_RE = re.compile("|".join(
    rf"(?<![A-Za-z]){'(?i:' + re.escape(name) + ')' if name.isascii() and name.isupper() and len(name) > 2 else re.escape(name)}(?![A-Za-z])"
    for name, _ in _MENTIONS
))
_BODY_OF = {name.casefold(): body for name, body in _MENTIONS}
_ASSEMBLY_LINE = re.compile(
    r"^(?:the\s+)?(" + "|".join(re.escape(n) for b in ASSEMBLY_NAMES.values() for n in b) + ")",
    re.IGNORECASE,
)


def assembly_line_body(line: str) -> str:
    """The body a line like "世界电信标准化全会（2024年，新德里），" opens with, or ""."""
    match = _ASSEMBLY_LINE.match(line)
    return _BODY_OF[match.group(1).casefold()] if match else ""


def body_mentions(text: str, *, own: str) -> list[tuple[int, int, str]]:
    """(start, end, body) of each body named in `text`; "this assembly"/"本届全会" count as `own`."""
    return [(m.start(), m.end(), _BODY_OF[m.group(0).casefold()] or own) for m in _MENTION_RE.finditer(text)]
