"""The embedding model in a child process (the app's): same vectors, clear errors, no orphans."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from corpus.errors import ModelError
from embeddings.worker import WorkerEmbedder

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ["What is TSAG instructed to do?", "电信标准化顾问组需要做什么？", "混合 mixed 语言 12345"]


@pytest.fixture(scope="module")
def worker(model_cache_dir, embedder):  # `embedder` first: the model is converted before the child needs it
    started = WorkerEmbedder(embedder.model_id, cache_dir=model_cache_dir, backend="torch")
    yield started
    started.close()


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


def test_queries_and_passages_match_the_in_process_embedder(worker, embedder):
    assert worker.dimension == embedder.dimension == 384
    np.testing.assert_allclose(worker.embed_queries(QUERIES), embedder.embed_queries(QUERIES), rtol=0, atol=1e-6)
    passages = [f"第{i}段：电信标准化顾问组 passage {i}" for i in range(300)]
    np.testing.assert_allclose(
        worker.embed_documents(passages, progress=True), embedder.embed_documents(passages), rtol=0, atol=1e-6
    )


def test_the_child_runs_at_a_lower_priority(worker):
    worker.load()
    niceness = int(Path(f"/proc/{worker.pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
    assert niceness == min(19, os.nice(0) + 10)  # DEFAULT_NICENESS on top of ours


def test_a_repeated_query_comes_from_the_cache_read_only(worker):
    first = worker.embed_query("What are study groups invited to do?")
    assert worker.embed_query("What are study groups invited to do?") is first
    assert not first.flags.writeable


def test_empty_input_and_a_bare_string(worker):
    assert worker.embed_documents([]).shape == (0, 384)
    with pytest.raises(TypeError, match="embed_query"):
        worker.embed_queries("one string")


def test_the_onnx_child_gives_the_same_vectors_without_torch(onnx_embedder, embedder, model_cache_dir):
    worker = WorkerEmbedder(embedder.model_id, cache_dir=model_cache_dir, backend="onnx")
    try:
        np.testing.assert_allclose(worker.embed_queries(QUERIES), embedder.embed_queries(QUERIES), rtol=0, atol=1e-5)
        assert "libtorch" not in Path(f"/proc/{worker.pid}/maps").read_text()
    finally:
        worker.close()


def test_a_killed_child_is_an_error_then_restarts(model_cache_dir, embedder):
    worker = WorkerEmbedder(embedder.model_id, cache_dir=model_cache_dir, backend="onnx")  # onnx: starts in seconds
    try:
        worker.load()
        pid = worker.pid
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(ModelError, match="process stopped") as raised:
            worker.embed_queries(["after the kill"])
        assert "Ask again" in str(raised.value) and "重新启动" in raised.value.localized("zh")
        assert worker.pid is None
        again = worker.embed_queries(["after the restart"])
        assert worker.pid not in (None, pid)
        np.testing.assert_allclose(again, embedder.embed_queries(["after the restart"]), rtol=0, atol=1e-5)
    finally:
        worker.close()


def test_a_model_that_cannot_load_says_why(tmp_path, model_cache_dir):
    worker = WorkerEmbedder(str(tmp_path / "no-such-model"), cache_dir=model_cache_dir, backend="torch")
    pid = worker.pid
    with pytest.raises(ModelError, match="neither a local model directory"):
        worker.load()
    assert worker.pid is None and _gone(pid)


def test_close_ends_the_child(model_cache_dir, embedder):
    worker = WorkerEmbedder(embedder.model_id, cache_dir=model_cache_dir, backend="torch")
    pid = worker.pid
    worker.close()  # before it is ready: killed, not waited for
    assert worker.pid is None and _gone(pid)


def test_the_child_ends_when_its_parent_dies(model_cache_dir, embedder):
    script = (
        "import sys; from embeddings.worker import WorkerEmbedder\n"
        f"w = WorkerEmbedder({embedder.model_id!r}, cache_dir={str(model_cache_dir)!r}, backend='onnx'); w.load()\n"
        "print(w.pid, flush=True); sys.stdin.read()"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        parent.kill()  # no atexit, no close(): only the pipe tells the child
        parent.wait()
        assert _gone(child), "the embedding process outlived the app"
    finally:
        parent.kill()


def test_the_worker_command_explains_itself():
    done = subprocess.run([sys.executable, "-m", "embeddings.worker"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "started by the app" in done.stderr
