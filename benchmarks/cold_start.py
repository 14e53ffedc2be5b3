"""Cold start as a user meets it: whole processes, from exec to answer, with their peak memory.

- `resolution-assistant ask "…"` and `resolution-assistant index` (nothing changed) with the
  index present and the model already materialized;
- `python app.py`: until the page answers HTTP 200, then until the first answer through
  gradio_client, then its peak RSS after a few more answers;
- the tutorial pipeline in a fresh process: build its in-memory store, answer once;
- `--fresh-cache N`: `ask` as at a first start after the model is prepared, with what is derived from the
  model (the intent examples' vectors, CC-CEDICT's word index) still to compute, then once more with them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

import httpx

from benchmarks.measure import ProcessRun, percentiles, run_process, tree_peak_rss_mb
from tests.app.conftest import stop
from tests.embeddings.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "What is TSAG instructed to do?"
WARM_QUESTIONS = ("电信标准化顾问组需要做什么？", "What are ITU-T study groups instructed to do?", "本决议请成员国做什么？")
_TUTORIAL_ONCE = """
import sys
from assistant.baselines import make_pipeline
from assistant.settings import Settings
from corpus.library import load_corpus
settings = Settings.from_env()
print(len(make_pipeline("tutorial", settings, load_corpus(settings.corpus_dir))(sys.argv[1], []).citations))
"""


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "resolution-assistant"
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant"]


def _summary(runs: Sequence[ProcessRun]) -> dict:
    return {
        "runs": len(runs),
        "seconds": [r.seconds for r in runs],
        "first_s": runs[0].seconds,
        "median_s": percentiles([r.seconds for r in runs])["p50"],
        "peak_rss_mb": max(r.peak_rss_mb for r in runs),
    }


def _checked(run: ProcessRun, what: str) -> ProcessRun:
    if run.returncode != 0:
        raise RuntimeError(f"{what} exited with {run.returncode}: {run.stderr.strip()[-500:]}")
    return run


def cli_ask(env: dict, *, runs: int) -> dict:
    """`resolution-assistant ask QUESTION --json` as a whole process, `runs` times."""
    done = [_checked(run_process([*_cli(), "ask", QUESTION, "--json"], env=env, cwd=ROOT), "ask") for _ in range(runs)]
    answer = json.loads(done[-1].stdout)
    return {**_summary(done), "question": QUESTION, "cited": [c["clause_id"] for c in answer["citations"]]}


def cli_reindex(env: dict, *, runs: int) -> dict:
    """`resolution-assistant index --json` on an index that is already complete and current."""
    done = [_checked(run_process([*_cli(), "index", "--json"], env=env, cwd=ROOT), "index") for _ in range(runs)]
    report = json.loads(done[-1].stdout)
    return {**_summary(done), "action": report["action"], "embedded": report["added"] + report["updated"]}


def app(env: dict, *, timeout: float = 180) -> dict:
    """`python app.py --port FREE`: seconds until the page answers 200, until the first answer; peak RSS.

    The peak RSS is the sum over the app's process and its children (the Assistant's process).
    """
    from gradio_client import Client

    if not (ROOT / "app.py").exists():
        return {"skipped": "app.py is not there yet"}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile(prefix="bench-app-", suffix=".log", delete=False) as log:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_for_page(url, proc, started + timeout, log.name)
        page_s = time.perf_counter() - started
        answer = Client(url, verbose=False).predict(question=QUESTION, history=[], api_name="/ask")
        first_answer_s = time.perf_counter() - started
        if answer.get("error"):
            raise RuntimeError(f"the app answered with an error: {answer['error']}")
        client = Client(url, verbose=False)
        warm_ms = []
        for question in WARM_QUESTIONS * 3:
            asked = time.perf_counter()
            client.predict(question=question, history=[], api_name="/ask")
            warm_ms.append((time.perf_counter() - asked) * 1000)
        rss = tree_peak_rss_mb(proc.pid)
    finally:
        stop(proc)
    return {
        "page_s": round(page_s, 3),
        "first_answer_s": round(first_answer_s, 3),
        "cited": [c["clause_id"] for c in answer["citations"]],
        "warm_answer_via_api_ms": percentiles(warm_ms),
        "peak_rss_mb": round(sum(rss.values()), 1),
        "peak_rss_by_process_mb": [rss[pid] for pid in sorted(rss)],  # the app first, then the Assistant's process
        "log": log.name,
    }


def _wait_for_page(url: str, proc: subprocess.Popen, deadline: float, log: str) -> None:
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}; its output is in {log}")
        if time.perf_counter() > deadline:
            raise RuntimeError(f"app.py did not answer within the timeout; its output is in {log}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)


def tutorial_process(env: dict) -> dict:
    """A fresh process that builds the tutorial's store (`make_pipeline("tutorial")`) and answers QUESTION once."""
    run = _checked(run_process([sys.executable, "-c", _TUTORIAL_ONCE, QUESTION], env=env, cwd=ROOT), "tutorial")
    return {"first_answer_s": run.seconds, "peak_rss_mb": run.peak_rss_mb}


