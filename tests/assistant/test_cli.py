"""The `resolution-assistant` command line, run as a real process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run(tmp_path_factory, model_cache_dir, shipped_index):
    env = {
        **os.environ,
        "RA_DATA_DIR": str(shipped_index(tmp_path_factory.mktemp("cli-data"))),
        "RA_MODEL_CACHE": str(model_cache_dir),
    }

    def run(*args, stdin=None):
        return subprocess.run(
            [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env, input=stdin, timeout=300
        )

    return run


def test_help_teaches_every_command(run):
    out = run("--help").stdout
    for command in ("clauses", "mandates", "index", "ask", "eval", "serve", "RA_CHROMA_URL"):
        assert command in out
    assert "example" in run("ask", "--help").stdout


def test_clauses_json_lists_the_29_clause_records(run):
    clauses = json.loads(run("clauses", "--json").stdout)
    assert len(clauses) == 29
    assert clauses[0]["id"] == "wtsa-res106-2024/foreword/1"


def test_mandates_match_actors_in_either_language(run):
    en = json.loads(run("mandates", "--actor", "TSAG", "--json").stdout)
    zh = json.loads(run("mandates", "--actor", "电信标准化顾问组", "--json").stdout)
    assert en == zh and [m["clause_id"] for m in en] == ["wtsa-res106-2024/resolves-to-instruct-tsag/1"]


def test_index_then_ask_then_batch(run, tmp_path):
    first = json.loads(run("index", "--json").stdout)
    assert set(first) >= {"model", "added", "updated", "removed", "total", "seconds"}
    # One vector per clause and language (29 clauses, each in Chinese and English), and per clause and
    # language of its gists (28: the title has none).
    assert first["total"] == 58 + 56
    again = json.loads(run("index", "--json").stdout)
    assert again["added"] == again["updated"] == again["removed"] == 0

    answer = json.loads(run("ask", "What is TSAG instructed to do?", "--json").stdout)
    assert answer["citations"][0]["clause_id"] == "wtsa-res106-2024/resolves-to-instruct-tsag/1"
    assert set(answer) >= {"answer", "abstained", "citations", "latency_ms"}

    batch = "\n".join(
        json.dumps(row, ensure_ascii=False)
        for row in ({"question": "研究组的任务是什么？"}, {"question": "那成员国呢？", "history": ["研究组的任务是什么？"]}, {"question": ""})
    )
    lines = [json.loads(line) for line in run("ask", "--batch", "-", "--json", stdin=batch).stdout.splitlines()]
    assert len(lines) == 3
    assert lines[1]["citations"][0]["clause_id"] == "wtsa-res106-2024/invites-members/1"
    assert "error" in lines[2] and lines[2]["citations"] == []


@pytest.mark.parametrize(
    "args, message",
    [
        (("ask", ""), "empty"),
        (("ask", "x" * 2001), "2,000"),
        (("clauses", "no-such-file.txt"), "no-such-file.txt"),
        (("mandates", "--actor", "nobody"), "unknown actor"),
    ],
)
def test_errors_are_one_line_with_a_nonzero_exit(run, args, message):
    result = run(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("question", ["", " \u200b ", "?!", "x" * 2001])
def test_a_bad_question_is_refused_before_the_product_loads(question):
    # The check runs before the Assistant's modules (LangChain, Chroma, onnxruntime) are imported: seconds sooner.
    code = (
        "import sys\n"
        "from assistant.cli import main\n"
        f"code = main(['ask', {question!r}])\n"
        "print(code, 'assistant.core' in sys.modules, 'chromadb' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.stdout.split() == ["1", "False", "False"], result.stderr
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1


def test_a_batch_file_that_is_not_utf8_is_one_line(tmp_path):
    from assistant.cli import _read_batch
    from corpus.errors import AssistantError

    path = tmp_path / "questions.jsonl"
    path.write_bytes(b'\xff\xfe{"question": "x"}\n')  # UTF-16's byte-order mark: was a UnicodeDecodeError traceback
    with pytest.raises(AssistantError, match="not UTF-8 text .* save it as UTF-8 JSON Lines"):
        _read_batch(str(path))
