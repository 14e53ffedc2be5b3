"""The `eval` command: score configurations on a gold file, write reports, gate on thresholds."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from corpus.errors import AssistantError
from corpus.library import load_corpus
from evals.gold import dataset_hash, load_gold
from evals.report import code_version, write_results
from evals.runner import aggregate_json, check_thresholds, load_thresholds, run_eval

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_GOLD = EVALS_DIR / "dev.jsonl"
DEFAULT_THRESHOLDS = EVALS_DIR / "thresholds.toml"
EXIT_THRESHOLD = 3
_TABLE = (
    ("citation_f1", "cit. F1"),
    ("citation_precision", "cit. P"),
    ("citation_recall", "cit. R"),
    ("recall_at_1", "R@1"),
    ("recall_at_5", "R@5"),
    ("mrr", "MRR"),
    ("abstention_accuracy", "abstain ok"),
    ("false_abstention_rate", "false abstain"),
    ("invalid_citation_rate", "invalid cit."),
)


def _print_table(aggregates: dict[str, dict]) -> None:
    print(f"{'configuration':<12}" + "".join(f"{title:>15}" for _, title in _TABLE))
    for name, agg in aggregates.items():
        cells = "".join(
            f"{agg.get(key):>15.3f}" if isinstance(agg.get(key), (int, float)) else f"{'–':>15}" for key, _ in _TABLE
        )
        print(f"{name:<12}{cells}")


def build_parser():
    import argparse

    parser = argparse.ArgumentParser(
        prog="resolution-assistant eval",
        description=EVAL_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--gold", metavar="FILE.jsonl", help="gold cases (default: evals/dev.jsonl)")
    parser.add_argument("--out", metavar="DIR", default="evals/results", help="where to write the report (default: %(default)s)")
    parser.add_argument("--compare", nargs="*", metavar="CONFIG", default=[], help="also score: tutorial dense bm25 minilm")
    parser.add_argument("--thresholds", metavar="FILE.toml", help="thresholds (default: evals/thresholds.toml, for the dev set)")
    parser.add_argument("--json", action="store_true", help="print the product's aggregates as one JSON object")
    return parser


EVAL_HELP = """Measure citation accuracy on a gold file (default: the shipped dev set).

Writes results.json, report.md and PNG plots to --out; exits 3 when a threshold
is missed (evals/thresholds.toml for the shipped dev set; for your own --gold
file, pass --thresholds FILE.toml with [min] and [max] tables to gate it). --compare adds other pipelines to the same
run: tutorial (500-char chunks, MiniLM, top-4), dense, bm25, minilm.

Gold file: JSONL, one case a line: {"id", "lang": "zh"|"en", "question",
"history"?, "gold_ids"?, "gold_quotes"?, "answerable", "key_facts"?}; a gold quote
is any verbatim piece of a clause, so ids are optional.

example:
  resolution-assistant eval
  resolution-assistant eval --gold my-gold.jsonl --out results/ --json
  resolution-assistant eval --compare tutorial dense bm25 minilm
"""


def main(argv=None) -> int:
    """Entry point of `resolution-assistant eval` (run as `python -m evals`)."""
    from assistant.settings import Settings, use_offline_environment

    use_offline_environment()

    args = build_parser().parse_args(argv)
    try:
        return run_eval_command(args, Settings.from_env())
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _check_writable(out: Path) -> None:
    """A one-line error unless `out` is (or can be made) a folder this process can write in."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-check-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise _cannot_write(out, exc) from None


def _cannot_write(out: Path, exc: OSError) -> AssistantError:
    return AssistantError(f"cannot write the results to {out} ({exc.strerror or exc}); pass another --out")


def run_eval_command(args, settings) -> int:
    """Run the configurations, write results.json / report.md / plots, return the exit code."""
    from assistant.baselines import CONFIGS, make_pipeline

    gold_path = Path(args.gold) if args.gold else DEFAULT_GOLD
    configs = ["product", *[c for c in args.compare if c != "product"]]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        raise AssistantError(f"unknown configuration {unknown[0]!r}; choose from {', '.join(CONFIGS[1:])}")
    clauses = load_corpus(settings.corpus_dir)
    cases = load_gold(gold_path, clauses)
    out = Path(args.out)
    _check_writable(out)  # before the run, which can take minutes, not after it (and after the gold file, so a bad one leaves no folder)
    reports = {}
    for name in configs:
        if not args.json:
            print(f"Evaluating {name} on {len(cases)} cases...", file=sys.stderr)
        reports[name] = run_eval(cases, make_pipeline(name, settings, clauses), clauses, name=name)
    meta = {
        "code_version": code_version(),
        "dataset": str(gold_path),
        "dataset_hash": dataset_hash(gold_path),
        "model": settings.embedding_model,
        "settings": settings.describe(),
        "configurations": configs,
    }
    try:
        paths = write_results(out, reports, meta=meta)
    except OSError as exc:  # the disk filled or the folder went away during the run
        raise _cannot_write(out, exc) from None
    aggregates = {name: aggregate_json(report) for name, report in reports.items()}
    # The shipped thresholds were set on the shipped dev set; another gold file is gated
    # only by thresholds its author passes.
    thresholds_path = Path(args.thresholds) if args.thresholds else (DEFAULT_THRESHOLDS if not args.gold else None)
    misses = check_thresholds(aggregates["product"], load_thresholds(thresholds_path)) if thresholds_path else []
    if args.json:
        print(json.dumps(aggregates["product"], ensure_ascii=False))
    else:
        _print_table(aggregates)
        print(f"\nWrote {', '.join(str(p) for p in paths.values())}")
    for miss in misses:
        print(f"threshold missed: {miss}", file=sys.stderr)
    return EXIT_THRESHOLD if misses else 0

