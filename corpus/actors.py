"""Who a resolution addresses: canonical actor keys with their names in English and Chinese.

>>> find_actors("What must TSAG and the 电信标准化局主任 do?")
['tsag', 'tsb-director']
>>> actor_names("tsag")
{'zh': '电信标准化顾问组', 'en': 'TSAG'}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from corpus.errors import AssistantError


@dataclass(frozen=True)
class Actor:
    """One addressee of operative clauses, e.g. TSAG / 电信标准化顾问组."""

    key: str
    en: str  # as used in English labels, e.g. "the Director of TSB"
    zh: str  # as used in Chinese labels and headings
    aliases: tuple[str, ...] = ()  # other names in either language


ACTORS = (
    Actor("tsag", "TSAG", "电信标准化顾问组", ("Telecommunication Standardization Advisory Group", "TSAG")),
    Actor(
        "tsb-director",
        "the Director of TSB",
        "电信标准化局主任",
        (
            "Director of the Telecommunication Standardization Bureau",
            "Director of the TSB",
            "TSB Director",
            "TSB主任",
            "Telecommunication Standardization Bureau",
            "TSB",
            "电信标准化局",
        ),
    ),
    Actor(
        "study-groups",
        "ITU-T study groups",
        "国际电联电信标准化部门研究组",
        ("ITU-T study group", "study groups", "study group", "SG", "ITU-T研究组", "电信标准化部门研究组", "研究组"),
    ),
    Actor(
        "members",
        "Member States, Sector Members, Associates and Academia",
        "成员国、部门成员、部门准成员和学术成员",
        (
            "Member States",
            "Member State",
            # Member States act through their governments and administrations.
            "government",
            "administration",
            "政府",
            "主管部门",
            "Sector Members",
            "Sector Member",
            "Associates",
            "Academia",
            "成员国",
            "部门成员",
            "部门准成员",
            "学术成员",
            "学术界",
            # Academia as newcomers name it: universities and research institutes.
            "universities",
            "university",
            "research institutes",
            "research institutions",
            "大学",
            "高校",
            "科研机构",
            "研究机构",
        ),
    ),
    Actor("secretary-general", "the Secretary-General", "秘书长", ("Secretary General",)),
    Actor(
        "bdt-director",
        "the Director of BDT",
        "电信发展局主任",
        (
            "Director of the Telecommunication Development Bureau",
            "Director of the BDT",
            "BDT Director",
            "BDT主任",
            "Telecommunication Development Bureau",
            "BDT",
            "电信发展局",
        ),
    ),
    Actor(
        "br-director",
        "the Director of BR",
        "无线电通信局主任",
        (
            "Director of the Radiocommunication Bureau",
            "Director of the BR",
            "BR Director",
            "Radiocommunication Bureau",
            "无线电通信局",
        ),
    ),
    Actor("council", "the ITU Council", "理事会", ("Council", "国际电联理事会")),
    # Listed so that "ITU-D研究组" is not read as the ITU-T "研究组" (longest alias wins).
    Actor(
        "itu-d-study-groups",
        "ITU-D study groups",
        "国际电联电信发展部门研究组",
        ("ITU-D study group", "ITU-D研究组", "电信发展部门研究组"),
    ),
    Actor(
        "itu-r-study-groups",
        "ITU-R study groups",
        "国际电联无线电通信部门研究组",
        ("ITU-R study group", "ITU-R研究组", "无线电通信部门研究组"),
    ),
)

ACTOR_KEYS = tuple(actor.key for actor in ACTORS)
_BY_KEY = {actor.key: actor for actor in ACTORS}


def _written_names(actor: Actor) -> tuple[str, ...]:
    """The names the table above gives an actor, with the English article dropped."""
    return (actor.en.removeprefix("the "), actor.zh, *actor.aliases)


def _shortenings(name: str) -> set[str]:
    """How people shorten a formal name, by rule rather than by listing each phrasing.

    English: "Director of the X" is also "head of the X" / "chief of the X", and
    "Telecommunication" is dropped ("the Standardization Bureau"), and the last words from two on
    stand for the whole ("the Advisory Group"). Chinese: the tail of a
    name from three characters on ("顾问组" for 电信标准化顾问组), as a speaker drops the prefix.
    """
    if name.isascii():
        variants = {name, " ".join(w for w in name.split() if w != "Telecommunication")}
        for variant in list(variants):
            if variant.startswith("Director of "):
                variants.update(f"{head} of {variant.removeprefix('Director of ')}" for head in ("head", "chief"))
        for variant in list(variants):
            # Its last words from two on, as the Chinese tail: "the advisory group" for TSAG.
            words = variant.split()
            variants.update(" ".join(words[start:]) for start in range(1, len(words) - 1)
                            if words[start].casefold() not in ("of", "the", "and"))
        return {v for v in variants if v.split()} - {name}
    if any(ch.isascii() for ch in name):
        return set()  # "TSB主任" has no shorter form
    return {name[start:] for start in range(1, len(name) - 2) if "、" not in name[start:] and "和" not in name[start:]}


def _derived_names() -> dict[str, str]:
    """Shortened names that point at exactly one actor and are not written names of another."""
    written = {name.casefold() for actor in ACTORS for name in _written_names(actor)}
    owners: dict[str, set[str]] = {}
    for actor in ACTORS:
        for name in _written_names(actor):
            for short in _shortenings(name):
                owners.setdefault(short.casefold(), set()).add(actor.key)
    return {short: keys.pop() for short, keys in owners.items() if len(keys) == 1 and short not in written}


_DERIVED = _derived_names()


def shared_names() -> dict[str, frozenset[str]]:
    """Names several actors go by, with their keys: "director" and 主任 (three bureaus have one),
    "head of the bureau". A corpus that addresses only one of them can read the name as that one."""
    owners: dict[str, set[str]] = {}
    for actor in ACTORS:
        for name in _written_names(actor):
            shorts = _shortenings(name)
            if name.startswith("Director of "):
                shorts.add("Director")
            if name.endswith("主任") and len(name) > 2:
                shorts.add("主任")
            for short in shorts:
                owners.setdefault(short.casefold(), set()).add(actor.key)
    written = {name.casefold() for actor in ACTORS for name in _written_names(actor)}
    return {short: frozenset(keys) for short, keys in owners.items() if len(keys) > 1 and short not in written}


def _names(actor: Actor) -> tuple[str, ...]:
    """Every name an actor goes by: the written ones, then the shortenings only it can claim."""
    return (*_written_names(actor), *(short for short, key in _DERIVED.items() if key == actor.key))


def _alias_pattern(alias: str) -> str:
    """A regex for one alias: flexible whitespace, word boundaries around Latin ends."""
    body = r"\s+".join(re.escape(word) for word in alias.split())
    if alias[0].isascii() and alias[0].isalnum():
        # Nor after a letter and a hyphen: "e-government" and "non-members" name no actor.
        body = r"(?<![A-Za-z0-9])(?<![A-Za-z]-)" + body
    if alias[-1].isascii() and alias[-1].isalnum():
        body += r"(?:s|es)?(?![A-Za-z0-9])"  # "SGs", "TSB Directors"
    return body


_ALIAS_KEYS = {name.casefold(): actor.key for actor in ACTORS for name in _names(actor)}
# Alternation tries longer aliases first, so "电信标准化局主任" wins over "电信标准化局".
# The first characters any name can start with, checked before the ~180 alternatives are tried
# one by one at each position (halves the time of a scan: it runs several times per question).
_FIRST = "".join(sorted({ch for name in _ALIAS_KEYS for ch in (name[0], name[0].upper())}))
_ALIAS_RE = re.compile(
    f"(?=[{re.escape(_FIRST)}])(?:"
    + "|".join(f"({_alias_pattern(name)})" for name in sorted(_ALIAS_KEYS, key=len, reverse=True))
    + ")",
    re.IGNORECASE,
)
_GROUP_KEYS = [_ALIAS_KEYS[name] for name in sorted(_ALIAS_KEYS, key=len, reverse=True)]


# A Sector's name just before "study groups" is part of the name and says whose they are: "ITU-T各研究组",
# "ITU-T's study groups" are this Sector's; "ITU-D的研究组", "ITU-D哪个研究组", "ITU-R SGs" another's.
_SECTOR_BEFORE = {
    "study-groups": re.compile(r"(?:ITU-T|国际电联|电信标准化部门)(?:'s|的|各|哪一?个|哪些|\s)*$", re.IGNORECASE),
    "itu-d-study-groups": re.compile(r"(?:ITU-D|电信发展部门|Development Sector)(?:'s|的|各|哪一?个|哪些|\s)*$", re.IGNORECASE),
    "itu-r-study-groups": re.compile(r"(?:ITU-R|无线电通信部门|Radiocommunication Sector)(?:'s|的|各|哪一?个|哪些|\s)*$", re.IGNORECASE),
}


@lru_cache(maxsize=256)
def _matches(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, key) of each actor name in `text`; study groups take in the Sector named just before them.

    Remembered: routing, conversation and selection scan one question's text five times or more.
    """
    found = []
    for match in _ALIAS_RE.finditer(text):
        key, start = _GROUP_KEYS[match.lastindex - 1], match.start()
        if key == "study-groups":
            previous = found[-1][1] if found else 0
            for sector, before in _SECTOR_BEFORE.items():
                if named := before.search(text, previous, start):
                    key, start = sector, named.start()
                    break
        found.append((start, match.end(), key))
    return tuple(found)


