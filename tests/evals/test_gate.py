"""The CI gate: the product on the shipped dev set must meet evals/thresholds.toml."""

from pathlib import Path

from evals.gold import load_gold
from evals.runner import aggregate_json, check_thresholds, load_thresholds, run_eval

EVALS = Path(__file__).resolve().parents[2] / "evals"


def test_dev_set_meets_the_thresholds(assistant):
    cases = load_gold(EVALS / "dev.jsonl", assistant.clauses)
    report = run_eval(cases, assistant.ask, assistant.clauses)
    aggregates = aggregate_json(report)
    misses = check_thresholds(aggregates, load_thresholds(EVALS / "thresholds.toml"))
    assert not misses, misses
    # Hard gates of the citation contract, whatever the thresholds file says.
    assert aggregates["invalid_citation_rate"] == 0.0
    assert aggregates["quote_validity"] == 1.0


def test_gold_quotes_only_example_scores(assistant):
    cases = load_gold(EVALS / "examples" / "gold-quotes-only.jsonl", assistant.clauses)
    report = run_eval(cases, assistant.ask, assistant.clauses, name="example")
    assert report.aggregates["n"] == len(cases)
