"""Warm answer latency: an `ask` function over the dev questions, split by stage.

The query embedding has an LRU cache, so a question's first answer and its repeats cost
different amounts: the first pass (every question new) is the "cold cache" figure, the
later passes the "repeated" one. In the first pass a follow-up is asked as in a
conversation: its earlier questions are asked just before it (untimed), so their vectors
are cached, as they would be in the app. The cost of embedding a question alone, with
`Embedder.embed_queries` (no cache), is what the answer latency is held against.

    python -m benchmarks.latency                  # the latency section of benchmarks.run alone
    python -m benchmarks.latency --repeats 1 --data-dir /tmp/ra-index --json

One process measures one first pass: to compare two versions, run each several times,
alternating, and take the medians (the machine's load moves every figure).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

for _name, _value in (("ANONYMIZED_TELEMETRY", "False"), ("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"),
                      ("TOKENIZERS_PARALLELISM", "false")):
    os.environ.setdefault(_name, _value)

from evals.gold import EvalCase, load_gold  # noqa: E402
from benchmarks.measure import load_average, percentiles, ratio  # noqa: E402

DEV_SET = Path(__file__).resolve().parent.parent / "evals" / "dev.jsonl"
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


def measure(data_dir: Path, *, repeats: int, questions: int | None = None) -> dict:
    """What benchmarks.run's latency section measures for the product: answers, the embedding alone, their ratio."""
    from assistant.core import Assistant
    from assistant.settings import Settings

    settings = replace(Settings.from_env(), data_dir=data_dir, chroma_url="", llm_base_url="")
    assistant = Assistant(settings)
    cases = load_gold(DEV_SET, assistant.clauses)[:questions]
    began = time.perf_counter()
    assistant.load()
    load_s = time.perf_counter() - began
    assistant.warm_up()  # as the app does once it is up: the first name question should not read jieba's tagger
    load_before = load_average()
    product = answer_latency(assistant.ask, cases, repeats=repeats)
    alone = query_embedding_cost(assistant.embedder, cases)
    return product | {
        "load_s": round(load_s, 2),
        "embedding_alone": alone,
        "embedding_ratio": embedding_ratio(product, alone),
        "load_average": [load_before, load_average()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="passes after the first (default 3)")
    parser.add_argument("--questions", type=int, help="the first N dev questions only (default: all)")
    parser.add_argument("--data-dir", type=Path, help="the index folder, kept between runs (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ra-bench-latency-") as work:
        results = measure(args.data_dir or Path(work), repeats=args.repeats, questions=args.questions)
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    for run in ("cold_cache", "repeated"):
        total = results[run]["total"]
        stages = "  ".join(f"{name} {values['p50']:.2f}" for name, values in results[run]["stages"].items())
        print(f"{run:<10} p50 {total['p50']:.2f}  p95 {total['p95']:.2f} ms  (stages, p50: {stages})")
    alone, ratios = results["embedding_alone"], results["embedding_ratio"]
    print(f"embedding alone p50 {alone['p50']:.2f}  p95 {alone['p95']:.2f} ms; answer/embedding p50 {ratios['p50']}x, "
          f"p95 {ratios['p95']}x; load average {results['load_average']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
