"""The Assistant in a child process (the app's): the same answers, clear errors, calls side by side, no orphans."""

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.settings import Settings
from assistant.worker import AssistantProcess, AssistantProcessError
from corpus.errors import AssistantError, QuestionError
from tests.reliability.conftest import ScriptedLLM, streamed

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = [
    {"question": "What is TSAG instructed to do?"},
    {"question": "电信标准化顾问组需要做什么？"},
    {"question": "And the Director of TSB?", "history": ["What is TSAG instructed to do?"]},
    {"question": "那成员国呢？", "history": ["研究组的任务是什么？"]},
    {"question": "What budget does the resolution allocate?"},
]


def settings_in(folder: Path | str, model_cache: Path | str) -> Settings:
    """The shipped corpus on the default (onnx) model, with an index of its own in `folder`."""
    return replace(Settings(), data_dir=Path(folder), model_cache=Path(model_cache))


def at_our_priority(folder: Path | str, model_cache: Path | str) -> Settings:
    """`settings_in` with the child at this process's priority, not 10 below it: for the tests that check
    something other than its priority. Beside two busy processes (the other xdist worker and its children),
    a child at niceness 10 took 108-147 s to load, at ours 11-20 s."""
    return replace(settings_in(folder, model_cache), embedding_niceness=0)


@pytest.fixture(scope="module")
def process(tmp_path_factory, model_cache_dir, shipped_index, assistant):
    """The child at the default priority (RA_EMBEDDING_NICENESS's), over a copy of the shipped index.

    Started once the session's `assistant` has loaded here: a child at niceness 10 loading beside that
    load got almost no CPU until it was done."""
    started = AssistantProcess(settings_in(shipped_index(tmp_path_factory.mktemp("child-index")), model_cache_dir))
    yield started
    started.close()


@pytest.fixture(scope="module")
def here(assistant, model_cache_dir):
    """The same Assistant in this process, on the same backend, with an index of its own: the session's."""
    assert assistant.settings == settings_in(assistant.settings.data_dir, model_cache_dir)
    return assistant


def _gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:
            os.waitpid(pid, os.WNOHANG)  # reap it if it is ours
        except ChildProcessError:
            pass
        time.sleep(0.05)
    return False


def _same(answer, expected) -> bool:
    """Equal but for timings, and BM25 scores to float32 rounding: they are summed in an order that
    string hashing sets, and each process hashes with a seed of its own."""
    bare = [replace(a, timings={}, hits=tuple(replace(h, lexical=0.0) for h in a.hits)) for a in (answer, expected)]
    lexical = [[h.lexical for h in a.hits] for a in (answer, expected)]
    return bare[0] == bare[1] and lexical[0] == pytest.approx(lexical[1], rel=1e-5)


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: r["question"])
def test_the_child_answers_what_the_assistant_answers_here(process, here, request_):
    runnable = process.as_runnable()
    answer = runnable.invoke(request_)
    assert _same(answer, here.as_runnable().invoke(request_))
    assert answer.timings["compose_ms"] > 0  # the child's own timings come along
    streamed_ = list(runnable.stream(request_))  # no LLM: the answer alone
    assert len(streamed_) == 1 and _same(streamed_[0], answer)


def test_mandates_documents_and_status_are_the_assistants(process, here):
    process.load()
    assert process.ready
    assert process.documents() == here.documents()
    assert process.mandates() == here.mandates() and process.mandates("电信标准化顾问组") == here.mandates("TSAG")
    assert process.status() == here.status()
    assert process.index.location == Assistant(process.settings).index.location


def test_errors_cross_with_their_class_and_both_languages(process):
    with pytest.raises(QuestionError) as empty:
        process.as_runnable().invoke({"question": "  "})
    assert "empty" in str(empty.value) and "问题是空的" in empty.value.localized("zh")
    with pytest.raises(AssistantError, match="unknown actor 'the Pope'"):
        process.mandates("the Pope")
    assert process.as_runnable().invoke(REQUESTS[0]).citations  # the child is unharmed