def first_ask_fresh_cache(env: dict, model_cache: Path, *, runs: int) -> dict:
    """`ask` `runs` times, each in a new model cache holding only links to `model_cache`'s model folders, then once
    more in the last of them: the cost of computing what is derived from the model, against reading it back."""
    models = [folder for folder in Path(model_cache).iterdir() if folder.is_dir()]
    argv = [*_cli(), "ask", QUESTION, "--json"]
    fresh = []
    with tempfile.TemporaryDirectory(prefix="bench-fresh-cache-") as scratch:
        for run in range(runs):
            cache = Path(scratch) / str(run)
            cache.mkdir()
            for folder in models:
                (cache / folder.name).symlink_to(folder.resolve(), target_is_directory=True)
            fresh.append(_checked(run_process(argv, env={**env, "RA_MODEL_CACHE": str(cache)}, cwd=ROOT), "ask"))
            print(f"fresh cache {run + 1}: {fresh[-1].seconds:.2f} s", flush=True)
        again = _checked(run_process(argv, env={**env, "RA_MODEL_CACHE": str(cache)}, cwd=ROOT), "ask")
    return {"fresh_cache": _summary(fresh), "fresh_cache_max_s": max(r.seconds for r in fresh), "cache_kept_s": again.seconds}


def compare_app_starts(env: dict, *, starts: int, modes: Sequence[str] = ("separate", "same")) -> dict:
    """`python app.py` `starts` times in each mode, interleaved; page and first answer.

    A mode is an RA_EMBEDDING_PROCESS value, "same" or "separate", the latter optionally
    with the child's niceness: "separate@0"; either optionally with an RA_EMBEDDING_BACKEND:
    "same:torch".
    """
    seen: dict[str, list[dict]] = {mode: [] for mode in modes}
    for _ in range(starts):
        for mode in modes:
            process_niceness, _, backend = mode.partition(":")
            process, _, niceness = process_niceness.partition("@")
            extra = {"RA_EMBEDDING_PROCESS": process, **({"RA_EMBEDDING_NICENESS": niceness} if niceness else {}),
                     **({"RA_EMBEDDING_BACKEND": backend} if backend else {})}
            run = app({**env, **extra})
            seen[mode].append({k: run[k] for k in ("page_s", "first_answer_s", "peak_rss_mb")})
            print(f"{mode:>11}: page {run['page_s']:.2f} s, first answer {run['first_answer_s']:.2f} s", flush=True)
    return {
        mode: {
            "page_s": [r["page_s"] for r in runs],
            "first_answer_s": [r["first_answer_s"] for r in runs],
            "page_median_s": statistics.median(r["page_s"] for r in runs),
            "page_max_s": max(r["page_s"] for r in runs),
            "first_answer_median_s": statistics.median(r["first_answer_s"] for r in runs),
            "first_answer_max_s": max(r["first_answer_s"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        }
        for mode, runs in seen.items()
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Start `python app.py` several times with the Assistant in its own process and in the app's, "
        "interleaved; print the seconds to the page and to the first answer (the index must exist: "
        "`resolution-assistant index`). Example: --starts 8 --modes separate@0 separate@10 same",
    )
    parser.add_argument("--starts", type=int, default=4, help="starts per mode (default 4)")
    parser.add_argument("--modes", nargs="+", default=["separate", "same"], metavar="MODE",
                        help="RA_EMBEDDING_PROCESS values to compare, 'separate@N' with the child at niceness N, "
                        "'same:torch' with that RA_EMBEDDING_BACKEND (default: separate same)")
    parser.add_argument("--fresh-cache", type=int, metavar="N", help="instead: `resolution-assistant ask` N times, "
                        "each in a model cache with the model folders only, then once with what it derived")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--out", type=Path, help="also write the summary there, e.g. benchmarks/out/app_starts.json "
                        "(RESULTS.md shows it)")
    args = parser.parse_args(argv)
    if args.fresh_cache is not None and args.fresh_cache < 1:
        parser.error("--fresh-cache needs at least 1 run")
    from assistant.settings import Settings
    from tests.app.conftest import app_env

    settings = Settings.from_env()
    env = app_env(settings.data_dir, settings.model_cache, RA_CORPUS_DIR=str(settings.corpus_dir),
                  RA_EMBEDDING_MODEL=settings.embedding_model, TOKENIZERS_PARALLELISM="false")
    if args.fresh_cache:
        summary = first_ask_fresh_cache(env, settings.model_cache, runs=args.fresh_cache)
        fresh = summary["fresh_cache"]
        print(json.dumps(summary, indent=2) if args.json else
              f"ask, fresh model cache: median {fresh['median_s']:.2f} s (worst {summary['fresh_cache_max_s']:.2f}); "
              f"with the derived files kept: {summary['cache_kept_s']:.2f} s")
        return 0
    summary = compare_app_starts(env, starts=args.starts, modes=args.modes)
    if args.out:
        command = " ".join(["python -m benchmarks.cold_start", *(argv if argv is not None else sys.argv[1:])])
        args.out.write_text(json.dumps({"command": command, "modes": summary}, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for mode, figures in summary.items():
            print(f"{mode:>11}: page median {figures['page_median_s']:.2f} s (worst {figures['page_max_s']:.2f}), "
                  f"first answer median {figures['first_answer_median_s']:.2f} s (worst {figures['first_answer_max_s']:.2f}), "
                  f"peak RSS {figures['peak_rss_mb']:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
