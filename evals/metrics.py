"""Metrics: plain functions with one signature, `metric(case, result) -> float | None`, and their aggregation.

A metric returns None where it does not apply (recall on an unanswerable case, quote
validity when nothing was cited); an aggregate is the mean over the cases where it applies.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial

import numpy as np

from evals.gold import EvalCase

RECALL_KS = (1, 3, 5)
RANK_CUTOFF = 10
HEADLINE = (
    "citation_f1",
    "citation_precision",
    "citation_recall",
    "exact_match",
    "recall_at_5",
    "mrr",
    "abstention_accuracy",
    "key_fact_hit_rate",
)
PASS_F1 = 0.999
_SEQUENCES = ("gold", "history", "ranked", "cited", "quotes", "invalid_ids")


@dataclass(frozen=True)
class CaseResult:
    """What the assistant did on one case, and how that scored.

    >>> result.cited, result.scores["citation_f1"], result.passed
    (('wtsa-res106-2024/resolves/2',), 1.0, True)
    """

    case_id: str
    lang: str
    type: str
    question: str
    answerable: bool
    gold: tuple[str, ...]
    history: tuple[str, ...] = ()  # earlier user questions
    ranked: tuple[str, ...] = ()  # retrieved clause ids, best first
    cited: tuple[str, ...] = ()  # cited clause ids in marker order, each once
    quotes: tuple[str, ...] = ()  # the citations' quotes
    invalid_ids: tuple[str, ...] = ()  # cited ids that are not in the corpus
    quotes_ok: bool = True  # every quote is a non-empty substring of its clause's text, in every version
    readable: float | None = None  # share of the answer's letters, labels aside, in the script of the case's language
    abstained: bool = False
    answer: str = ""
    latency_ms: float = 0.0
    scores: dict = field(default_factory=dict)  # metric name -> float or None
    passed: bool = False

    @property
    def multi_turn(self) -> bool:
        return bool(self.history)

    def gold_ranks(self) -> dict:
        """1-based rank of each gold clause in the retrieval, None where it was not retrieved."""
        ranked = _unique(self.ranked)
        return {gold_id: ranked.index(gold_id) + 1 if gold_id in ranked else None for gold_id in self.gold}

    def to_dict(self) -> dict:
        data = asdict(self)
        for name in _SEQUENCES:
            data[name] = list(data[name])
        data["multi_turn"] = self.multi_turn
        data["gold_ranks"] = self.gold_ranks()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> CaseResult:
        data = {key: value for key, value in data.items() if key not in ("gold_ranks", "multi_turn")}
        for name in _SEQUENCES:
            data[name] = tuple(data.get(name, ()))
        return cls(**data)


@dataclass(frozen=True)
class EvalReport:
    """One configuration's run over a gold set.

    `score` is the headline, the mean citation F1 over the answerable cases, and
    `individual_scores` maps each of those cases to its F1.

    >>> report.score, report.aggregates["abstention_accuracy"], report.ci["citation_f1"]
    (0.87, 0.93, [0.81, 0.92])
    """

    name: str
    score: float | None
    individual_scores: dict  # case id -> citation F1 (answerable cases)
    aggregates: dict  # metric name -> value, see `aggregate`
    slices: dict  # "lang" | "type" | "turns" -> slice value -> aggregates
    ci: dict  # headline metric -> [low, high] or None
    cases: tuple[CaseResult, ...]
    labels: dict = field(default_factory=dict)  # clause id -> English label, for every gold or cited id

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "score": self.score,
            "individual_scores": dict(self.individual_scores),
            "aggregates": dict(self.aggregates),
            "slices": self.slices,
            "ci": dict(self.ci),
            "labels": dict(self.labels),
            "cases": [case.to_dict() for case in self.cases],
        }

    @classmethod
    def from_dict(cls, data: dict) -> EvalReport:
        data = dict(data)
        data["cases"] = tuple(CaseResult.from_dict(case) for case in data["cases"])
        return cls(**data)


def recall_at_k(case: EvalCase, result: CaseResult, *, k: int = 5) -> float | None:
    """Share of the gold clauses among the first k distinct retrieved clauses."""
    return _recall(case.gold, result.ranked, k) if case.answerable else None


def mrr(case: EvalCase, result: CaseResult, *, k: int = RANK_CUTOFF) -> float | None:
    """Reciprocal rank of the first gold clause within the first k, 0 when none is there."""
    if not case.answerable:
        return None
    for rank, clause_id in enumerate(_unique(result.ranked)[:k], start=1):
        if clause_id in case.gold:
            return 1.0 / rank
    return 0.0


def ndcg(case: EvalCase, result: CaseResult, *, k: int = RANK_CUTOFF) -> float | None:
    """Binary-gain nDCG over the first k distinct retrieved clauses."""
    if not case.answerable:
        return None
    ranked = _unique(result.ranked)[:k]
    gains = sum(1.0 / math.log2(rank + 1) for rank, cid in enumerate(ranked, start=1) if cid in case.gold)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(set(case.gold)), k) + 1))
    return gains / ideal


def citation_precision(case: EvalCase, result: CaseResult) -> float | None:
    """|cited ∩ gold| / |cited|, 0 when nothing is cited; a clause cited twice counts once."""
    if not case.answerable:
        return None
    cited = set(result.cited)
    return len(cited & set(case.gold)) / len(cited) if cited else 0.0


def citation_recall(case: EvalCase, result: CaseResult) -> float | None:
    """|cited ∩ gold| / |gold|."""
    if not case.answerable:
        return None
    gold = set(case.gold)
    return len(set(result.cited) & gold) / len(gold)


def citation_f1(case: EvalCase, result: CaseResult) -> float | None:
    """Harmonic mean of citation precision and recall, 0 when both are 0."""
    if not case.answerable:
        return None
    return _f1(citation_precision(case, result), citation_recall(case, result))


def exact_match(case: EvalCase, result: CaseResult) -> float | None:
    """1 when the cited set is exactly the gold set."""
    return float(set(result.cited) == set(case.gold)) if case.answerable else None


def invalid_citation_rate(case: EvalCase, result: CaseResult) -> float | None:
    """Share of the cited ids that are not in the corpus; None when nothing is cited."""
    return len(set(result.invalid_ids)) / len(set(result.cited)) if result.cited else None


def quote_validity(case: EvalCase, result: CaseResult) -> float | None:
    """1 when every quote is a substring of its clause's text; None when nothing is cited."""
    return float(result.quotes_ok) if result.cited else None


