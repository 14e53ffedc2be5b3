"""Adversarial questions: an Answer or a clear QuestionError, in bounded time, never a bad citation.

The cases are data, in adversarial_questions.jsonl, one JSON object a line:
  id, why           what the case is and why it is hostile
  question          any JSON value; {"$repeat": s, "times": n} stands for s * n
  history           optional, any JSON value (list items may use "$repeat" too)
  history_repeat    optional: the history list repeated this many times
  expect            "answer", "abstain", "error" (a QuestionError) or "either" (answer or QuestionError)
  error             for "error": a piece of the message
  cites             optional: clause ids the answer must cite
  xfail             optional: a known defect, reported to the owner of the code
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus.errors import AssistantError, QuestionError
from tests.reliability.conftest import ROOT, assert_grounded, assert_one_line_error, cli_env, run_cli

CASES_FILE = Path(__file__).with_name("adversarial_questions.jsonl")
ASK_BUDGET_S = 5.0
EXPECTATIONS = {"answer", "abstain", "error", "either"}


def expand(value):
    """A case's value with {"$repeat": s, "times": n} written out."""
    if isinstance(value, dict) and set(value) == {"$repeat", "times"}:
        return value["$repeat"] * value["times"]
    if isinstance(value, list):
        return [expand(item) for item in value]
    return value


def load_cases() -> list[dict]:
    cases = []
    for number, line in enumerate(CASES_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            case = json.loads(line)
            case["line"] = number
            cases.append(case)
    return cases


CASES = load_cases()


def as_param(case: dict):
    marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
    return pytest.param(case, id=case["id"], marks=marks)


def test_the_case_file_is_well_formed():
    ids = [case["id"] for case in CASES]
    assert len(CASES) >= 40
    assert len(set(ids)) == len(ids), "duplicate case ids"
    for case in CASES:
        assert case["expect"] in EXPECTATIONS, case
        assert case.get("why"), f"{case['id']}: say why the case is hostile"
        if case["expect"] == "error":
            assert case.get("error"), f"{case['id']}: give a piece of the expected message"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", [as_param(case) for case in CASES])
def test_adversarial_question(case, seed_assistant, shipped_clauses):
    question = expand(case["question"])
    history = expand(case.get("history", []))
    if "history_repeat" in case:
        history = history * case["history_repeat"]
    # The process's CPU time, not the wall clock: a hostile question must not make the assistant work
    # for long (a regex blow-up would), and another test process sharing the cores must not look like one
    # (`make test-fast` on two workers once took 10.3 s of wall time for a 2,000-character question that
    # costs about 3.2 s of CPU here: two 400-token embeddings on two threads).
    started = time.process_time()
    try:
        answer = seed_assistant.ask(question, history)
    except QuestionError as error:
        answer, message = None, str(error)
    elapsed = time.process_time() - started
    assert elapsed < ASK_BUDGET_S, f"{case['id']}: took {elapsed:.1f} s of CPU"
    expect = case["expect"]
    if answer is None:
        assert expect in ("error", "either"), f"{case['id']}: QuestionError {message!r}, expected {expect}"
        assert message.strip() and "\n" not in message
        assert case.get("error", "") in message
        return
    assert expect != "error", f"{case['id']}: answered {answer.text[:80]!r}, expected a QuestionError"
    assert answer.text.strip()
    assert_grounded(answer, shipped_clauses)
    if expect == "abstain":
        assert answer.abstained, f"{case['id']}: cited {[c.clause_id for c in answer.citations]}"
    cited = {c.clause_id for c in answer.citations}
    assert set(case.get("cites", ())) <= cited, f"{case['id']}: cited {sorted(cited)}"


def test_question_errors_are_assistant_errors():
    assert issubclass(QuestionError, AssistantError)


@pytest.fixture(scope="module")
def offline_env(tmp_path_factory, model_cache_dir):
    """A CLI environment with its own (empty) data folder: these commands must fail before any index."""
    return cli_env(RA_DATA_DIR=str(tmp_path_factory.mktemp("cli-data")), RA_MODEL_CACHE=str(model_cache_dir))


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        pytest.param("", "question", id="empty"),
        pytest.param("   \t  ", "The question is empty", id="whitespace"),
        pytest.param("\u200b\u200d", "The question is empty", id="zero-width"),
        pytest.param("😀😀", "no words", id="emoji"),
        pytest.param("a" * 2001, "2,001 characters", id="2001-chars"),
    ],
)
def test_cli_refuses_a_bad_question_in_one_line(offline_env, question, fragment):
    result = run_cli("ask", question, env=offline_env, timeout=60)
    assert_one_line_error(result, fragment)
    assert result.stdout == ""


# The CLI in a child process, printing at its end which of the modules that answering needs it had imported.
_CLI_IMPORTS = """
import json, sys
from assistant.cli import main
code = main(sys.argv[1:])
print(json.dumps(sorted(m for m in ("assistant.core", "corpus.library", "langchain_core", "chromadb", "onnxruntime", "numpy") if m in sys.modules)))
sys.exit(code)
"""


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param(None, "No such file", id="missing"),
        pytest.param(b'{"question": \n', "line 1: not JSON", id="not-json"),
        pytest.param(b'{"question": "caf\xe9"}\n', "not UTF-8", id="not-utf8"),
        pytest.param(b'{"history": []}\n', "line 1: expected", id="no-question"),
    ],
)
def test_cli_refuses_a_bad_batch_before_loading_anything(offline_env, tmp_path, content, fragment):
    # Neither the corpus nor the Assistant (model, index, LangChain), nor numpy: a bad file costs a fraction of a second.
    batch = tmp_path / "questions.jsonl"
    if content is not None:
        batch.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-c", _CLI_IMPORTS, "ask", "--batch", str(batch)],
        env=offline_env, cwd=ROOT, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=60,
    )
    assert_one_line_error(result, fragment)
    assert json.loads(result.stdout) == []


def test_cli_batch_with_a_broken_line_names_the_line(offline_env, tmp_path):
    batch = tmp_path / "questions.jsonl"
    batch.write_text('{"question": "What is TSAG instructed to do?"}\n{"question": \n', encoding="utf-8")
    assert_one_line_error(run_cli("ask", "--batch", str(batch), env=offline_env, timeout=60), "questions.jsonl, line 2")
    batch.write_text('{"question": "x", "history": "not a list"}\n', encoding="utf-8")
    assert_one_line_error(run_cli("ask", "--batch", str(batch), env=offline_env, timeout=60), "history must be a list")
