"""Human labels of clauses in both languages, e.g. "Resolution 106 (New Delhi, 2024), resolves 1".

>>> meta = DocumentMeta(resolution="106", place="新德里", place_en="New Delhi", year="2024")
>>> clause_labels(meta, section="recalling", item="b", numbered=True)
{'en': 'Resolution 106 (New Delhi, 2024), recalling b)', 'zh': '第106号决议（2024年，新德里）忆及 b)'}
"""

from __future__ import annotations

from corpus.manifest import DocumentMeta
from corpus.places import place_en, place_zh
from corpus.sections import is_unclassified, section_names


def document_labels(*, resolution: str, place: str, year: str, place_en_name: str = "") -> dict:
    """How labels name a resolution: {"en": "Resolution 106 (New Delhi, 2024)", "zh": "第106号决议（2024年，新德里）"}.

    >>> document_labels(resolution="106", place="新德里", year="2024")["en"]
    'Resolution 106 (New Delhi, 2024)'
    """
    english_place = place_en_name or place_en(place)
    zh_when = "，".join(filter(None, (f"{year}年" if year else "", place_zh(place))))
    return {
        "en": f"Resolution {resolution} ({', '.join(filter(None, (english_place, year)))})",
        "zh": f"第{resolution}号决议（{zh_when}）",
    }


def clause_labels(meta: DocumentMeta, *, section: str, item: str, numbered: bool, heading: str = "") -> dict:
    """{"en": …, "zh": …} for item `item` of `section`; `numbered` False leaves the item out.

    `heading` (as written) names sections that have no canonical name ("unclassified").
    """
    document = document_labels(resolution=meta.resolution, place=meta.place, year=meta.year, place_en_name=meta.place_en)
    en, zh = document["en"], document["zh"]
    if section == "foreword":
        return {"en": f"{en}, foreword paragraph {item}", "zh": f"{zh}前言 第{item}段"}
    if section == "footnotes":
        return {"en": f"{en}, footnote {item}", "zh": f"{zh}脚注{item}"}
    names = section_labels(section, heading)
    if not numbered:
        return {"en": f"{en}, {names['en']}", "zh": f"{zh}{names['zh']}"}
    lettered = not item[:1].isdigit()
    en_item = f" {item})" if lettered else f" {item}"
    zh_item = f" {item})" if lettered else f" 第{item}段"
    return {"en": f"{en}, {names['en']}{en_item}", "zh": f"{zh}{names['zh']}{zh_item}"}


def section_labels(section: str, heading: str = "") -> dict:
    """A section's names in both languages; one without a canonical name is named by its heading where it can be."""
    try:
        names = section_names(section)
    except KeyError:
        return {"en": heading or section, "zh": heading or section}
    if is_unclassified(section) and heading:
        language = "en" if heading.isascii() else "zh"
        names = {**names, language: heading}
    return names
