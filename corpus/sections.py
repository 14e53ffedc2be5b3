"""Section headings ("忆及", "resolves to instruct TSAG", …): their canonical keys, kinds and names.

>>> classify_heading("做出决议，责成电信标准化顾问组")
Section(key='resolves-to-instruct-tsag', kind='operative', actor='tsag', verb='resolves-to-instruct')
>>> section_names("instructs-study-groups")
{'en': 'instructs ITU-T study groups', 'zh': '责成国际电联电信标准化部门研究组'}
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.actors import ACTOR_KEYS, actor_names, find_actors

UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class Section:
    """What a heading opens: a canonical key, the clauses' kind and, if addressed, the actor."""

    key: str
    kind: str
    actor: str = ""
    verb: str = ""  # "resolves-to-instruct", "instructs", … for addressed sections


def _normalized(heading: str) -> str:
    """Lower case, single spaces, "，" as ",", no trailing colon: how headings are compared."""
    text = " ".join(heading.split()).casefold().replace("，", ",")
    return re.sub(r"\s*,\s*", ",", text).rstrip(":： ")


# key, English name, Chinese name, kind, other ways of writing the heading.
_FIXED = (
    ("recalling", "recalling", "忆及", "preambular", ()),
    ("considering", "considering", "考虑到", "preambular", ()),
    ("noting", "noting", "注意到", "preambular", ()),
    ("recognizing", "recognizing", "认识到", "preambular", ("recognising",)),
    ("bearing-in-mind", "bearing in mind", "顾及", "preambular", ("铭记",)),
    ("resolves", "resolves", "做出决议", "operative", ()),
)
# Each fixed section may come again as "<heading> further" / "进一步<heading>".
_SECTIONS = {
    **{key: (en, zh, kind) for key, en, zh, kind, _ in _FIXED},
    **{f"{key}-further": (f"{en} further", f"进一步{zh}", kind) for key, en, zh, kind, _ in _FIXED},
    "foreword": ("foreword", "前言", "foreword"),
    "title": ("title", "标题", "title"),  # the title block: number line, title, date and assembly lines
    "footnotes": ("footnotes", "脚注", "footnote"),
    UNCLASSIFIED: ("unclassified", "未分类", ""),
}
_FIXED_HEADINGS = {
    **{name: key for key, en, zh, _, aliases in _FIXED for name in (en, zh, *aliases)},
    **{
        name: f"{key}-further"
        for key, en, zh, _, aliases in _FIXED
        for name in (f"{en} further", f"further {en}", f"进一步{zh}")
    },
    # Footnotes typed out under a heading, as a plain-text export of a Word file gives them.
    **{name: "footnotes" for name in _SECTIONS["footnotes"][:2]},
}
# Verbs that address an actor: key, English, Chinese, other spellings (either language).
_VERBS = (
    ("resolves-to-instruct", "resolves to instruct", "做出决议，责成", ("做出决议,责成", "做出决议责成")),
    ("instructs", "instructs", "责成", ()),
    ("invites", "invites", "请", ()),
    ("encourages", "encourages", "鼓励", ()),
    ("requests", "requests", "要求", ("请求",)),
)
_VERB_PREFIXES = sorted(
    ((_normalized(prefix), key) for key, en, zh, others in _VERBS for prefix in (en, zh, *others)),
    key=lambda pair: len(pair[0]),
    reverse=True,
)
_VERB_NAMES = {key: (en, zh) for key, en, zh, _ in _VERBS}
# How a question names each verb: the English verb by its stem ("invit" in "invited"), the
# Chinese one by any of its spellings.
_VERB_IN_QUESTION = {
    key: re.compile("|".join([
        rf"\b{re.escape(en.split()[-1].removesuffix('s').removesuffix('e'))}",
        # The Chinese verb proper too: 责成 in "做出决议，责成" (as "instruct" in "resolves to instruct").
        *(re.escape(form) for form in (zh, *others, zh.split("，")[-1]) if not form.isascii()),
    ]))
    for key, en, zh, others in _VERBS
}
_REPEAT = re.compile(r"-\d+$")
_SENTENCE_END = tuple("。；，,;.!?！？")
_MAX_HEADING = {"en": 160, "zh": 60}  # characters; longer lines are paragraphs


