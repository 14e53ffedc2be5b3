"""Run a gold set through an `ask` function and check the results against thresholds."""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from assistant.types import Answer
from corpus.clause import Clause
from corpus.errors import AssistantError
from evals.gold import LANGS, EvalCase
from assistant.text import script_share
from evals.metrics import CaseResult, EvalReport, passes, score_case, summarize

Ask = Callable[[str, Sequence[str]], Answer]

_BOUNDS = {"min": "minimum", "max": "maximum"}


def run_eval(
    cases: Sequence[EvalCase],
    ask: Ask,
    clauses: Iterable[Clause],
    *,
    name: str = "product",
    clock: Callable[[], float] = time.perf_counter,
) -> EvalReport:
    """Ask every case's question (with its history) and score the answers.

    Everything but latency is deterministic for a deterministic `ask`; pass a fake
    `clock` to make latency deterministic too.

    >>> report = run_eval(load_gold("evals/dev.jsonl", clauses), assistant.ask, clauses)
    >>> report.score, report.aggregates["recall_at_5"]
    """
    by_id = {clause.id: clause for clause in clauses}
    results = []
    for case in cases:
        start = clock()
        answer = ask(case.question, tuple(case.history))
        latency_ms = (clock() - start) * 1000.0
        results.append(evaluate_case(case, answer, by_id, latency_ms=latency_ms))
    labels = {cid: _label(cid, by_id) for result in results for cid in (*result.gold, *result.cited)}
    return summarize(name, results, labels=labels)


def evaluate_case(
    case: EvalCase, answer: Answer, clauses_by_id: dict[str, Clause], *, latency_ms: float = 0.0
) -> CaseResult:
    """Turn one answer into a scored CaseResult."""
    citations = answer.citations
    visible = answer.text  # what a reader reads, the labels aside
    for label in {label for c in citations for label in (c.label, *c.labels.values())} - {""}:
        visible = visible.replace(label, " ")
    result = CaseResult(
        case_id=case.id,
        lang=case.lang,
        type=case.type,
        question=case.question,
        answerable=case.answerable,
        gold=case.gold,
        history=case.history,
        ranked=tuple(hit.clause.id for hit in answer.hits),
        cited=tuple(dict.fromkeys(c.clause_id for c in citations)),
        quotes=tuple(c.quote for c in citations),
        invalid_ids=tuple(dict.fromkeys(c.clause_id for c in citations if c.clause_id not in clauses_by_id)),
        quotes_ok=all(_quotes_hold(c, clauses_by_id.get(c.clause_id)) for c in citations),
        readable=script_share(visible, case.lang),
        abstained=answer.abstained,
        answer=answer.text,
        latency_ms=latency_ms,
    )
    return replace(result, scores=score_case(case, result), passed=passes(case, result))


def _quotes_hold(citation, clause: Clause | None) -> bool:
    """The citation's quote is in its clause's text, and each version's quote in that version's text."""
    if clause is None or not citation.quote or citation.quote not in clause.text:
        return False
    for language, version in citation.versions.items():
        text = clause.versions.get(language, {}).get("text", "")
        if not version.get("quote") or version["quote"] not in text:
            return False
    return True


def aggregate_json(report: EvalReport) -> dict:
    """The report's numbers as one flat JSON object, with per-language sections under "by_lang"."""
    return {
        "name": report.name,
        "score": report.score,
        **report.aggregates,
        "ci": dict(report.ci),
        "by_lang": dict(report.slices.get("lang", {})),
    }


def check_thresholds(aggregates: dict, thresholds: dict) -> list[str]:
    """One message per missed threshold; an empty list means the run passes.

    `aggregates` is `aggregate_json(report)`; `thresholds` is what `load_thresholds` returns:
    {"min": {"citation_f1": 0.8}, "max": {"latency_p95_ms": 2000}, "zh": {"min": {...}}}.
    """
    misses = _check(aggregates, thresholds, "")
    for lang in LANGS:
        if lang not in thresholds:
            continue
        scoped = aggregates.get("by_lang", {}).get(lang)
        if scoped is None:
            misses.append(
                f"{lang}: no {lang} cases were run, so its thresholds cannot be checked; "
                f"add {lang} cases or drop [{lang}.*]"
            )
            continue
        misses += _check(scoped, thresholds[lang], f"{lang} ")
    return misses


def load_thresholds(path: str | Path) -> dict:
    """Read thresholds from TOML: [min], [max], and optionally [zh.min], [en.max], ..."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise AssistantError(f"cannot read thresholds {path}: {exc.strerror}; check the path") from None
    except tomllib.TOMLDecodeError as exc:
        raise AssistantError(f"thresholds {path} is not valid TOML: {exc}") from None
    for section, body in data.items():
        if section in _BOUNDS:
            _check_bounds(path, section, body)
        elif section in LANGS and isinstance(body, dict):
            for bound, limits in body.items():
                if bound not in _BOUNDS:
                    raise AssistantError(
                        f"thresholds {path}: unknown section [{section}.{bound}]; "
                        f"use [{section}.min] or [{section}.max]"
                    )
                _check_bounds(path, f"{section}.{bound}", limits)
        else:
            raise AssistantError(
                f"thresholds {path}: unknown section [{section}]; use [min], [max], [zh.min], [en.max], ..."
            )
    return data


def _check_bounds(path: Path, section: str, limits: object) -> None:
    if not isinstance(limits, dict):
        raise AssistantError(f"thresholds {path}: [{section}] must be a table of metric = number")
    for metric, limit in limits.items():
        if isinstance(limit, bool) or not isinstance(limit, int | float):
            raise AssistantError(f"thresholds {path}: [{section}] {metric} = {limit!r} is not a number")


def _check(values: dict, bounds: dict, prefix: str) -> list[str]:
    misses = []
    for bound in _BOUNDS:
        for metric, limit in bounds.get(bound, {}).items():
            if metric not in values:
                misses.append(f"{prefix}{metric}: no such metric; check the spelling in the thresholds file")
                continue
            value = values[metric]
            if value is None:
                misses.append(
                    f"{prefix}{metric}: not measured (no case it applies to), "
                    f"so the {_BOUNDS[bound]} {limit} cannot be met"
                )
            elif bound == "min" and value < limit:
                misses.append(f"{prefix}{metric} = {value:.3f} is below the minimum {limit}")
            elif bound == "max" and value > limit:
                misses.append(f"{prefix}{metric} = {value:.3f} is above the maximum {limit}")
    return misses


def _label(clause_id: str, by_id: dict[str, Clause]) -> str:
    clause = by_id.get(clause_id)
    return clause.label("en") if clause else f"{clause_id} (not in the corpus)"
