"""Warm answer latency: an `ask` function over the dev questions, split by stage.

The query embedding has an LRU cache, so a question's first answer and its repeats cost
different amounts: the first pass (every question new) is the "cold cache" figure, the
later passes the "repeated" one. In the first pass a follow-up is asked as in a
conversation: its earlier questions are asked just before it (untimed), so their vectors
are cached, as they would be in the app. The cost of embedding a question alone, with
`Embedder.embed_queries` (no cache), is what the answer latency is held against.
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

from evals.gold import EvalCase
from benchmarks.measure import percentiles, ratio

STAGES = ("embed_ms", "retrieve_ms", "compose_ms", "other_ms", "search_ms")
WARM_UP = ("What does the foreword say about ISO and IEC?", "国际电联是什么机构？")


def answer_latency(ask: Callable, cases: Sequence[EvalCase], *, repeats: int) -> dict:
    """Percentiles of the first pass over `cases` and of `repeats` further passes, total and per stage."""
    for question in WARM_UP:  # first-call costs (torch kernels, jieba dictionary) are not warm latency
        ask(question, [])
    first = _one_pass(ask, cases, converse=True)
    repeated = [sample for _ in range(repeats) for sample in _one_pass(ask, cases)]
    return {"cold_cache": _summary(first), "repeated": _summary(repeated), "questions": len(cases)}


def query_embedding_cost(embedder, cases: Sequence[EvalCase]) -> dict:
    """Milliseconds to embed each question alone, uncached (`embed_queries` never caches)."""
    embedder.embed_queries([WARM_UP[0]])
    samples = []
    for case in cases:
        started = time.perf_counter()
        embedder.embed_queries([case.question])
        samples.append((time.perf_counter() - started) * 1000)
    return {"per_question_ms": samples, **percentiles(samples)}


def embedding_ratio(latency: dict, embedding: dict) -> dict:
    """Cold-cache answer time over embedding time: at p50, at p95, and the median of per-question ratios."""
    answers = latency["cold_cache"]["per_question_ms"]
    alone = embedding["per_question_ms"]
    per_question = sorted(a / e for a, e in zip(answers, alone) if e > 0)
    return {
        "p50": ratio(latency["cold_cache"]["total"]["p50"], embedding["p50"]),
        "p95": ratio(latency["cold_cache"]["total"]["p95"], embedding["p95"]),
        "median_per_question": round(per_question[len(per_question) // 2], 3) if per_question else None,
    }


def _one_pass(ask: Callable, cases: Sequence[EvalCase], *, converse: bool = False) -> list[dict]:
    samples = []
    for case in cases:
        for turn, earlier in enumerate(case.history if converse else ()):
            ask(earlier, list(case.history[:turn]))
        started = time.perf_counter()
        answer = ask(case.question, list(case.history))
        sample = {"total_ms": (time.perf_counter() - started) * 1000, **answer.timings}
        if "embed_ms" in sample and "retrieve_ms" in sample:  # together: one HybridSearch.search
            sample["search_ms"] = sample["embed_ms"] + sample["retrieve_ms"]
        samples.append(sample)
    return samples


def _summary(samples: list[dict]) -> dict:
    totals = [s["total_ms"] for s in samples]
    stages = {stage: percentiles([s[stage] for s in samples if stage in s]) for stage in STAGES}
    return {
        "total": percentiles(totals),
        "stages": {name: values for name, values in stages.items() if values["n"]},
        "per_question_ms": totals,
    }
