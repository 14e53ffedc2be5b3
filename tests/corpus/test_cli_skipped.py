"""The command line with a bad file in the corpus folder: named on stderr, skipped; fatal with --strict."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.corpus.support import CORPUS_DIR, ROOT

BAD = "binary.txt"
TSAG = "wtsa-res106-2024/resolves-to-instruct-tsag/1"


@pytest.fixture(scope="module")
def run(tmp_path_factory, model_cache_dir, shipped_index):
    """The CLI over a copy of the shipped corpus plus one binary file, with its own index."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in CORPUS_DIR.iterdir():
        shutil.copy(path, folder / path.name)
    (folder / BAD).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    env = {
        **os.environ,
        "RA_CORPUS_DIR": str(folder),
        "RA_DATA_DIR": str(shipped_index(tmp_path_factory.mktemp("data"))),  # the bad file adds no clause
        "RA_MODEL_CACHE": str(model_cache_dir),
    }

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600
        )

    return run


def skipped_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("skipped: ")]


def assert_one_line_error(result, *words):
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and all(word in line for word in words), line


def test_clauses_skips_the_bad_file_and_names_it(run):
    result = run("clauses", "--json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 29
    [line] = skipped_lines(result.stderr)
    assert BAD in line and "binary data" in line


def test_strict_makes_a_bad_file_fatal(run):
    for command in (("clauses",), ("index",), ("ask", "What is TSAG instructed to do?")):
        assert_one_line_error(run(*command, "--strict"), BAD, "binary data")


def test_clauses_of_a_bad_file_named_alone_fails(run, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("会议记录，不是决议。", encoding="utf-8")
    assert_one_line_error(run("clauses", str(bad)), "notes.txt", "no resolution number line")


def test_index_and_ask_keep_working_and_report_the_skipped_file(run):
    result = run("index", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [skipped] = report["skipped"]
    assert set(skipped) == {"file", "error"} and skipped["file"].endswith(BAD) and "binary data" in skipped["error"]
    assert len(skipped_lines(result.stderr)) == 1

    result = run("ask", "What is TSAG instructed to do?", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["citations"][0]["clause_id"] == TSAG
    [line] = skipped_lines(result.stderr)
    assert BAD in line
