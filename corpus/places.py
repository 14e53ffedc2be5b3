"""Where and when a resolution was adopted: place names in both languages and "(2024年，新德里)" parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Chinese -> English names of ITU conference venues, for labels in the other language.
PLACES_ZH_EN = {
    "新德里": "New Delhi",
    "日内瓦": "Geneva",
    "布加勒斯特": "Bucharest",
    "基加利": "Kigali",
    "哈马马特": "Hammamet",
    "迪拜": "Dubai",
    "釜山": "Busan",
    "约翰内斯堡": "Johannesburg",
    "弗洛里亚诺波利斯": "Florianópolis",
    "瓜达拉哈拉": "Guadalajara",
    "安塔利亚": "Antalya",
    "马拉喀什": "Marrakesh",
    "伊斯坦布尔": "Istanbul",
    "多哈": "Doha",
    "海得拉巴": "Hyderabad",
    "布宜诺斯艾利斯": "Buenos Aires",
    "沙姆沙伊赫": "Sharm el-Sheikh",
    "明尼阿波利斯": "Minneapolis",
    "赫尔辛基": "Helsinki",
    "蒙特利尔": "Montreal",
    "京都": "Kyoto",
}
_PLACES_EN_ZH = {en.casefold(): zh for zh, en in PLACES_ZH_EN.items()}

_YEAR = re.compile(r"(?<![0-9])([0-9]{4})(?![0-9])")
_REVISED = re.compile(r"修订|\bRev\b\.?", re.IGNORECASE)


@dataclass(frozen=True)
class Adoption:
    """The latest adoption named in a parenthesis: year, place as written, revised or not."""

    year: str = ""
    place: str = ""
    revised: bool = False


def parse_adoption(inside: str) -> Adoption:
    """Read "2022年，布加勒斯特，修订版" or "Rev. Bucharest, 2022" (the part inside the parentheses)."""
    revised = bool(_REVISED.search(inside))
    # "2016年，哈马马特；2022年，日内瓦": earlier adoptions are history, the last one counts.
    latest = re.split(r"[；;]", inside)[-1]
    years = _YEAR.findall(latest)
    parts = (_REVISED.sub("", part).strip(" .") for part in re.split(r"[，,、]", latest))
    place = next((part for part in parts if part and not any(ch.isdigit() for ch in part)), "")
    return Adoption(year=years[-1] if years else "", place=place, revised=revised)


def place_en(place: str) -> str:
    """The English name of a venue ("新德里" -> "New Delhi"); unknown or English names unchanged."""
    return PLACES_ZH_EN.get(place, place)


def place_zh(place: str) -> str:
    """The Chinese name of a venue ("Geneva" -> "日内瓦"); unknown or Chinese names unchanged."""
    return _PLACES_EN_ZH.get(place.casefold(), place)
