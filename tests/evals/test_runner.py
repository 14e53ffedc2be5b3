import pytest

from assistant.types import Answer
from corpus.errors import AssistantError
from evals.gold import EvalCase
from evals.runner import aggregate_json, check_thresholds, evaluate_case, load_thresholds, run_eval
from tests.evals.helpers import cite, fake_clock

REQUIRED_KEYS = {
    "n", "citation_precision", "citation_recall", "citation_f1", "recall_at_1", "recall_at_3", "recall_at_5",
    "mrr", "ndcg_at_10", "exact_match", "abstention_accuracy", "false_abstention_rate", "invalid_citation_rate",
    "quote_validity", "key_fact_hit_rate", "latency_p50_ms", "latency_p95_ms",
}


def test_run_eval_scores_every_case(cases, ask, clauses):
    report = run_eval(cases, ask, clauses, name="fake", clock=fake_clock())
    by_id = {result.case_id: result for result in report.cases}
    assert ("and 2?", ("What is 1?",)) in ask.seen
    assert by_id["exact"].passed and by_id["exact"].scores["key_fact_hit_rate"] == 1.0
    assert not by_id["bad-quote"].passed and not by_id["bad-quote"].quotes_ok
    assert by_id["bad-quote"].scores["citation_f1"] == 1.0
    invented = by_id["invented"]
    assert invented.cited == ("doc/resolves/1", "doc/resolves/99")
    assert invented.invalid_ids == ("doc/resolves/99",)
    assert invented.scores["citation_precision"] == 0.5 and invented.scores["citation_recall"] == 0.5
    assert invented.ranked == ("doc/resolves/2", "doc/resolves/1")
    assert by_id["follow"].passed and by_id["none"].passed
    assert report.name == "fake"
    assert report.score == pytest.approx((1 + 1 + 0.5 + 1) / 4)
    assert report.aggregates["latency_p50_ms"] == pytest.approx(10.0)
    assert report.aggregates["pass_rate"] == pytest.approx(3 / 5)
    assert report.labels["doc/resolves/1"] == "Doc, resolves 1"
    assert report.labels["doc/resolves/99"] == "doc/resolves/99 (not in the corpus)"


def test_run_eval_is_deterministic(cases, ask, clauses):
    first = run_eval(cases, ask, clauses, clock=fake_clock())
    second = run_eval(cases, ask, clauses, clock=fake_clock())
    assert first.to_dict() == second.to_dict()


def test_empty_quote_is_not_a_valid_quote(clauses):
    case = EvalCase(id="c", lang="zh", type="lookup", question="q", gold=("doc/resolves/1",))
    result = evaluate_case(case, Answer("…", (cite(clauses[0], ""),)), {c.id: c for c in clauses})
    assert not result.quotes_ok and not result.passed


def test_aggregate_json_has_the_required_keys(cases, ask, clauses):
    data = aggregate_json(run_eval(cases, ask, clauses, clock=fake_clock()))
    assert REQUIRED_KEYS <= set(data)
    assert data["n"] == 5 and set(data["by_lang"]) == {"zh", "en"}
    assert data["ci"]["citation_f1"][0] <= data["citation_f1"] <= data["ci"]["citation_f1"][1]


def test_check_thresholds_reports_each_miss():
    aggregates = {
        "citation_f1": 0.7,
        "latency_p95_ms": 900.0,
        "key_fact_hit_rate": None,
        "by_lang": {"zh": {"citation_f1": 0.6}},
    }
    thresholds = {
        "min": {"citation_f1": 0.8, "key_fact_hit_rate": 0.5, "recal_at_5": 0.9},
        "max": {"latency_p95_ms": 500},
        "zh": {"min": {"citation_f1": 0.5}},
        "en": {"min": {"citation_f1": 0.5}},
    }
    assert check_thresholds(aggregates, thresholds) == [
        "citation_f1 = 0.700 is below the minimum 0.8",
        "key_fact_hit_rate: not measured (no case it applies to), so the minimum 0.5 cannot be met",
        "recal_at_5: no such metric; check the spelling in the thresholds file",
        "latency_p95_ms = 900.000 is above the maximum 500",
        "en: no en cases were run, so its thresholds cannot be checked; add en cases or drop [en.*]",
    ]
    assert check_thresholds(aggregates, {"zh": {"min": {"citation_f1": 0.7}}}) == ["zh citation_f1 = 0.600 is below the minimum 0.7"]
    assert check_thresholds(aggregates, {"min": {"citation_f1": 0.7}, "max": {"latency_p95_ms": 900}}) == []


def test_load_thresholds_reads_toml(tmp_path):
    path = tmp_path / "thresholds.toml"
    path.write_text("[min]\ncitation_f1 = 0.8\n[max]\nlatency_p95_ms = 2000\n[zh.min]\nrecall_at_5 = 0.9\n", encoding="utf-8")
    assert load_thresholds(path) == {
        "min": {"citation_f1": 0.8},
        "max": {"latency_p95_ms": 2000},
        "zh": {"min": {"recall_at_5": 0.9}},
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[min\n", "is not valid TOML"),
        ("[mni]\nx = 1\n", r"unknown section \[mni\]"),
        ("[zh.least]\nx = 1\n", r"unknown section \[zh.least\]"),
        ("[min]\ncitation_f1 = 'high'\n", r"\[min\] citation_f1 = 'high' is not a number"),
        ("[max]\nlatency_p95_ms = true\n", r"\[max\] latency_p95_ms = True is not a number"),
        ("min = 3\n", r"\[min\] must be a table"),
    ],
)
def test_load_thresholds_errors(tmp_path, text, message):
    path = tmp_path / "thresholds.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AssistantError, match=message):
        load_thresholds(path)
    with pytest.raises(AssistantError, match="cannot read thresholds"):
        load_thresholds(tmp_path / "missing.toml")