def test_the_child_runs_at_a_lower_priority_without_torch(process):
    process.load()
    niceness = int(Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
    assert niceness == min(19, os.nice(0) + 10)  # RA_EMBEDDING_NICENESS's default on top of ours
    maps = Path(f"/proc/{process.pid}/maps").read_text()
    assert "onnxruntime" in maps and "libtorch" not in maps


def test_a_killed_child_is_a_one_line_error_then_restarts(tmp_path, model_cache_dir, here, shipped_index):
    process = AssistantProcess(at_our_priority(shipped_index(tmp_path), model_cache_dir))
    try:
        process.load()
        assert process.status().ready
        pid = process.pid
        os.kill(pid, signal.SIGKILL)
        while process.pid is not None:
            time.sleep(0.01)
        assert process.ready is False and process.status().ready is False  # the status line's questions restart nothing
        with pytest.raises(AssistantProcessError, match="process stopped") as raised:
            process.as_runnable().invoke(REQUESTS[0])
        message = str(raised.value)
        assert "\n" not in message and "exit code -9" in message and "Ask again" in message
        assert "重新启动" in raised.value.localized("zh")
        assert process.pid is None
        again = process.as_runnable().invoke(REQUESTS[0])  # the next call starts a new child
        assert process.pid not in (None, pid)
        assert again.citations[0].clause_id == "wtsa-res106-2024/resolves-to-instruct-tsag/1"
    finally:
        process.close()


def test_a_call_waiting_when_the_child_dies_gets_the_error(tmp_path, model_cache_dir, shipped_index):
    process = AssistantProcess(at_our_priority(shipped_index(tmp_path), model_cache_dir))
    try:
        failures = []

        def load():
            try:
                process.load()
            except AssistantError as exc:
                failures.append(exc)

        waiting = threading.Thread(target=load)
        waiting.start()  # waits for the load the child began at its start
        time.sleep(0.5)
        os.kill(process.pid, signal.SIGKILL)
        waiting.join(10)
        assert [type(f) for f in failures] == [AssistantProcessError]
        process.load()  # the death was reported to the call that waited: this one starts a new child
        assert process.ready
    finally:
        process.close()


def test_a_slow_llm_answer_does_not_hold_up_other_calls(tmp_path, model_cache_dir, here, shipped_index):
    llm = ScriptedLLM()
    held = threading.Event()
    settings = replace(at_our_priority(shipped_index(tmp_path), model_cache_dir), llm_base_url=llm.base_url, llm_model="scripted",
                       llm_timeout=20.0)
    process = AssistantProcess(settings)
    try:
        process.load()
        llm.replies.append(streamed("TSAG is to take ", "all necessary measures ", "[C1].", held=held))
        answers = process.as_runnable().stream(REQUESTS[0])
        first = next(answers)  # a draft: the endpoint holds the rest back
        assert not first.citations and "TSAG is to take" in first.text
        started = time.monotonic()
        assert process.status().llm and process.mandates("TSAG") == here.mandates("TSAG")
        assert time.monotonic() - started < 2
        held.set()
        *_, last = answers
        assert last.citations[0].clause_id == "wtsa-res106-2024/resolves-to-instruct-tsag/1"
    finally:
        held.set()
        process.close()
        llm.close()


def test_a_corpus_that_cannot_load_is_a_one_line_error(tmp_path, model_cache_dir):
    missing = tmp_path / "no-such-folder"
    process = AssistantProcess(replace(at_our_priority(tmp_path, model_cache_dir), corpus_dir=missing))
    try:
        with pytest.raises(AssistantError) as raised:
            process.documents()
        assert str(missing) in str(raised.value) and "\n" not in str(raised.value)
        assert not isinstance(raised.value, AssistantProcessError)  # the child runs on: it is the corpus
        with pytest.raises(AssistantError, match="no-such-folder"):
            process.load()
    finally:
        process.close()


def test_close_ends_the_child_while_it_loads(tmp_path, model_cache_dir):
    process = AssistantProcess(at_our_priority(tmp_path, model_cache_dir))
    pid = process.pid
    process.close()  # waits at most 5 s for the child to see the closed pipe, then kills it
    # Not timed (a loaded machine slows the child's exit, not its end): the child is gone, no longer ours.
    assert process.pid is None and _gone(pid)


def test_the_child_ends_when_its_parent_dies(tmp_path, model_cache_dir, shipped_index):
    shipped_index(tmp_path)
    script = (
        "import sys\n"
        "from tests.assistant.test_worker import at_our_priority\n"
        "from assistant.worker import AssistantProcess\n"
        f"p = AssistantProcess(at_our_priority({str(tmp_path)!r}, {str(model_cache_dir)!r})); p.load()\n"
        "print(p.pid, flush=True); sys.stdin.read()"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        child = int(parent.stdout.readline())
        parent.kill()  # no atexit, no close(): only the pipe tells the child
        parent.wait()
        assert _gone(child), "the assistant's process outlived the app"
    finally:
        parent.kill()


def test_the_worker_command_explains_itself():
    done = subprocess.run([sys.executable, "-m", "assistant.worker"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "started by the app" in done.stderr
