"""Readability of answers and quotes in every language version, on hand-made clauses and answers."""

from corpus.clause import Clause
from assistant.text import script_share
from assistant.types import Answer, Citation
from evals.gold import EvalCase
from evals.metrics import READABLE_SHARE, answer_readability
from evals.runner import evaluate_case

CLAUSE = Clause(
    id="doc/resolves/1", document="doc", section="resolves", item="1", kind="operative",
    text="促进合作与协作", language="zh", labels={"en": "Res 1, resolves 1", "zh": "第1号决议 做出决议 第1段"},
    versions={"en": {"text": "to promote cooperation and collaboration", "official": False}},
)


def _cited(*, quote="促进合作", english="to promote cooperation", text="According to Res 1, resolves 1: “{q}” [1]"):
    citation = Citation(1, CLAUSE.id, CLAUSE.labels["en"], quote, CLAUSE.text, dict(CLAUSE.labels),
                        versions={"en": {"text": CLAUSE.versions["en"]["text"], "quote": english, "official": False}})
    return Answer(text=text.format(q=english), citations=(citation,), language="en")


def _result(answer, lang="en"):
    case = EvalCase(id="c", lang=lang, type="lookup", question="q", gold=(CLAUSE.id,))
    return evaluate_case(case, answer, {CLAUSE.id: CLAUSE})


def test_script_share_counts_letters_of_the_language():
    assert script_share("abc 促进", "en") == 0.6
    assert script_share("abc 促进", "zh") == 0.4
    assert script_share("1, 2; 3", "en") is None


def test_an_english_answer_quoting_the_english_version_is_readable_and_its_labels_do_not_count():
    result = _result(_cited())
    assert result.quotes_ok and answer_readability(None, result) == 1.0
    chinese = _result(_cited(text="According to Res 1, resolves 1: “促进合作与协作，促进合作与协作” [1]"))
    assert chinese.readable < READABLE_SHARE and answer_readability(None, chinese) == 0.0


def test_a_version_quote_that_is_not_in_that_version_fails_quote_validity():
    assert not _result(_cited(english="to promote peace")).quotes_ok
    assert not _result(_cited(quote="不在原文中")).quotes_ok
