"""The LangChain Runnable's overhead: `Assistant.as_runnable().invoke` against a direct `Assistant.ask`.

    python -m benchmarks.runnable                 # dev questions, 5 passes, a temporary index
    python -m benchmarks.runnable --passes 2 --json

Each dev question is asked both ways back to back (the order alternating per pass), after a
first untimed pass, so both see cached query vectors and the same turn memory: what differs is
only the Runnable's steps, config and callback managers. The overhead is the per-question
difference, reported at p50 and p95 (target: p50 < 1 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

for _name, _value in (("ANONYMIZED_TELEMETRY", "False"), ("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"),
                      ("TOKENIZERS_PARALLELISM", "false")):
    os.environ.setdefault(_name, _value)

from assistant.core import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks.measure import load_average, percentiles  # noqa: E402
from evals.gold import load_gold  # noqa: E402

DEV_SET = Path(__file__).resolve().parent.parent / "evals" / "dev.jsonl"


def runnable_overhead(assistant: Assistant, cases, *, passes: int) -> dict:
    """Milliseconds of `ask` and of the Runnable per question, and of their per-question difference."""
    runnable = assistant.as_runnable()

    def direct(case):
        return assistant.ask(case.question, list(case.history))

    def through(case):
        return runnable.invoke({"question": case.question, "history": list(case.history)})

    for case in cases:  # untimed: load, embed every question once, remember every turn
        direct(case)
        through(case)
    asks, runs, overhead = [], [], []
    for n in range(passes):
        for case in cases:
            pair = {}
            for name, call in ((("ask", direct), ("runnable", through)) if n % 2 == 0 else (("runnable", through), ("ask", direct))):
                started = time.perf_counter()
                call(case)
                pair[name] = (time.perf_counter() - started) * 1000
            asks.append(pair["ask"])
            runs.append(pair["runnable"])
            overhead.append(pair["runnable"] - pair["ask"])
    return {"ask_ms": percentiles(asks), "runnable_ms": percentiles(runs), "overhead_ms": percentiles(overhead),
            "questions": len(cases), "passes": passes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=int, default=5, help="timed passes over the dev questions (default 5)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    base = Settings.from_env()
    with tempfile.TemporaryDirectory(prefix="ra-bench-runnable-") as work:
        settings = replace(base, data_dir=Path(work), chroma_url="", llm_base_url="")
        assistant = Assistant(settings)
        cases = load_gold(DEV_SET, assistant.clauses)
        load_before = load_average()
        results = runnable_overhead(assistant, cases, passes=args.passes)
        results["load_average"] = [load_before, load_average()]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name in ("ask_ms", "runnable_ms", "overhead_ms"):
            p = results[name]
            print(f"{name:<12} p50 {p['p50']:.3f}  p95 {p['p95']:.3f}  mean {p['mean']:.3f}  (n={p['n']})")
        print(f"load average {results['load_average']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
