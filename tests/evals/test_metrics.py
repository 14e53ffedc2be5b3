import math
from dataclasses import replace

import pytest

from evals.gold import EvalCase
from evals.metrics import (
    HEADLINE,
    METRICS,
    CaseResult,
    EvalReport,
    aggregate,
    bootstrap_ci,
    citation_f1,
    citation_precision,
    citation_recall,
    exact_match,
    key_fact_hit_rate,
    mrr,
    ndcg,
    normalize,
    passes,
    recall_at_k,
    recall_curve,
    score_case,
    summarize,
)


def gold_case(*gold, id="c", lang="zh", type="lookup", history=(), key_facts=()):
    return EvalCase(id=id, lang=lang, type=type, question="q", history=history, gold=gold, key_facts=key_facts, answerable=bool(gold))


def observe(case, **fields):
    """A scored CaseResult for `case` with the observed fields given."""
    base = CaseResult(
        case_id=case.id, lang=case.lang, type=case.type, question=case.question,
        answerable=case.answerable, gold=case.gold, history=case.history,
    )
    result = replace(base, **fields)
    return replace(result, scores=score_case(case, result), passed=passes(case, result))


def test_ranking_metrics_on_a_hand_made_ranking():
    case = gold_case("a", "b")
    result = observe(case, ranked=("c", "a", "a", "d", "b"))  # "a" retrieved twice holds one rank
    assert recall_at_k(case, result, k=1) == 0.0
    assert recall_at_k(case, result, k=3) == 0.5
    assert recall_at_k(case, result, k=5) == 1.0
    assert mrr(case, result) == 0.5
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg(case, result) == pytest.approx(expected)
    assert ndcg(case, result) == pytest.approx(0.650921, abs=1e-6)
    assert result.gold_ranks() == {"a": 2, "b": 4}


def test_ranking_metrics_cut_off_at_ten():
    case = gold_case("g")
    late = observe(case, ranked=tuple(f"x{i}" for i in range(10)) + ("g",))
    assert mrr(case, late) == 0.0 and ndcg(case, late) == 0.0
    assert recall_curve([late], max_k=11) == [0.0] * 10 + [1.0]
    assert observe(case, ranked=()).scores["recall_at_1"] == 0.0


def test_citation_metrics_partial_overlap():
    case = gold_case("a", "b")
    result = observe(case, cited=("a", "c"), quotes=("q1", "q2"))
    assert citation_precision(case, result) == 0.5
    assert citation_recall(case, result) == 0.5
    assert citation_f1(case, result) == 0.5
    assert exact_match(case, result) == 0.0
    assert not result.passed


def test_citation_metrics_with_a_duplicate_citation():
    case = gold_case("a", "b")
    result = observe(case, cited=("a", "a"))
    assert citation_precision(case, result) == 1.0
    assert citation_recall(case, result) == 0.5
    assert citation_f1(case, result) == pytest.approx(2 / 3)


def test_nothing_cited_on_an_answerable_case():
    case = gold_case("a")
    scores = observe(case, abstained=True).scores
    assert scores["citation_precision"] == 0.0
    assert scores["citation_recall"] == 0.0
    assert scores["citation_f1"] == 0.0
    assert scores["exact_match"] == 0.0
    assert scores["false_abstention_rate"] == 1.0
    assert scores["invalid_citation_rate"] is None
    assert scores["quote_validity"] is None
    assert scores["abstention_accuracy"] is None


def test_exact_citations_pass_only_with_valid_quotes():
    case = gold_case("a", "b")
    good = observe(case, cited=("b", "a"))
    assert good.scores["citation_f1"] == 1.0 and good.scores["exact_match"] == 1.0 and good.passed
    assert not observe(case, cited=("a", "b"), quotes_ok=False).passed


def test_unanswerable_case_scores():
    case = gold_case()
    right = observe(case, abstained=True)
    cited_anyway = observe(case, abstained=True, cited=("a",))
    answered = observe(case, abstained=False)
    assert right.scores["abstention_accuracy"] == 1.0 and right.passed
    assert cited_anyway.scores["abstention_accuracy"] == 0.0 and not cited_anyway.passed
    assert answered.scores["abstention_accuracy"] == 0.0 and not answered.passed
    for name in ("recall_at_1", "mrr", "ndcg_at_10", "citation_f1", "exact_match", "false_abstention_rate", "key_fact_hit_rate"):
        assert right.scores[name] is None


def test_invalid_citations_and_quote_validity():
    case = gold_case("a")
    result = observe(case, cited=("a", "zzz"), invalid_ids=("zzz",), quotes_ok=False)
    assert result.scores["invalid_citation_rate"] == 0.5
    assert result.scores["quote_validity"] == 0.0


