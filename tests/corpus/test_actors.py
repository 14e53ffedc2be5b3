"""The actor table: finding actors in free text and naming them in both languages."""

from __future__ import annotations

import pytest

from corpus.actors import ACTOR_KEYS, actor_mentions, actor_names, english_name, find_actors, resolve_actor
from corpus.errors import AssistantError


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("What must TSAG do?", ["tsag"]),
        ("电信标准化顾问组需要做什么？", ["tsag"]),
        ("the Telecommunication Standardization Advisory Group", ["tsag"]),
        ("the director of the telecommunication standardization bureau", ["tsb-director"]),
        ("电信标准化局主任和研究组", ["tsb-director", "study-groups"]),
        ("ITU-T study groups, within their mandates", ["study-groups"]),
        ("国际电联电信标准化部门研究组在其职权范围内", ["study-groups"]),
        ("Member States, Sector Members, Associates and Academia", ["members"]),
        ("学术界和成员国", ["members"]),
        ("大学和科研机构", ["members"]),  # academia as newcomers name it
        ("universities and research institutes", ["members"]),
        ("与ITU-D研究组密切协调", ["itu-d-study-groups"]),
        ("ITU-D哪个研究组主要做数字化转型", ["itu-d-study-groups"]),  # the Sector, then which of its groups
        ("the Secretary-General and the Council", ["secretary-general", "council"]),
        # Shortened by rule: "head of", no "Telecommunication", a Chinese name's tail, plurals.
        ("What does the head of the Standardization Bureau do?", ["tsb-director"]),
        ("那顾问组呢？", ["tsag"]),
        ("what are the SGs doing", ["study-groups"]),
        ("TSB Directors", ["tsb-director"]),
        ("局主任", []),  # the tail of three directors' names: nobody's
        ("my government", ["members"]),
        # A name after a letter and a hyphen is part of another word: no actor.
        ("what does WTDC Res 89 say about e-government", []),
        ("non-members", []),
        ("Nothing to see here", []),
        ("TSBX and associated ideas", []),
    ],
)
def test_find_actors(text, keys):
    assert find_actors(text) == keys


def test_find_actors_lists_each_actor_once_in_order_of_first_mention():
    assert find_actors("研究组, TSAG, study groups, 电信标准化顾问组") == ["study-groups", "tsag"]


def test_actor_names():
    assert actor_names("tsb-director") == {"zh": "电信标准化局主任", "en": "the Director of TSB"}
    assert actor_names("members") == {
        "zh": "成员国、部门成员、部门准成员和学术成员",
        "en": "Member States, Sector Members, Associates and Academia",
    }
    assert all(set(actor_names(key)) == {"zh", "en"} for key in ACTOR_KEYS)


def test_study_groups_after_another_sectors_name_are_that_sectors():
    assert find_actors("需要和ITU-D的研究组密切协调") == ["itu-d-study-groups"]
    assert find_actors("coordination with the ITU-D SGs") == ["itu-d-study-groups"]
    assert find_actors("ITU-R的研究组要做什么") == ["itu-r-study-groups"]
    assert find_actors("ITU-T研究组和研究组") == ["study-groups"]
    # The Sector before the name is part of it: "ITU-T各研究组" leaves no "ITU-T" behind as a topic.
    assert actor_mentions("ITU-T各研究组的任务") == [(0, 9, "study-groups")]


def test_english_name_is_the_full_name_a_reader_without_abbreviations_can_follow():
    assert english_name("tsag") == "Telecommunication Standardization Advisory Group"
    assert english_name("TSB Director") == "Director of the Telecommunication Standardization Bureau"
    assert english_name("members") == "Member States, Sector Members, Associates and Academia"


def test_resolve_actor_accepts_keys_and_names_in_both_languages():
    assert resolve_actor("tsag") == resolve_actor("TSAG") == resolve_actor("电信标准化顾问组") == "tsag"
    assert resolve_actor("the Director of TSB") == "tsb-director"
    with pytest.raises(AssistantError, match="known actors"):
        resolve_actor("TSAG and the Secretary-General")


def test_bodies_are_named_by_their_short_names_too():
    from corpus.assemblies import body_mentions

    assert [body for *_, body in body_mentions("Which development conference resolutions does it mention?", own="")] == ["WTDC"]
    assert [body for *_, body in body_mentions("有没有引PP的决议", own="")] == ["PP"]
    assert [body for *_, body in body_mentions("本届标准化全会的决议", own="WTSA")] == ["WTSA"]
