"""Run every benchmark; write results.json and PNG plots, and regenerate RESULTS.md.

    python -m benchmarks.run                  # the full suite: 20-60 min on 2 cores, by machine load
    python -m benchmarks.run --smoke          # the same code on tiny sizes (CI)
    python -m benchmarks.run --smoke --out /tmp/bench
    python -m benchmarks.run --render         # redraw RESULTS.md and plots from out/results.json

Sections run in order (warm latency, index build, scale, Chroma server mode, cold start);
one that fails is recorded under "errors" and the others still run; the exit status is 1
when any failed. Timings are never checked here: the targets are reported, met or not.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path

for _name, _value in (
    ("ANONYMIZED_TELEMETRY", "False"),
    ("GRADIO_ANALYTICS_ENABLED", "False"),
    ("HF_HUB_OFFLINE", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("TOKENIZERS_PARALLELISM", "false"),
):
    os.environ.setdefault(_name, _value)

from assistant.core import Assistant  # noqa: E402
from assistant.settings import DEFAULT_MODEL, Settings  # noqa: E402
from assistant.baselines import make_pipeline  # noqa: E402
from corpus.library import load_corpus, source_files  # noqa: E402
from embeddings.index import ClauseIndex  # noqa: E402
from embeddings.model import materialize_default_model  # noqa: E402
from evals.gold import load_gold  # noqa: E402
from benchmarks import cold_start, index_build, report, scale, server_mode, tutorial  # noqa: E402
from benchmarks.latency import answer_latency, embedding_ratio, query_embedding_cost  # noqa: E402
from benchmarks.measure import load_average, ratio  # noqa: E402
from benchmarks.profile import profile_answers  # noqa: E402
from benchmarks.runnable import runnable_overhead  # noqa: E402
from benchmarks.synthetic import synthetic_clauses  # noqa: E402
from benchmarks.vectors import ReplayEmbedder  # noqa: E402
from tests.app.conftest import app_env  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmarks" / "out"
DEV_SET = ROOT / "evals" / "dev.jsonl"


@dataclass(frozen=True)
class Plan:
    """Sizes and repetitions of one run."""

    questions: int | None  # dev questions used (None: all)
    repeats: int  # passes after the first, shipped corpus
    synthetic: int  # clauses of the synthetic corpus indexed with the real model
    probe: int  # clauses embedded before deciding whether the full synthetic build fits
    budget_s: float  # the longest full synthetic build attempted; beyond it, extrapolate
    scale: tuple[int, ...]
    scale_repeats: int
    tutorial_model_max: int  # largest corpus whose tutorial chunks get real MiniLM vectors
    server_synthetic: int  # clauses of the synthetic corpus compared in server mode
    cli_runs: int


FULL = Plan(None, 3, 10_000, 2_000, 600.0, (1_000, 10_000, 100_000), 2, 1_000, 10_000, 3)
SMOKE = Plan(6, 1, 40, 20, 120.0, (60, 200), 1, 60, 60, 1)


def run(plan: Plan, work: Path, *, smoke: bool) -> dict:
    """Every section, in order; returns the results document."""
    base = Settings.from_env()
    settings = replace(base, data_dir=work / "shipped", chroma_url="", llm_base_url="")
    if settings.embedding_model == DEFAULT_MODEL:
        materialize_default_model(settings.model_cache)  # "model already materialized", not timed
    shipped = load_corpus(settings.corpus_dir)
    cases = load_gold(DEV_SET, shipped)[: plan.questions]
    sources = source_files(settings.corpus_dir)
    results: dict = {
        "meta": report.machine()
        | {
            "smoke": smoke,
            "plan": plan.__dict__,
            "settings": settings.describe() | {"index": "embedded Chroma in a temporary folder"},
            "questions": len(cases),
            "corpus_clauses": len(shipped),
            "load_average_start": load_average(),
            "sections": {},
        },
        "errors": {},
    }
    state: dict = {"known": {}}
    started = time.perf_counter()
    minilm = tutorial.minilm(tutorial.minilm_source(settings.model_cache))

    def section(name: str, measure) -> None:
        print(f"[bench] {name} ...", flush=True)
        began, load_before = time.perf_counter(), load_average()
        parent, _, part = name.rpartition(".")
        try:
            (results[parent] if parent else results)[part] = measure()
        except Exception as exc:  # one broken section must not lose the others' numbers
            results["errors"][name] = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        seconds = time.perf_counter() - began
        results["meta"]["sections"][name] = {"seconds": round(seconds, 1), "load_average": [load_before, load_average()]}
        print(f"[bench] {name} done in {seconds:.0f} s", flush=True)
        gc.collect()

    def latency() -> dict:
        assistant = Assistant(settings, clauses=shipped)
        began = time.perf_counter()
        assistant.load()
        load_s = time.perf_counter() - began
        assistant.warm_up()  # as the app does once it is up: the first name question should not read jieba's tagger
        state["embedder"] = assistant.embedder
        product = answer_latency(assistant.ask, cases, repeats=plan.repeats)
        alone = query_embedding_cost(assistant.embedder, cases)
        product.update(
            load_s=round(load_s, 2),
            embedding_alone=alone,
            embedding_ratio=embedding_ratio(product, alone),
            profile=profile_answers(assistant.ask, cases),
            runnable=runnable_overhead(assistant, cases, passes=plan.repeats),
        )
        # Its first question builds its store: answer_latency's warm-up questions absorb that.
        baseline = answer_latency(make_pipeline("tutorial", settings, shipped), cases, repeats=plan.repeats)
        return {
            "clauses": len(shipped),
            "product": product,
            "tutorial": baseline,
            "ratios": {
                f"{run}_{q}": ratio(product[run]["total"][q], baseline[run]["total"][q])
                for run in ("cold_cache", "repeated")
                for q in ("p50", "p95", "p99")
            },
        }

    def build() -> dict:
        embedder = _embedder(state, settings)
        shipped_build = {
            "product": index_build.build_product(embedder, shipped, data_dir=work / "build-shipped"),
            "tutorial": index_build.build_tutorial(sources, minilm, clauses=len(shipped)),
        }
        shipped_build["ratios"] = index_build.compare(shipped_build["product"], shipped_build["tutorial"])
        began = time.perf_counter()
        folder = work / f"synthetic-{plan.synthetic}"
        clauses = synthetic_clauses(folder, plan.synthetic)
        generate_s = time.perf_counter() - began
        product = index_build.build_product_budgeted(
            embedder, clauses, data_dir=work / "synthetic-index", probe=plan.probe, budget_s=plan.budget_s
        )
        built = clauses[: product["built_clauses"]]
        state["known"] = scale.stored_vectors(ClauseIndex(embedder, data_dir=work / "synthetic-index"), built)
        synthetic = {
            "files": len(list(folder.glob("syn-*.txt"))),
            "generate_parse_s": round(generate_s, 2),
            "product": product,
            "tutorial": index_build.build_tutorial(sorted(folder.glob("syn-*.txt")), minilm, clauses=len(clauses)),
        }
        synthetic["ratios"] = index_build.compare(product, synthetic["tutorial"])
        return {"shipped": shipped_build, "synthetic": synthetic}

    def scaling() -> list[dict]:
        sizes = []
        for size in plan.scale:
            folder = work / f"scale-{size}-files"
            clauses = synthetic_clauses(folder, size)
            print(f"[bench]   {size:,} clauses", flush=True)
            sizes.append(
                scale.measure_size(
                    settings,
                    cases,
                    clauses,
                    sorted(folder.glob("syn-*.txt")),
                    data_dir=work / f"scale-{size}",
                    known=state["known"],
                    repeats=plan.scale_repeats,
                    minilm=minilm,
                    tutorial_model_max=plan.tutorial_model_max,
                )
            )
            gc.collect()
        return sizes

    def servers() -> dict:
        embedder = _embedder(state, settings)
        clauses = synthetic_clauses(work / "server-files", plan.server_synthetic)
        known = state["known"]
        with server_mode.chroma_server(work / "chroma-server") as url:
            return {
                "note": "one embedder for both modes, so compare retrieve_ms (Chroma query + BM25 + fusion)",
                "product_shipped": server_mode.compare_product(
                    settings, cases, shipped, url=url, data_dir=work / "modes-shipped",
                    vectors=lambda _: embedder, repeats=plan.repeats, embedder=embedder,
                ),
                "product_synthetic": server_mode.compare_product(
                    settings, cases, clauses, url=url, data_dir=work / "modes-synthetic",
                    vectors=lambda e: ReplayEmbedder(known, fallback=e), repeats=plan.scale_repeats, embedder=embedder,
                ),
                "tutorial": server_mode.compare_tutorial(
                    tutorial.split(sources, model_source=minilm.model_name)[0], [c.question for c in cases],
                    url=url, minilm=minilm,
                    repeats=plan.repeats,
                ),
            }

    section("latency", latency)
    section("index_build", build)
    section("scale", scaling)
    section("server_mode", servers)
    results["cold_start"] = {}
    section(
        "cold_start.index_present",
        lambda: ClauseIndex(_embedder(state, settings), data_dir=settings.data_dir).sync(shipped).to_dict(),
    )
    # The app tests' environment (no login, no LLM, no Chroma server, no network) with our settings.
    env = app_env(
        settings.data_dir,
        settings.model_cache,
        RA_CORPUS_DIR=str(settings.corpus_dir),
        RA_EMBEDDING_MODEL=settings.embedding_model,
        TOKENIZERS_PARALLELISM="false",
    )
    for part, measure in (
        ("cli_ask", lambda: cold_start.cli_ask(env, runs=plan.cli_runs)),
        ("cli_reindex_unchanged", lambda: cold_start.cli_reindex(env, runs=plan.cli_runs)),
        ("app", lambda: cold_start.app(env)),
        ("tutorial_process", lambda: cold_start.tutorial_process(env)),
    ):
        section(f"cold_start.{part}", measure)
    results["meta"]["load_average_end"] = load_average()
    results["meta"]["duration_s"] = round(time.perf_counter() - started, 1)
    return results


def _embedder(state: dict, settings: Settings):
    """The loaded embedder of the latency section, or a new one if that section failed."""
    if "embedder" not in state:
        from embeddings.onnx_model import make_embedder

        state["embedder"] = make_embedder(
            settings.embedding_model, cache_dir=settings.model_cache, backend=settings.embedding_backend
        )
        state["embedder"].load()
    return state["embedder"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, same code (seconds to a few minutes)")
    parser.add_argument("--out", type=Path, help="results.json and PNGs (default benchmarks/out, --smoke: benchmarks/out/smoke)")
    parser.add_argument(
        "--results", type=Path, help="the Markdown report (default benchmarks/RESULTS.md, --smoke: OUT/RESULTS.md)"
    )
    parser.add_argument(
        "--render", action="store_true", help="measure nothing: redraw the plots and RESULTS.md from OUT/results.json"
    )
    args = parser.parse_args(argv)
    out = args.out or (DEFAULT_OUT / "smoke" if args.smoke else DEFAULT_OUT)
    markdown = args.results or (out / "RESULTS.md" if args.smoke else ROOT / "benchmarks" / "RESULTS.md")
    if args.render:
        results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    else:
        with tempfile.TemporaryDirectory(prefix="ra-bench-") as work:
            results = run(SMOKE if args.smoke else FULL, Path(work), smoke=args.smoke)
        results["meta"]["command"] = " ".join(["python -m benchmarks.run", *(argv if argv is not None else sys.argv[1:])])
    results["targets"] = report.targets(results)
    out.mkdir(parents=True, exist_ok=True)
    results["plots"] = report.plots(results, out)
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    markdown.write_text(report.markdown(results, out=out, markdown=markdown), encoding="utf-8")
    print(f"[bench] wrote {out / 'results.json'} and {markdown}")
    for name, problem in results["errors"].items():
        print(f"[bench] {name} FAILED: {problem}", file=sys.stderr)
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