def test_key_facts_are_matched_normalized_in_answer_and_quotes():
    case = gold_case("a", key_facts=("2023年6月", "ＲＧ－ＤＴ", "经济转型国家"))
    result = observe(case, answer="It was set up in 2023 年 6 月 (rg-dt).", quotes=("电信标准化顾问组",))
    assert key_fact_hit_rate(case, result) == pytest.approx(2 / 3)
    assert key_fact_hit_rate(case, observe(case, quotes=("……经济转型国家。",))) == pytest.approx(1 / 3)
    assert key_fact_hit_rate(gold_case("a"), result) is None
    assert normalize(" 《2030年 可持续发展议程》，ITU-T ") == "2030年可持续发展议程itut"


def test_every_metric_has_the_same_signature():
    case = gold_case("a", key_facts=("x",))
    result = observe(case, cited=("a",), ranked=("a",), answer="x")
    assert set(score_case(case, result)) == set(METRICS)
    # Readability is measured only on answers the runner has read (`readable` set).
    assert {name for name, metric in METRICS.items() if metric(case, result) is None} == {
        "abstention_accuracy", "answer_readability"
    }


def test_aggregate_macro_micro_and_latency():
    one, two, none = gold_case("a", id="1"), gold_case("a", "b", "c", id="2"), gold_case(id="3")
    results = [
        observe(one, cited=("a",), ranked=("a",), latency_ms=10.0),  # P 1, R 1
        observe(two, cited=("a", "x"), ranked=("x", "a"), latency_ms=20.0),  # P 1/2, R 1/3
        observe(none, abstained=True, latency_ms=30.0),
        observe(none, cited=("a",), latency_ms=40.0),
    ]
    agg = aggregate(results)
    assert (agg["n"], agg["n_answerable"], agg["n_unanswerable"]) == (4, 2, 2)
    assert agg["citation_precision"] == pytest.approx(0.75)
    assert agg["citation_recall"] == pytest.approx(2 / 3)
    assert agg["citation_f1"] == pytest.approx((1.0 + 0.4) / 2)
    assert agg["citation_micro_precision"] == pytest.approx(2 / 3)
    assert agg["citation_micro_recall"] == pytest.approx(2 / 4)
    assert agg["citation_micro_f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert agg["recall_at_1"] == pytest.approx(0.5)
    assert agg["mrr"] == pytest.approx(0.75)
    assert agg["abstention_accuracy"] == 0.5
    assert agg["false_abstention_rate"] == 0.0
    assert agg["invalid_citation_rate"] == 0.0
    assert agg["key_fact_hit_rate"] is None
    assert agg["pass_rate"] == 0.5
    assert agg["latency_p50_ms"] == 25.0
    assert agg["latency_p95_ms"] == pytest.approx(38.5)


def test_aggregate_of_nothing_is_none_not_nan():
    agg = aggregate([])
    assert agg["n"] == 0 and agg["citation_f1"] is None and agg["latency_p50_ms"] is None


def test_bootstrap_is_seeded_and_sane():
    values = [(i * 7 % 11) / 10 for i in range(40)]  # mean 0.4875
    first = bootstrap_ci(values)
    assert first == bootstrap_ci(values)
    assert first != bootstrap_ci(values, seed=1)
    assert 0.35 < first[0] < 0.4875 < first[1] < 0.65
    assert bootstrap_ci([1.0, 1.0, 1.0]) == [1.0, 1.0]
    assert bootstrap_ci([]) is None


def test_summarize_builds_the_report():
    zh, en, follow = gold_case("a", id="z"), gold_case("b", id="e", lang="en"), gold_case(id="f", lang="en", history=("h",), type="unanswerable")
    results = [observe(zh, cited=("a",)), observe(en, cited=("a",)), observe(follow, abstained=True)]
    report = summarize("product", results, labels={"a": "A"})
    assert report.score == 0.5
    assert report.individual_scores == {"z": 1.0, "e": 0.0}
    assert set(report.ci) == set(HEADLINE)
    assert report.ci["abstention_accuracy"] == [1.0, 1.0]
    assert set(report.slices) == {"lang", "type", "turns"}
    assert report.slices["lang"]["zh"]["citation_f1"] == 1.0
    assert report.slices["turns"]["multi"]["n"] == 1 and report.slices["type"]["unanswerable"]["citation_f1"] is None
    assert EvalReport.from_dict(report.to_dict()) == report


def test_case_result_round_trips_with_gold_ranks():
    result = observe(gold_case("a"), ranked=("x", "a"), cited=("a",), quotes=("q",))
    data = result.to_dict()
    assert data["gold_ranks"] == {"a": 2} and data["passed"] is True
    assert CaseResult.from_dict(data) == result
