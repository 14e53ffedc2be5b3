"""Reading the structure a question names: clauses, sections, actors, list intent.

Delegates cite paragraphs by their numbering ("resolves 3", "考虑到b)", "脚注1");
such a question resolves to the clause directly, before any similarity search.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from corpus.actors import actor_mentions, actor_names, find_actors, shared_names
from assistant.text import normalize

# Canonical section key -> (English phrases, Chinese phrases) as a question may name them.
SECTION_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "foreword": (("foreword", "preface"), ("前言",)),
    "recalling": (("recalling", "recalls", "recalled", "recall"), ("忆及",)),
    "considering-further": (("considering further", "further considering", "further considerations"), ("进一步考虑到",)),
    "considering": (("considering", "considerations"), ("考虑到",)),
    "noting": (("noting",), ("注意到",)),
    "recognizing": (("recognizing", "recognising"), ("认识到",)),
    "bearing-in-mind": (("bearing in mind", "bear in mind", "bears in mind"), ("顾及",)),
    "resolves": (("resolves", "resolved", "resolve", "operative paragraph", "operative paragraphs"), ("做出决议", "决议部分")),
    # "Note" alone is a note of any kind ("for a briefing note"); "note 1" and 注1 are numbered footnotes (_FOOTNOTE_NUMBER).
    "footnotes": (("footnote", "footnotes"), ("脚注", "注释")),
}
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_EN_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "last": -1, "最后": -1,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6,
}
LAST_ITEM = "-1"
NEXT_ITEM = "+1"
# "@2": the second of the clauses a follow-up refers back to (Route.context), as "the second one" counts them.
IN_CONTEXT = "@"
# An ordinal that counts things rather than labelling a paragraph: "the second one", "第三个", "the last one".
ORDINAL_WORD = re.compile(
    r"\b(?:first|second|third|fourth|fifth|sixth|last|1st|2nd|3rd|[4-6]th)(?: one|$|\W)|第\s*(?:[0-9]+|[一二两三四五六七八九十]+)\s*个|最后一个"
)

_ITEM_PATTERNS = (
    re.compile(r"第\s*([0-9]+|[一二两三四五六七八九十]+)\s*(?:段|项|款|条|点|分段|个)"),
    re.compile(r"(?<![a-z])(?:paragraph|para\.|item|point|clause|no\.|number|§)\s*\(?([0-9]+|[a-h])(?![0-9a-z])\)?"),
    re.compile(r"(?<![a-z0-9])\(?([a-h])\)(?![a-z0-9])"),
    re.compile(r"(?<![a-z])\(([a-h])\)"),
    # "the second one", and "the first of those" (a follow-up counting in the list just given).
    re.compile(r"\b(first|second|third|fourth|fifth|sixth|last|1st|2nd|3rd|[4-6]th)\s+(?:(?:paragraph|item|point|clause|one|task)\b|of\s+(?:those|these|them)\b)"),
    re.compile(r"(最后)\s*一\s*(?:段|项|款|条|点)"),
    re.compile(r"(下一|后一|next)\s*(?:段|项|款|条|点|个|one|paragraph|item|point|clause)"),
    # "the one after that", "the following paragraph": the next one too.
    re.compile(r"\b(?:one|paragraph|para|item|point|clause)\s+(after)\s+(?:that|this|it)\b|\b(following)\s+(?:one|paragraph|item|point|clause)\b"),
    # A digit or a letter that is the whole question: "what about 4?", "and 3?", "ok what about c", "那2呢？"
    # (a follow-up's item; "and 89?" is a resolution's number, not a paragraph's).
    re.compile(r"^\W*(?:(?:ok|okay|so|and|then|what|how)\W+)*(?:about\s+)?(?:no\.?\s*|#)?([0-9]|[a-h])\W*$"),
    re.compile(r"^\W*(?:那么?|还有)?\s*([0-9]|[a-h])\s*(?:呢|吗)?\W*$"),
    # An ordinal that is the whole question: "and the fourth?", "what about the third".
    re.compile(r"^\W*(?:(?:ok|okay|so|and|then|what|how)\W+)*(?:about\s+)?the\s+(first|second|third|fourth|fifth|sixth|last|1st|2nd|3rd|[4-6]th)\W*$"),
)
# "决议1", "决议 3": a paragraph of "resolves" as Chinese readers shorten it (not "第106号决议", "这个决议").
_RESOLVES_SHORT = re.compile(r"(?<![0-9号第的个项份这该本此])决议\s*([0-9]{1,2})(?![0-9号])")
# A bare number or letter right after a section name: "resolves 3", "做出决议3", "recalling b?",
# "顾及部分b项", "considering b - quick summary", "顾及c是啥意思", "what does considering c say".
# Of the letters, only "a" is also an English word ("recalling a resolution"): it is a paragraph when nothing
# follows it but punctuation, Chinese, or a verb ("what does considering a say").
_BARE_ITEM = re.compile(
    r"(?:(?<=[\u4e00-\u9fff])|(?<=[a-z] ))(?:([0-9]{1,2})(?![0-9年月日号%])|([b-h])(?![a-z0-9])"
    r"|(a)(?=\s*(?:$|[?？,，.。:：;；!！、项段款条点\u4e00-\u9fff]|-\s|–)|\s+(?:say|says|said|state|states|mean|means|is)\b))"
)
# A run of paragraphs: "1到4条", "items a to c", "resolves 1-3", "a）至c）" (not "2024-2027": two digits at most).
_ITEM_RANGE = re.compile(
    r"(?P<word>\b(?:items?|paragraphs?|paras?|points?)\s*|第\s*)?(?<![0-9a-z])(?P<first>[0-9]{1,2}|[a-h])\)?\s*"
    r"(?:到|至|~|-|–|—|\bto\b|\bthrough\b|\bthru\b)\s*(?:第\s*)?(?P<last>[0-9]{1,2}|[a-h])(?![0-9a-z])\)?(?P<unit>\s*[段项条款点])?"
)
# A numbered footnote by a short name: "note 1", "注1" (not 注意, 关注).
_FOOTNOTE_NUMBER = re.compile(r"(?<![a-z])note\s*([0-9]{1,2})(?![0-9])|(?<![\u4e00-\u9fff])注\s*([0-9]{1,2})(?![0-9])")
_LIST_WORDS_EN = re.compile(
    r"\b(all|list|every|points|items|paragraphs|which (?:resolutions|clauses|documents|paragraphs|things|tasks)|what (?:are|were) (?:the )?"
    r"(?:\w+ ){0,4}(?:instructed|invited|asked|tasked|encouraged|requested|told|required|called|recalled|resolved)|"
    r"what (?:resolutions|documents|tasks|things|instruments)|tasks|mandates|responsibilities|duties|instructions|"
    r"(?:two|three|four|five|six|seven|eight|[2-9]) (?:\w+ )?(?:things|points|items|tasks|parts|paragraphs|actions|measures|decisions))\b"
)
# Words that ask what an actor must do; without them "ITU-D第2研究组的重心" is about a topic, not a mandate.
_MANDATE_WORDS = re.compile(
    r"\b(instruct\w*|invit\w*|ask\w*|task\w*|encourag\w*|request\w*|requir\w*|told|called|role|roles|do|does|doing|"
    r"mandate\w*|responsib\w*|dut(?:y|ies)|supposed|expected|should|must|have to|has to|need to|needs to|job)\b|"
    r"责成|请|要求|指示|任务|职责|做什么|要做|需要做|应该|应当|作用|承担|负责|鼓励|必须|需要|要干|干什么|干啥|干嘛|干哪些|做哪些|做些什么"
)
# Another resolution named by number: "第73号决议", "Resolution 71", "res. 89", "Resolution No. 2", and
# "第44号" standing for one ("第44号是关于什么的", "那第89号呢"; not "第1号脚注").
RESOLUTION_NUMBER = re.compile(
    r"(?:第\s*|(?<![0-9]))(\d+)\s*号决议|第\s*(\d+)\s*号(?=[是呢的吗讲说?？,，.。!！\s]|$)"
    r"|(?<![a-z])res(?:olution|\.)?\s*(?:no\.?\s*)?(\d+)",
    re.IGNORECASE,
)
_COUNT_BEFORE = re.compile(r"(?:\b(?:two|three|four|five|six|seven|eight|nine|[2-9])\s+|[二两三四五六七八九][个项条段点]?)$")
_LIST_WORDS_ZH = re.compile(r"(哪些|哪几|所有|全部|都有|列出|列举|几项|几个|任务是什么|任务有|职责|分别|各项)")


@dataclass(frozen=True)
class Route:
    """The structure a question names, as canonical keys and item labels."""

    sections: tuple[str, ...] = ()
    items: tuple[str, ...] = ()  # item labels named, e.g. ("3",) or ("b",)
    actors: tuple[str, ...] = ()
    addressed: bool = False  # the question asks what the actors are to do
    excluded: tuple[str, ...] = ()  # actors set aside: "apart from TSAG", 除了TSAG
    wants_list: bool = False
    references: tuple[str, ...] = field(default=())  # other resolutions named, e.g. ("71",)
    context: tuple[str, ...] = ()  # clause ids a follow-up refers back to

    @property
    def names_clause(self) -> bool:
        return bool(self.items)


@lru_cache(maxsize=1)
def _section_patterns() -> tuple[tuple[str, re.Pattern, str], ...]:
    """(phrase, its pattern, section key) for every section name, longest first, compiled once."""
    phrases = [
        (phrase, key)
        for key, (ens, zhs) in SECTION_NAMES.items()
        for phrase in (*ens, *zhs)
    ]
    phrases.sort(key=lambda p: -len(p[0]))
    return tuple(
        (phrase, re.compile(re.escape(phrase) if not phrase.isascii() else rf"(?<![a-z]){re.escape(phrase)}(?![a-z])"), key)
        for phrase, key in phrases
    )


def _section_mentions(norm: str) -> list[tuple[int, str]]:
    mentions: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for phrase, pattern, key in _section_patterns():
        if phrase not in norm:  # a pattern matches only where its phrase is a substring
            continue
        for m in pattern.finditer(norm):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            mentions.append((m.start(), key))
    return sorted(mentions)


def _zh_number(raw: str) -> int:
    if "十" not in raw:
        return _ZH_DIGITS[raw[0]]
    tens, _, ones = raw.partition("十")
    return (_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[ones] if ones else 0)


def _item_label(raw: str) -> str:
    raw = raw.strip().lower()
    if raw in _EN_ORDINALS:
        return str(_EN_ORDINALS[raw])
    if raw in ("下一", "后一", "next", "after", "following"):
        return NEXT_ITEM
    if raw and all(ch in _ZH_DIGITS for ch in raw):
        return str(_zh_number(raw))
    return raw


def _item_mentions(norm: str) -> list[tuple[int, str, bool]]:
    """(position, label, explicit): explicit mentions ("第2段", "b)") stand on their own."""
    found: list[tuple[int, str, bool]] = []
    spans: list[tuple[int, int]] = []
    for pattern in (*_ITEM_PATTERNS, _BARE_ITEM):
        for m in pattern.finditer(norm):
            if any(s < m.end() and m.start() < e for s, e in spans):
                continue
            spans.append((m.start(), m.end()))
            label = next(g for g in m.groups() if g)
            found.append((m.start(), _item_label(label), pattern is not _BARE_ITEM))
    return sorted(found)


_SHARED = {
    name: (keys, re.compile(rf"(?<![a-z]){re.escape(name)}(?![a-z])" if name.isascii() else re.escape(name), re.IGNORECASE))
    for name, keys in shared_names().items()
}


def with_shared_names_read(text: str, addresses: Callable[[str], bool]) -> str:
    """`text` with a name several actors share ("the director", 主任) spelled out as the one actor
    the corpus gives tasks to, when exactly one of them is; unchanged otherwise.

    >>> with_shared_names_read("what about the director", lambda key: key == "tsb-director")
    'what about the Director of TSB'
    """
    taken = [(start, end) for start, end, _ in actor_mentions(text)]
    for name, (keys, pattern) in sorted(_SHARED.items(), key=lambda item: -len(item[0])):
        addressed = [key for key in sorted(keys) if addresses(key)]
        if len(addressed) != 1:
            continue
        names = actor_names(addressed[0])
        full = names["en"].removeprefix("the ") if name.isascii() else names["zh"]
        for m in reversed(list(pattern.finditer(text))):
            if not any(s < m.end() and m.start() < e for s, e in taken):
                text = text[: m.start()] + full + text[m.end():]
                taken = [(start, end) for start, end, _ in actor_mentions(text)]
    return text


def names_a_part(text: str) -> bool:
    """Whether a section name is used as the name of a part of the text, not as an ordinary word.

    "Give me the foreword", "忆及部分", "foreword?" name a part; "Considering the weather, …" and
    "Bearing in mind my budget, …" use the words for themselves. A section's name is a noun when
    an article or preposition comes before it, a word for a part after it, or it is the whole question.
    """
    norm = normalize(text).strip(" ?？!！.。")
    for ens, zhs in SECTION_NAMES.values():
        for phrase in ens:
            if norm == phrase or re.search(
                rf"\b(?:the|in|of|under)\s+{re.escape(phrase)}\b|\b{re.escape(phrase)}\s+(?:section|part|paragraph|clause|bit|bits)",
                norm,
            ):
                return True
        for phrase in zhs:
            if norm == phrase or re.search(rf"{re.escape(phrase)}\s*(?:部分|那段|这段|一段|段落|里|中|下)", norm):
                return True
    return False


def without_section_names(text: str) -> str:
    """The text with section names cut out ("What does considering b) say?" -> "What does  b) say?")."""
    norm = normalize(text)
    for phrase, pattern, _ in _section_patterns():
        if phrase in norm:
            norm = pattern.sub(" ", norm)
    return norm


# "Apart from TSAG", "除了TSAG": the actor named next is left out.
_EXCEPT = re.compile(r"\b(?:apart from|besides|other than|except(?: for)?|aside from|not counting)\s+|除了|除去")


def _excluded_actors(question: str) -> set[str]:
    """Actors the question sets aside: those named right after "apart from" / 除了, with the ones joined
    to them ("除了TSAG、TSB、SG这些…": all three)."""
    ends = [m.end() for m in _EXCEPT.finditer(question.casefold())]
    excluded, last = set(), []
    for start, end, key in actor_mentions(question):
        if any(0 <= start - e <= 4 for e in ends) or any(_ACTOR_JOINED.fullmatch(question, e, start) for e in last):
            excluded.add(key)
            last.append(end)
    return excluded


# What joins two names in a list: "TSAG、TSB", "TSAG, TSB and SGs", "TSAG和TSB".
_ACTOR_JOINED = re.compile(r"\s*(?:、|,|，|/|\band\b|\bor\b|和|及|与|或)\s*(?:the\s+)?")


def _with_ranges(norm: str, items: list[str]) -> list[str]:
    """The items with every paragraph of a run between its two ends ("1到4条": 1, 2, 3, 4), when
    one end was named as an item or the run is marked as paragraphs ("items a to c", "第1至3段")."""
    for m in _ITEM_RANGE.finditer(norm):
        first, last = m.group("first"), m.group("last")
        named = first in items or last in items or m.group("word") or m.group("unit")
        if not named or first.isdigit() != last.isdigit():
            continue
        low, high = (int(first), int(last)) if first.isdigit() else (ord(first), ord(last))
        if low < high <= low + 10:
            run = [str(n) if first.isdigit() else chr(n) for n in range(low, high + 1)]
            at = min((items.index(label) for label in run if label in items), default=len(items))
            items = [x for x in items[:at] if x not in run] + run + [x for x in items[at:] if x not in run]
    return items


def route_question(question: str) -> Route:
    """Sections, items, actors and list intent named in a question."""
    norm = normalize(question)
    without_refs = RESOLUTION_NUMBER.sub(" ", norm)
    references = tuple(dict.fromkeys("".join(groups) for groups in RESOLUTION_NUMBER.findall(norm)))
    sections = _section_mentions(without_refs)
    sections += [(m.start(), "resolves") for m in _RESOLVES_SHORT.finditer(without_refs)]
    items = [
        label
        for pos, label, explicit in _item_mentions(without_refs)
        if explicit or any(0 <= pos - spos <= 24 for spos, _ in sections)
    ]
    items += [m.group(1) for m in _RESOLVES_SHORT.finditer(without_refs)]
    items = _with_ranges(without_refs, items)
    for m in _FOOTNOTE_NUMBER.finditer(without_refs):
        sections.append((m.start(), "footnotes"))
        items.append(m.group(1) or m.group(2))
    excluded = _excluded_actors(question)
    actors = tuple(a for a in find_actors(question) if a not in excluded)
    addressed = bool(actors) and bool(_MANDATE_WORDS.search(norm))
    # "the four resolves", "三个考虑到": a count before a section's name asks for each of its paragraphs.
    counted = any(_COUNT_BEFORE.search(without_refs[max(0, start - 12):start]) for start, _ in sections)
    wants_list = bool(_LIST_WORDS_EN.search(norm) or _LIST_WORDS_ZH.search(norm) or counted)
    return Route(
        sections=tuple(dict.fromkeys(key for _, key in sections)),
        items=tuple(dict.fromkeys(items)),
        actors=actors,
        addressed=addressed,
        wants_list=wants_list,
        references=references,
        excluded=tuple(sorted(excluded)),
    )
