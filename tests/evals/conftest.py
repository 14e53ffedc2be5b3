"""Fixtures for the eval tests: the seed's clauses, and a small hand-made corpus."""

from __future__ import annotations

import pytest

from assistant.types import Answer, Citation, Hit
from corpus.clause import Clause
from evals.gold import EvalCase
from tests.evals.helpers import DOCUMENT, SEED, cite, make_clause, read_seed


@pytest.fixture(scope="session")
def seed_clauses() -> list[Clause]:
    """The seed's clauses: from the parser when it exists, else from `read_seed`."""
    try:
        from corpus.library import load_corpus
    except ImportError:
        return read_seed()
    return [clause for clause in load_corpus(SEED.parent) if clause.document == DOCUMENT]


@pytest.fixture()
def clauses() -> list[Clause]:
    """Four hand-made clauses: a, b, c (ids doc/resolves/1..3) and a footnote."""
    return [
        make_clause("1", "鼓励成员参与标准化活动"),
        make_clause("2", "促进 合作与协作，以分享知识"),
        make_clause("3", "制定实施导则，并开展能力建设"),
        make_clause("1", "这些国家包括最不发达国家", section="footnotes"),
    ]


@pytest.fixture()
def cases() -> list[EvalCase]:
    """Five cases over `clauses`: exact, bad quote, invented id, follow-up, unanswerable."""
    return [
        EvalCase(id="exact", lang="zh", type="lookup", question="成员做什么？", gold=("doc/resolves/1",), key_facts=("鼓励成员",)),
        EvalCase(id="bad-quote", lang="zh", type="lookup", question="导则？", gold=("doc/resolves/3",)),
        EvalCase(id="invented", lang="en", type="list", question="All?", gold=("doc/resolves/1", "doc/resolves/2")),
        EvalCase(id="follow", lang="en", type="followup", question="and 2?", history=("What is 1?",), gold=("doc/resolves/2",)),
        EvalCase(id="none", lang="en", type="unanswerable", question="Budget?", answerable=False),
    ]


@pytest.fixture()
def ask(clauses):
    """A fake `ask` answering `cases` from fixed Answer objects; records what it was asked in `ask.seen`."""
    one, two, three, _ = clauses
    answers = {
        "成员做什么？": Answer("鼓励成员参与标准化活动 [1]", (cite(one, "鼓励成员参与"),), hits=(Hit(one, 0.9), Hit(two, 0.5))),
        "导则？": Answer("…", (cite(three, "not in the text"),), hits=(Hit(three, 0.9),)),
        "All?": Answer(
            "…",
            (cite(one, "鼓励成员"), cite(one, "参与", 2), Citation(3, "doc/resolves/99", "?", "x")),
            hits=(Hit(two, 0.8), Hit(one, 0.7)),
        ),
        "and 2?": Answer("…", (cite(two, "以分享知识"),), hits=(Hit(two, 0.9),)),
        "Budget?": Answer("The resolution does not say.", abstained=True, hits=(Hit(one, 0.1),)),
    }
    seen = []

    def ask(question, history):
        seen.append((question, tuple(history)))
        return answers[question]

    ask.seen = seen
    return ask
