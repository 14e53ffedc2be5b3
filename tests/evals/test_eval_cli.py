"""`resolution-assistant eval` as evaluators run it: their own gold file, reports, exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "evals" / "examples" / "gold-quotes-only.jsonl"
KEYS = {
    "n", "citation_precision", "citation_recall", "citation_f1", "recall_at_1", "recall_at_5", "mrr",
    "abstention_accuracy", "false_abstention_rate", "invalid_citation_rate",
}


def run_eval(tmp_path, model_cache_dir, *args):
    env = {**os.environ, "RA_DATA_DIR": str(tmp_path / "data"), "RA_MODEL_CACHE": str(model_cache_dir)}
    return subprocess.run(
        [sys.executable, "-m", "assistant", "eval", "--gold", str(EXAMPLE), "--out", str(tmp_path / "out"), "--json", *args],
        capture_output=True, text=True, env=env, timeout=600,
    )


def test_own_gold_file_reports_and_gates(tmp_path, model_cache_dir, shipped_index):
    shipped_index(tmp_path / "data")
    result = run_eval(tmp_path, model_cache_dir)
    assert result.returncode == 0, result.stderr
    aggregates = json.loads(result.stdout)
    assert KEYS <= set(aggregates) and aggregates["n"] == sum(1 for line in EXAMPLE.open() if line.strip())
    out = tmp_path / "out"
    assert {"results.json", "report.md"} <= {p.name for p in out.iterdir()}
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in out.glob("*.png"))
    results = json.loads((out / "results.json").read_text())
    assert results["meta"]["dataset_hash"].startswith("sha256:")

    impossible = tmp_path / "impossible.toml"
    impossible.write_text("[min]\ncitation_f1 = 1.01\n")
    gated = run_eval(tmp_path, model_cache_dir, "--thresholds", str(impossible))
    assert gated.returncode == 3
    assert "citation_f1" in gated.stderr


def test_a_broken_gold_file_is_one_clear_line(tmp_path, model_cache_dir):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "lang": "zh", "question": "?", "gold_quotes": ["这句话不在决议里"], "answerable": true}\n')
    env = {**os.environ, "RA_DATA_DIR": str(tmp_path / "data"), "RA_MODEL_CACHE": str(model_cache_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "eval", "--gold", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "bad.jsonl" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_an_out_folder_that_cannot_be_written_is_one_line_before_the_run(tmp_path, capsys):
    from evals.cli import main

    taken = tmp_path / "results"
    taken.write_text("a file, not a folder")
    # Refused before any model loads or question is asked: the run, minutes long, is never lost to a bad --out.
    assert main(["--gold", str(EXAMPLE), "--out", str(taken)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write the results to") and "--out" in err and len(err.strip().splitlines()) == 1
    assert taken.read_text() == "a file, not a folder"


def test_a_bad_gold_file_leaves_no_results_folder_behind(tmp_path, capsys):
    from evals.cli import main

    assert main(["--gold", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "results")]) == 1
    assert "missing.jsonl" in capsys.readouterr().err and not (tmp_path / "results").exists()
