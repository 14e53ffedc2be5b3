"""The shipped gold set itself: sizes, ids, quotes and key facts checked against the seed."""

from collections import Counter
from pathlib import Path

import pytest

from evals.gold import DEV_TYPES, load_gold
from evals.metrics import normalize
from tests.evals.helpers import CONTRACT_IDS, DOCUMENT

EVALS = Path(__file__).resolve().parents[2] / "evals"


@pytest.fixture(scope="module")
def dev(seed_clauses):
    return load_gold(EVALS / "dev.jsonl", seed_clauses)


@pytest.fixture(scope="module")
def texts(seed_clauses):
    return {clause.id: clause.text for clause in seed_clauses}


def test_seed_has_the_contract_ids(texts):
    # The title block is a clause too: the target of document-fact answers.
    assert sorted(texts) == sorted([*CONTRACT_IDS, f"{DOCUMENT}/title/1"])


def test_sizes_meet_the_minimums(dev):
    langs = Counter(case.lang for case in dev)
    types = Counter(case.type for case in dev)
    assert len(dev) >= 100
    assert langs["zh"] >= 50 and langs["en"] >= 40
    assert set(types) == set(DEV_TYPES) and min(types.values()) >= 5
    assert sum(case.type == "followup" and case.multi_turn for case in dev) >= 12
    assert types["unanswerable"] >= 14
    assert sum(bool(case.gold_quotes) for case in dev) >= 15
    for lang in ("zh", "en"):
        assert {case.type for case in dev if case.lang == lang} == set(DEV_TYPES)


def test_types_agree_with_the_fields(dev):
    for case in dev:
        assert (case.type == "unanswerable") == (not case.answerable), case.id
        if case.type == "followup":
            assert case.history, case.id
        assert not (case.type == "unanswerable" and case.key_facts), case.id


def test_gold_ids_are_contract_ids(dev):
    assert {gold for case in dev for gold in case.gold} <= set(CONTRACT_IDS)


def test_every_quote_is_in_exactly_one_clause_and_agrees_with_the_ids(dev, texts):
    for case in dev:
        for quote in case.gold_quotes:
            matches = [cid for cid, text in texts.items() if quote in text]
            assert len(matches) == 1, (case.id, quote, matches)
            if case.gold_ids:
                assert matches[0] in case.gold_ids, (case.id, quote)


def test_key_facts_are_in_the_gold_clauses(dev, texts):
    for case in dev:
        gold_text = normalize(" ".join(texts[cid] for cid in case.gold))
        for fact in case.key_facts:
            assert normalize(fact) in gold_text, (case.id, fact)


@pytest.mark.parametrize(
    ("question", "history", "gold"),
    [
        ("哪些决议被忆及？", (), [f"recalling/{x}" for x in "abcde"]),
        ("What are the study groups instructed to do?", (), [f"instructs-study-groups/{n}" for n in "123"]),
        ("那成员国呢？", ("研究组的任务是什么？",), ["invites-members/1"]),
        ("and paragraph 2?", ("What does resolves 1 say?",), ["resolves/2"]),
        ("脚注1是什么意思", (), ["footnotes/1"]),
        ("电信标准化局主任要做什么？", (), ["resolves-to-instruct-tsb-director/1"]),
    ],
)
def test_anchor_cases(dev, question, history, gold):
    [case] = [c for c in dev if c.question == question and c.history == history]
    assert sorted(case.gold) == sorted(f"{DOCUMENT}/{g}" for g in gold)


def test_quotes_only_example_loads(seed_clauses):
    examples = load_gold(EVALS / "examples" / "gold-quotes-only.jsonl", seed_clauses)
    assert len(examples) >= 8
    assert all(not case.gold_ids for case in examples)
    assert all(case.gold for case in examples if case.answerable)
