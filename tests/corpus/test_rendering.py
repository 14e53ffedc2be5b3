"""The shipped English rendering of Resolution 106 against the Chinese original, clause by clause.

Every number, year, resolution reference, acronym and actor of a Chinese clause must be in its
English version, and the English adds none. The oracle below is the test's own, independent of
the parser's tables, except `find_references`/`find_actors`, which read both languages alike.
"""

from __future__ import annotations

import re

import pytest

from corpus.actors import find_actors
from corpus.library import load_library
from corpus.places import place_en
from corpus.references import find_references
from tests.corpus.support import CORPUS_DIR

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
# A Latin acronym as written, plural "s" aside: ITU-T, RG-DT, SDOs, ICTs (not "RESOLUTION").
ACRONYM = re.compile(r"(?<![A-Za-z])([A-Z]{2,5}(?:-[A-Z]{1,2})?)s?(?![A-Za-z])")
# What an English acronym may stand for in the Chinese when the Chinese does not use the acronym.
CHINESE_NAMES = {
    "ITU": ("国际电联", "国际电信联盟"),
    "ITU-T": ("国际电联电信标准化部门",),
    "ITU-D": ("国际电联电信发展部门",),
    "TSAG": ("电信标准化顾问组",),
    "WTSA": ("世界电信标准化全会",),
    "WTDC": ("世界电信发展大会",),
    "WSIS": ("信息社会世界峰会",),
    "ICT": ("信息通信技术",),
    "SDO": ("标准制定组织",),
    "ISO": ("国际标准化组织",),
    "IEC": ("国际电工技术委员会",),
}


def numbers(text: str) -> set[str]:
    """Digit runs and footnote marks; a Chinese month ("6月") counts as its English name."""
    text = re.sub(r"([0-9]{1,2})月", lambda m: MONTHS[int(m.group(1)) - 1], text)
    months = {month for month in MONTHS if re.search(rf"(?<![A-Za-z]){month}(?![A-Za-z])", text)}
    return set(re.findall(r"[0-9]+|[⁰¹²³⁴⁵⁶⁷⁸⁹]+", text)) | months


def acronyms(text: str) -> set[str]:
    return set(ACRONYM.findall(text))


def references(text: str) -> set[tuple]:
    """Cited resolutions (number, adopting body, year, revised, place in English), Resolution 106 itself aside."""
    found = find_references(text, own="WTSA")
    return {(r.number, r.body, r.year, r.revised, place_en(r.place)) for r in found if r.number != "106"}


# Actors the English may name that the actor finder cannot see in the Chinese wording: "ITU-D第2研究组"
# is ITU-D Study Group 2, but only "ITU-D研究组" is a name of ITU-D study groups.
ACTOR_EVIDENCE = {"itu-d-study-groups": ("ITU-D", "研究组")}


def actors(english: str, chinese: str) -> tuple[set[str], set[str]]:
    """Actor keys of each text, an English one counted in the Chinese when its evidence is there."""
    seen = set(find_actors(chinese))
    seen |= {key for key, evidence in ACTOR_EVIDENCE.items() if all(word in chinese for word in evidence)}
    return set(find_actors(english)), seen


def pairs():
    library = load_library(CORPUS_DIR)
    return [(c.id, c.text, c.versions["en"]["text"]) for c in library.clauses]


PAIRS = pairs()


def test_every_clause_has_an_unofficial_english_version():
    assert len(PAIRS) == 29
    library = load_library(CORPUS_DIR)
    assert {c.versions["en"]["official"] for c in library.clauses} == {False}
    assert not [clause_id for clause_id, _, english in PAIRS if re.search(r"[\u3000-\u9fff\uff00-\uffef]", english)]


@pytest.mark.parametrize(("clause_id", "chinese", "english"), PAIRS, ids=[p[0].split("/", 1)[1] for p in PAIRS])
def test_the_english_says_the_same_facts(clause_id, chinese, english):
    assert numbers(english) == numbers(chinese)
    assert references(english) == references(chinese)
    assert acronyms(chinese) <= acronyms(english), "an acronym of the Chinese is missing"
    added = {a for a in acronyms(english) - acronyms(chinese) if not any(n in chinese for n in CHINESE_NAMES.get(a, ()))}
    assert not added, f"acronyms with nothing in the Chinese: {added}"
    in_english, in_chinese = actors(english, chinese)
    assert set(find_actors(chinese)) <= in_english and in_english <= in_chinese
    assert ("全权代表大会" in chinese) == ("Plenipotentiary" in english)


def test_the_oracle_catches_a_dropped_or_added_fact():
    chinese = "全权代表大会第71号决议（2022年，布加勒斯特，修订版）和ITU-T于2023年6月成立RG-DT"
    right = "Resolution 71 (Rev. Bucharest, 2022) of the Plenipotentiary Conference and ITU-T established RG-DT in June 2023"
    assert numbers(right) == numbers(chinese) and references(right) == references(chinese)
    assert numbers(right.replace("June", "July")) != numbers(chinese)
    assert references(right.replace("Rev. ", "")) != references(chinese)
    assert acronyms(chinese) - acronyms(right.replace("RG-DT", "the group")) == {"RG-DT"}
    assert acronyms(right + " and SDOs") - acronyms(chinese) == {"SDO"}
