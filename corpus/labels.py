"""Human labels of clauses in both languages, e.g. "Resolution 106 (New Delhi, 2024), resolves 1".

>>> meta = DocumentMeta(resolution="106", place="新德里", place_en="New Delhi", year="2024")
>>> clause_labels(meta, section="recalling", item="b", numbered=True)
{'en': 'Resolution 106 (New Delhi, 2024), recalling b)', 'zh': '第106号决议（2024年，新德里）忆及 b)'}
"""

from __future__ import annotations

from corpus.manifest import DocumentMeta
from corpus.places import place_zh
from corpus.sections import is_unclassified, section_names


def clause_labels(meta: DocumentMeta, *, section: str, item: str, numbered: bool, heading: str = "") -> dict:
    """{"en": …, "zh": …} for item `item` of `section`; `numbered` False leaves the item out.

    `heading` (as written) names sections that have no canonical name ("unclassified").
    """
    en = f"Resolution {meta.resolution} ({', '.join(filter(None, (meta.place_en, meta.year)))})"
    zh_when = "，".join(filter(None, (f"{meta.year}年" if meta.year else "", place_zh(meta.place))))
    zh = f"第{meta.resolution}号决议（{zh_when}）"
    if section == "foreword":
        return {"en": f"{en}, foreword paragraph {item}", "zh": f"{zh}前言 第{item}段"}
    if section == "footnotes":
        return {"en": f"{en}, footnote {item}", "zh": f"{zh}脚注{item}"}
    names = _names(section, heading)
    if not numbered:
        return {"en": f"{en}, {names['en']}", "zh": f"{zh}{names['zh']}"}
    lettered = not item[:1].isdigit()
    en_item = f" {item})" if lettered else f" {item}"
    zh_item = f" {item})" if lettered else f" 第{item}段"
    return {"en": f"{en}, {names['en']}{en_item}", "zh": f"{zh}{names['zh']}{zh_item}"}


def _names(section: str, heading: str) -> dict:
    """Canonical section names; an unclassified section is named by its heading where it can be."""
    names = section_names(section)
    if is_unclassified(section) and heading:
        language = "en" if heading.isascii() else "zh"
        names = {**names, language: heading}
    return names