def _too_long(text: str) -> bool:
    """True for lines longer than any heading."""
    limit = _MAX_HEADING["en"] if text.isascii() else _MAX_HEADING["zh"]
    return len(text) > limit


def classify_heading(text: str) -> Section | None:
    """The section a heading line opens, or None when the line is not a known heading.

    An addressed heading ("invites …") naming no known actor gives the "unclassified" section.
    """
    norm = _normalized(text)
    if not norm or _too_long(norm) or norm.endswith(_SENTENCE_END):
        return None
    if norm in _FIXED_HEADINGS:
        key = _FIXED_HEADINGS[norm]
        return Section(key=key, kind=_SECTIONS[key][2])
    for prefix, verb in _VERB_PREFIXES:
        rest = norm.removeprefix(prefix)
        # English verbs are words: "invites" must not match "invitesX"; Chinese has no spaces.
        if rest != norm and (not prefix.isascii() or rest[:1] in (" ", ",")):
            actors = find_actors(rest)
            if not actors:
                return Section(key=UNCLASSIFIED, kind="operative", verb=verb)
            return Section(key=f"{verb}-{actors[0]}", kind="operative", actor=actors[0], verb=verb)
    return None


def is_unclassified(key: str) -> bool:
    """True for "unclassified" and its repeats ("unclassified-2")."""
    return key == UNCLASSIFIED or _REPEAT.sub("", key) == UNCLASSIFIED


def looks_like_heading(text: str) -> bool:
    """True for a short line with no closing punctuation: an unknown heading, not a paragraph.

    English headings are lower-case participles ("emphasizing"); Chinese ones are short phrases.
    """
    # A line ending in ":" introduces the items that follow; it is a paragraph, not a heading.
    if text.endswith(_SENTENCE_END) or text.endswith((":", "：")):
        return False
    if text.isascii():
        return text[:1].islower() and len(text.split()) <= 8
    return len(text) <= 20 and "。" not in text


def verb_names(verb: str) -> dict:
    """How an addressing verb is written: verb_names("resolves-to-instruct")["zh"] == "做出决议，责成"."""
    en, zh = _VERB_NAMES.get(verb, (verb.replace("-", " "), verb.replace("-", " ")))
    return {"en": en, "zh": zh}


def verbs_named(text: str) -> set[str]:
    """The addressing verbs a question names, either language: "invited" and 请 are "invites".

    >>> sorted(verbs_named("What are members encouraged or invited to do?"))
    ['encourages', 'invites']
    >>> verbs_named("请问研究组要做什么？")  # 请问 is "may I ask", not 请
    set()
    >>> sorted(verbs_named("Which bodies are instructed (not just invited)?"))
    ['instructs', 'resolves-to-instruct']
    >>> sorted(verbs_named("Which are instructed (not just invited or encouraged)?"))
    ['instructs', 'resolves-to-instruct']
    """
    norm = text.casefold().replace("请问", " ")
    found = sorted((m.start(), m.end(), key) for key, pattern in _VERB_IN_QUESTION.items() for m in pattern.finditer(norm))
    named, aside_end = set(), -1
    for start, end, key in found:
        before = norm[max(0, start - 40):start]
        # "not just invited or encouraged": a verb joined to one set aside is set aside too. So is one a
        # question takes in beside the rest ("列出所有要行动的对象，包括被鼓励的、被邀请的"): it does not narrow.
        if _NEGATED.search(before) or _INCLUDED.search(before) or (
            aside_end >= 0 and _JOINED.fullmatch(norm[aside_end:start])
        ):
            aside_end = max(aside_end, re.match(r"\w*", norm[end:]).end() + end)
        else:
            named.add(key)
    return named


