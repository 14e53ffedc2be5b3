"""The benchmark suite runs end to end on tiny sizes and writes well-formed output (never timing thresholds)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ("latency", "index_build", "scale", "server_mode", "cold_start")


def run_module(*args: str, timeout: int, **env: str) -> subprocess.CompletedProcess:
    """`python -m ARGS` from the project root, as a user runs it; fails the test on a non-zero exit."""
    done = subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True, text=True, timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.mark.server
@pytest.mark.timeout(900)  # a few minutes on an idle 2-core machine; more when it is shared
def test_smoke_run_writes_results_plots_and_report(tmp_path):
    run_module("benchmarks.run", "--smoke", "--out", str(tmp_path), timeout=880)

    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["errors"] == {}
    assert results["meta"]["smoke"] is True
    for section in SECTIONS:
        assert results[section], section
    assert {t["target"] for t in results["targets"]} and all("met" in t for t in results["targets"])
    assert results["index_build"]["synthetic"]["product"]["clauses"] == results["meta"]["plan"]["synthetic"]
    for plot in results["plots"]:
        assert (tmp_path / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(results["plots"]) == {"scale.png", "latency.png"}

    report = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert report.startswith("# Benchmarks")
    assert "## Targets" in report and "Smoke run" in report


@pytest.mark.timeout(300)
def test_the_latency_section_runs_alone(tmp_path, model_cache_dir, shipped_index):
    # The session's models and a copy of the shipped index (--data-dir is "kept between runs"): the section
    # measures answers, and building the index or the intent vectors again measured nothing of it.
    done = run_module(
        "benchmarks.latency", "--questions", "3", "--repeats", "1", "--data-dir", str(shipped_index(tmp_path)), "--json",
        timeout=280, RA_MODEL_CACHE=str(model_cache_dir),
    )
    results = json.loads(done.stdout)
    assert results["questions"] == 3 and results["cold_cache"]["total"]["n"] == 3 and results["repeated"]["total"]["n"] == 3
    assert results["embedding_alone"]["n"] == 3 and results["embedding_ratio"]["p50"] > 0