def find_actors(text: str) -> list[str]:
    """All actor keys mentioned in `text` (either language), in order of first mention."""
    return list(dict.fromkeys(key for _, _, key in _matches(text)))


def resolve_actor(name: str) -> str:
    """The actor key for a key or a name in either language ("TSAG", "电信标准化顾问组", "tsag")."""
    wanted = " ".join(name.split()).casefold().removeprefix("the ")
    if wanted in _BY_KEY:
        return wanted
    if wanted in _ALIAS_KEYS:
        return _ALIAS_KEYS[wanted]
    mentioned = find_actors(name)
    if len(mentioned) == 1:
        return mentioned[0]
    known = ", ".join(f"{a.key} ({a.en.removeprefix('the ')} / {a.zh})" for a in ACTORS)
    raise AssistantError(f"unknown actor {name!r}; known actors: {known}")


def actor_names(key: str) -> dict:
    """The English and Chinese names of an actor, e.g. {"zh": "电信标准化顾问组", "en": "TSAG"}."""
    actor = _BY_KEY[resolve_actor(key)]
    return {"zh": actor.zh, "en": actor.en}


def english_name(key: str) -> str:
    """An actor's English name in full, as the text's headings write it: "Telecommunication Standardization
    Advisory Group" for TSAG; an English reader who meets only "TSAG" may not know who that is."""
    actor = _BY_KEY[resolve_actor(key)]
    return max((actor.en, *(a for a in actor.aliases if a.isascii())), key=len)


def actor_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, actor key) of every actor name in `text`, longest names first."""
    return list(_matches(text))


def without_actors(text: str) -> str:
    """The text with every actor's name cut out, so "study groups" is not read as a topic.

    >>> without_actors("What are the study groups told to do?")
    'What are the   told to do?'
    """
    kept, last = [], 0
    for start, end, _ in actor_mentions(text):
        kept.append(text[last:start])
        last = end
    return " ".join(kept + [text[last:]])


def actor_forms(key: str) -> tuple[str, ...]:
    """Every name of one actor, in both languages."""
    return _names(_BY_KEY[key])


def actor_vocabulary() -> frozenset[str]:
    """Every actor name, casefolded, for telling actor words from topic words."""
    return frozenset(_ALIAS_KEYS)