READABLE_SHARE = 0.8  # "mostly Latin" (or mostly Chinese): at least this share of the letters


def answer_readability(case: EvalCase, result: CaseResult) -> float | None:
    """1 when the answer, labels aside, is mostly in the script of the question's language."""
    if result.readable is None:
        return None
    return float(result.readable >= READABLE_SHARE)


def key_fact_hit_rate(case: EvalCase, result: CaseResult) -> float | None:
    """Share of the key facts found in what the reader sees (answer text and quotes), normalized."""
    if not case.answerable or not case.key_facts:
        return None
    seen = normalize(" ".join((result.answer, *result.quotes)))
    return sum(normalize(fact) in seen for fact in case.key_facts) / len(case.key_facts)


def false_abstention(case: EvalCase, result: CaseResult) -> float | None:
    """1 when the assistant abstained on an answerable case."""
    return float(result.abstained) if case.answerable else None


def abstention_accuracy(case: EvalCase, result: CaseResult) -> float | None:
    """1 when, on an unanswerable case, the assistant abstained and cited nothing."""
    return None if case.answerable else float(result.abstained and not result.cited)


Metric = Callable[[EvalCase, CaseResult], "float | None"]

METRICS: dict[str, Metric] = {
    **{f"recall_at_{k}": partial(recall_at_k, k=k) for k in RECALL_KS},
    "mrr": mrr,
    "ndcg_at_10": ndcg,
    "citation_precision": citation_precision,
    "citation_recall": citation_recall,
    "citation_f1": citation_f1,
    "exact_match": exact_match,
    "invalid_citation_rate": invalid_citation_rate,
    "quote_validity": quote_validity,
    "key_fact_hit_rate": key_fact_hit_rate,
    "answer_readability": answer_readability,
    "false_abstention_rate": false_abstention,
    "abstention_accuracy": abstention_accuracy,
}


def score_case(case: EvalCase, result: CaseResult) -> dict:
    """Every metric in METRICS on one case."""
    return {name: metric(case, result) for name, metric in METRICS.items()}