def without_verbs(text: str) -> str:
    """The question with the addressing verbs it names blanked out: who is asked, not a topic.

    >>> without_verbs("which parties are instructed, invited or encouraged?").split()
    ['which', 'parties', 'are', ',', 'or', '?']
    """
    norm = text.casefold().replace("请问", " ")
    for pattern in _VERB_IN_QUESTION.values():
        norm = re.sub(f"(?:{pattern.pattern})[a-z]*", " ", norm)
    return norm


# What joins two verbs of one phrase: "invited or encouraged", "请、鼓励".
_JOINED = re.compile(r"\s*(?:,|，|/|(?:、|\bor\b|\band\b|或者?|和|及)\s*(?:被|being|those|the ones)?\s*邀?)?\s*")
# A verb set aside: "instructed (not just invited)", "被“请”而不是被“责成”", "（不算邀请的）" (请 of 邀请
# found, its first character between, as after a joining word: "鼓励的、被邀请的").
# "not counting the ones that are instructed", "leaving out those who are invited" too.
_NEGATED = re.compile(
    r"(?:\bnot(?: just| only| merely| simply| counting| including)?|\brather than|\binstead of|\bas opposed to|\bexcept(?: for)?|\bexcluding"
    r"|\bleaving out|\bapart from|\bother than|不算|不是|不包括|不含|除了|除去|而非)"
    r"[\s\"'“”‘’「」()（）]*(?:被|being|be|(?:the )?(?:ones|those|bodies|actors)(?: (?:that|who|which))?(?: (?:are|were|is|get|got))?)?"
    r"[\s\"'“”‘’「」]*[\u4e00-\u9fff]?$"
)
# A verb taken in beside the others: "including the encouraged ones", "包括被邀请的", "as well as invited".
_INCLUDED = re.compile(
    r"(?:(?<!not )\bincluding|\bas well as|\bplus|(?<!不)包括|包含|连同|以及)[\s\"'“”‘’「」()（）]*"
    r"(?:被|being|be|(?:the )?(?:ones|those|bodies|actors)(?: (?:that|who|which))?(?: (?:are|were|is|get|got))?)?"
    r"[\s\"'“”‘’「」]*[\u4e00-\u9fff]?$"
)


# The two parts a resolution's paragraphs fall into, by the kind `classify_heading` gives their
# sections, as delegates name them ("the operative part", 执行部分).
_PART_NAMES = {
    # ("operative paragraphs" is the "resolves" section's other name: assistant.understanding.routing.)
    "operative": re.compile(r"\boperative (?:part|parts|section|sections|clauses|provisions)\b|执行部分|执行性条款|执行条款"),
    "preambular": re.compile(r"\bpreamble\b|\bpreambular (?:part|paragraphs?|section|clauses)\b|序言部分|序言段落"),
}


def parts_named(text: str) -> set[str]:
    """The kinds of paragraph ("operative", "preambular") a text names as a part of the resolution.

    >>> parts_named("Can you summarize the operative part?")
    {'operative'}
    """
    norm = " ".join(text.split()).casefold()
    return {kind for kind, pattern in _PART_NAMES.items() if pattern.search(norm)}


def without_part_names(text: str) -> str:
    """The text with the names of its parts ("the operative part", 序言部分) cut out."""
    norm = " ".join(text.split()).casefold()
    for pattern in _PART_NAMES.values():
        norm = pattern.sub(" ", norm)
    return norm


def section_names(key: str) -> dict:
    """English and Chinese names of a section key, e.g. {"en": "considering further", "zh": "进一步考虑到"}."""
    base = key if key in _SECTIONS else _REPEAT.sub("", key)
    if base in _SECTIONS:
        en, zh, _ = _SECTIONS[base]
        return {"en": en, "zh": zh}
    for verb, (en, zh) in _VERB_NAMES.items():
        actor = base.removeprefix(f"{verb}-")
        if actor != base and actor in ACTOR_KEYS:
            names = actor_names(actor)
            return {"en": f"{en} {names['en']}", "zh": f"{zh}{names['zh']}"}
    raise KeyError(f"unknown section key {key!r}")


def is_foreword_heading(text: str) -> bool:
    """True for the "前言" / "FOREWORD" heading that precedes the resolution proper."""
    return _normalized(text) in ("foreword", "前言")
