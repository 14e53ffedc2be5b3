"""Mandates: addressed operative clauses grouped by actor."""

from __future__ import annotations

import pytest

from corpus.errors import AssistantError
from corpus.library import load_corpus
from corpus.mandates import Mandate, _opening_address, list_mandates
from corpus.parse import parse_file
from tests.corpus.support import CORPUS_DIR, EN_FIXTURE


@pytest.fixture(scope="module")
def clauses():
    return load_corpus(CORPUS_DIR)


def test_all_mandates_grouped_by_actor_in_document_order(clauses):
    mandates = list_mandates(clauses)
    assert [(m.actor, m.verb, m.clause_id.split("/", 1)[1]) for m in mandates] == [
        ("members", "encourages", "resolves/4"),  # "鼓励成员，特别是学术界…": addressed in its own words
        ("members", "invites", "invites-members/1"),
        ("tsag", "resolves-to-instruct", "resolves-to-instruct-tsag/1"),
        ("tsb-director", "resolves-to-instruct", "resolves-to-instruct-tsb-director/1"),
        ("study-groups", "instructs", "instructs-study-groups/1"),
        ("study-groups", "instructs", "instructs-study-groups/2"),
        ("study-groups", "instructs", "instructs-study-groups/3"),
    ]


def test_a_plain_resolves_clause_is_a_mandate_only_when_it_opens_by_addressing_someone(clauses):
    [encouraged] = [m for m in list_mandates(clauses) if "/resolves/" in m.clause_id]
    assert encouraged.clause_id == "wtsa-res106-2024/resolves/4"
    assert encouraged.labels["en"] == "Resolution 106 (New Delhi, 2024), resolves 4"
    assert encouraged.text.startswith("鼓励成员")


@pytest.mark.parametrize("text, expected", [
    ("鼓励成员，特别是学术界和发展中国家参与ITU-T的活动，", ("members", "encourages")),
    ("请电信标准化局主任向理事会报告；", ("tsb-director", "invites")),
    ("to encourage Member States to take part in the work;", ("members", "encourages")),
    ("to invite the ITU Council to consider this report;", ("council", "invites")),
    ("请注意到本决议的附件；", None),  # a verb, but nobody right after it
    ("要求所有相关方加强协作；", None),
    ("促进电信标准化顾问组的工作；", None),  # an actor, but no addressing verb
    ("that every clause shall keep a stable identifier;", None),
])  # fmt: skip
def test_who_an_opening_addresses(text, expected):
    assert _opening_address(text) == expected


@pytest.mark.parametrize("name", ["tsag", "TSAG", "电信标准化顾问组", "Telecommunication Standardization Advisory Group"])
def test_actor_matches_in_either_language(clauses, name):
    [mandate] = list_mandates(clauses, actor=name)
    assert mandate.clause_id == "wtsa-res106-2024/resolves-to-instruct-tsag/1"
    assert mandate.actor_names == {"zh": "电信标准化顾问组", "en": "TSAG"}
    assert mandate.text.startswith("采取一切必要措施")
    assert mandate.labels["en"] == "Resolution 106 (New Delhi, 2024), resolves to instruct TSAG"


def test_members_by_any_alias(clauses):
    for name in ("members", "Member States", "academia", "学术界", "成员国、部门成员、部门准成员和学术成员"):
        assert [m.clause_id for m in list_mandates(clauses, actor=name)] == [
            "wtsa-res106-2024/resolves/4", "wtsa-res106-2024/invites-members/1"
        ]


def test_a_known_actor_without_mandates_gives_an_empty_list(clauses):
    assert list_mandates(clauses, actor="秘书长") == []


def test_unknown_actor_lists_the_known_ones(clauses):
    with pytest.raises(AssistantError, match=r"unknown actor 'the janitor'.*tsag \(TSAG / 电信标准化顾问组\)"):
        list_mandates(clauses, actor="the janitor")


def test_mandates_across_documents_keep_corpus_order(clauses):
    both = clauses + list(parse_file(EN_FIXTURE).clauses)
    study_groups = list_mandates(both, actor="study groups")
    assert [m.clause_id.split("/")[0] for m in study_groups] == ["wtsa-res106-2024"] * 3 + ["wtsa-res900-2022"] * 2
    assert [m.verb for m in list_mandates(both, actor="members")] == ["encourages", "invites", "invites", "encourages"]


def test_mandate_to_dict(clauses):
    mandate = list_mandates(clauses, actor="tsb-director")[0]
    data = mandate.to_dict()
    assert data["actor"] == "tsb-director" and data["verb"] == "resolves-to-instruct"
    assert Mandate(**data) == mandate