def passes(case: EvalCase, result: CaseResult) -> bool:
    """Answerable: exactly the gold clauses cited, with valid quotes. Unanswerable: abstained, nothing cited."""
    if case.answerable:
        return citation_f1(case, result) >= PASS_F1 and result.quotes_ok
    return bool(abstention_accuracy(case, result))


def normalize(text: str) -> str:
    """NFKC, lower case, without whitespace or punctuation: how key facts are matched."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


def aggregate(results: Sequence[CaseResult]) -> dict:
    """Macro means of every metric, micro citation P/R/F1, pass rate and latency percentiles."""
    answerable = [r for r in results if r.answerable]
    hits = sum(len(set(r.cited) & set(r.gold)) for r in answerable)
    cited = sum(len(set(r.cited)) for r in answerable)
    gold = sum(len(set(r.gold)) for r in answerable)
    micro_p = hits / cited if cited else (0.0 if answerable else None)
    micro_r = hits / gold if gold else None
    latencies = [r.latency_ms for r in results]
    return {
        "n": len(results),
        "n_answerable": len(answerable),
        "n_unanswerable": len(results) - len(answerable),
        **{name: _mean(r.scores.get(name) for r in results) for name in METRICS},
        "citation_micro_precision": micro_p,
        "citation_micro_recall": micro_r,
        "citation_micro_f1": _f1(micro_p, micro_r) if answerable else None,
        "pass_rate": _mean(float(r.passed) for r in results),
        "latency_p50_ms": float(np.percentile(latencies, 50)) if latencies else None,
        "latency_p95_ms": float(np.percentile(latencies, 95)) if latencies else None,
    }


def slice_results(results: Sequence[CaseResult]) -> dict:
    """Aggregates by language, by question type, and single- vs multi-turn."""
    keys = {
        "lang": lambda r: r.lang,
        "type": lambda r: r.type,
        "turns": lambda r: "multi" if r.multi_turn else "single",
    }
    slices = {}
    for name, key in keys.items():
        groups: dict[str, list[CaseResult]] = {}
        for result in results:
            groups.setdefault(key(result), []).append(result)
        slices[name] = {value: aggregate(group) for value, group in sorted(groups.items())}
    return slices


def bootstrap_ci(
    values: Sequence[float], *, resamples: int = 1000, seed: int = 0, level: float = 0.95
) -> list[float] | None:
    """Percentile bootstrap interval of the mean: seeded, so the same values always give the same interval."""
    if not len(values):
        return None
    data = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), size=(resamples, len(data)))].mean(axis=1)
    tail = (1.0 - level) / 2 * 100
    return [float(np.percentile(means, tail)), float(np.percentile(means, 100 - tail))]


def recall_curve(results: Sequence[CaseResult], *, max_k: int = RANK_CUTOFF) -> list[float | None]:
    """Mean recall@k over the answerable cases, for k = 1..max_k."""
    answerable = [r for r in results if r.answerable]
    return [_mean(_recall(r.gold, r.ranked, k) for r in answerable) for k in range(1, max_k + 1)]


def summarize(name: str, results: Sequence[CaseResult], *, labels: dict | None = None) -> EvalReport:
    """Aggregates, slices and confidence intervals of scored case results."""
    individual = {r.case_id: r.scores["citation_f1"] for r in results if r.answerable}
    ci = {}
    for metric in HEADLINE:
        values = [r.scores[metric] for r in results if r.scores.get(metric) is not None]
        ci[metric] = bootstrap_ci(values)
    aggregates = aggregate(results)
    return EvalReport(
        name=name,
        score=aggregates["citation_f1"],
        individual_scores=individual,
        aggregates=aggregates,
        slices=slice_results(results),
        ci=ci,
        cases=tuple(results),
        labels=dict(labels or {}),
    )


def _recall(gold: Sequence[str], ranked: Sequence[str], k: int) -> float:
    gold = set(gold)
    return len(gold & set(_unique(ranked)[:k])) / len(gold)


def _unique(ids: Sequence[str]) -> list[str]:
    """Ids in order, each once: a clause retrieved twice occupies one rank."""
    return list(dict.fromkeys(ids))


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _mean(values) -> float | None:
    present = [value for value in values if value is not None]
    return sum(present) / len(present) if present else None
