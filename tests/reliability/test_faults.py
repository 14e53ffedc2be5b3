"""Faults: a build killed at random points, an index deleted or damaged under a loaded Assistant,
a Chroma server that dies mid-session. Each ends in a clear IndexStateError and a full recovery.
"""

from __future__ import annotations

import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from corpus.clause import Clause
from corpus.errors import IndexStateError
from corpus.library import load_corpus
from embeddings.index import ClauseIndex
from embeddings.model import MINILM
from tests.app.conftest import stop
from tests.embeddings.conftest import free_port, start_chroma
from tests.reliability.conftest import ROOT, SEED_DIR, assert_grounded, cli_env, run_cli

SYNTHETIC_CLAUSES = 320  # five batches of 64
KILLS = 3
QUESTION = "What is TSAG instructed to do?"
TSAG = "wtsa-res106-2024/resolves-to-instruct-tsag/1"
ERROR_BUDGET_S = 5.0


def synthetic_clauses(count: int = SYNTHETIC_CLAUSES) -> list[Clause]:
    """The seed's clauses over and over under new ids, texts shortened: a corpus that takes seconds to embed."""
    seed = load_corpus(SEED_DIR)
    return [
        replace(c, id=f"{c.id}/copy-{i // len(seed)}", order=i, text=f"{c.text[:40]}（副本{i // len(seed)}）")
        for i, c in ((i, seed[i % len(seed)]) for i in range(count))
    ]


# A child process that builds the index of `synthetic_clauses`, saying "batch N" as it starts
# embedding batch N (so batch N-1 is stored) and "done" when the build has finished.
_BUILD = """
import sys
from pathlib import Path
from embeddings.index import ClauseIndex
from embeddings.model import MINILM, Embedder
from tests.reliability.test_faults import synthetic_clauses

class Announcing:
    def __init__(self, inner):
        self.inner, self.batches = inner, 0
    model_id = property(lambda self: self.inner.model_id)
    dimension = property(lambda self: self.inner.dimension)
    def embed_documents(self, texts, **kwargs):
        self.batches += 1
        print(f"batch {self.batches}", flush=True)
        return self.inner.embed_documents(texts, **kwargs)

embedder = Embedder(MINILM, cache_dir=Path(sys.argv[2]))
embedder.load()
clauses = synthetic_clauses()
print("building", flush=True)
ClauseIndex(Announcing(embedder), data_dir=Path(sys.argv[1])).sync(clauses)
print("done", flush=True)
"""


def _lines(proc: subprocess.Popen) -> queue.Queue:
    """The child's stdout lines, read by a thread so the test can wait with a deadline."""
    lines: queue.Queue = queue.Queue()

    def pump():
        for line in proc.stdout:
            lines.put(line.strip())
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def build_and_kill(data_dir: Path, model_cache: Path, *, at_batch: int, delay: float, timeout: float = 150) -> list[str]:
    """Start a build in a child process; SIGKILL it `delay` s after it starts embedding batch `at_batch`."""
    proc = subprocess.Popen(
        [sys.executable, "-u", "-c", _BUILD, str(data_dir), str(model_cache)],
        cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    lines, seen = _lines(proc), []
    deadline = time.monotonic() + timeout
    try:
        while f"batch {at_batch}" not in seen:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None and line != "done", f"the build ended before batch {at_batch}: {seen}"
            seen.append(line)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    rest = []
    while (line := lines.get(timeout=10)) is not None:
        rest.append(line)
    assert "done" not in rest, "the build finished before the kill"
    return seen + rest


@pytest.mark.timeout(420)
def test_builds_killed_at_random_points_are_completed_and_equal_a_clean_build(tmp_path, minilm, model_cache_dir):
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    clauses = synthetic_clauses()
    killed = tmp_path / "killed"
    # The first kill lands in batch 2 (so batch 1 is stored), the others in their first batch, each at a
    # random moment: while embedding, storing, or before the first vector. At most 4 of 5 batches get stored.
    plan = [(2 if run == 0 else 1, rng.uniform(0.0, 0.3)) for run in range(KILLS)]
    for at_batch, delay in plan:
        build_and_kill(killed, model_cache_dir, at_batch=at_batch, delay=delay)

    index = ClauseIndex(minilm, data_dir=killed)
    status = index.status()
    assert status["exists"] and not status["complete"], f"random seed {seed}: {status}"
    with pytest.raises(IndexStateError, match="did not finish"):
        index.search(minilm.embed_query(QUESTION), k=3)

    report = index.sync(clauses)
    assert report.action == "completed", f"random seed {seed}, plan {plan}: {report}"
    assert report.added < len(clauses)  # what the killed builds stored was kept

    clean = ClauseIndex(minilm, data_dir=tmp_path / "clean")
    assert clean.sync(clauses).added == len(clauses)
    done, reference = index.status(), clean.status()
    assert done["complete"] and done["count"] == reference["count"] == len(clauses)
    assert done["fingerprint"] == reference["fingerprint"]
    ids = [c.id for c in clauses]
    got, want = index.vectors(ids), clean.vectors(ids)
    assert sorted(got) == sorted(want) == sorted(ids)
    for cid in ids:
        np.testing.assert_allclose(got[cid], want[cid], atol=1e-4, err_msg=cid)
    query = minilm.embed_query("采取一切必要措施")
    assert [h.clause_id for h in index.search(query, k=10)] == [h.clause_id for h in clean.search(query, k=10)]


# --- an embedded index deleted or damaged under a loaded Assistant --------------------------


@pytest.fixture()
def loaded(tmp_path, model_cache_dir, minilm):
    """A loaded Assistant over the seed with its own embedded MiniLM index."""
    from assistant.core import Assistant
    from assistant.settings import Settings

    settings = replace(
        Settings(), corpus_dir=SEED_DIR, data_dir=tmp_path / "data", model_cache=model_cache_dir, embedding_model=MINILM
    )
    assistant = Assistant(settings, embedder=minilm)
    assistant.load()
    assert TSAG in {c.clause_id for c in assistant.ask(QUESTION).citations}
    return assistant


def _delete(chroma: Path) -> None:
    shutil.rmtree(chroma)


def _garble(chroma: Path) -> None:
    (chroma / "chroma.sqlite3").write_bytes(b"this is not a database\n" * 4096)


def _command_in(message: str) -> list[str]:
    """The `resolution-assistant …` command an error message tells the user to run."""
    found = re.search(r"`resolution-assistant ([^`]+)`", message)
    assert found, f"the message does not say what to run: {message}"
    return found.group(1).split()


@pytest.mark.timeout(240)
@pytest.mark.parametrize("damage", [_delete, _garble], ids=["deleted", "garbage"])
def test_a_lost_index_fails_clearly_and_the_command_it_names_recovers(loaded, damage):
    settings = loaded.settings
    damage(settings.data_dir / "chroma")
    for _ in range(2):  # and it stays failed: no answer from a stale copy in memory
        started = time.perf_counter()
        with pytest.raises(IndexStateError) as caught:
            loaded.ask(QUESTION)
        assert time.perf_counter() - started < ERROR_BUDGET_S
    message = str(caught.value)
    assert "resolution-assistant index" in message and "\n" not in message

    env = cli_env(
        RA_CORPUS_DIR=str(settings.corpus_dir),
        RA_DATA_DIR=str(settings.data_dir),
        RA_MODEL_CACHE=str(settings.model_cache),
        RA_EMBEDDING_MODEL=MINILM,
    )
    result = run_cli(*_command_in(message), env=env, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]

    answer = loaded.ask(QUESTION)  # the same loaded Assistant serves again, no restart
    assert TSAG in {c.clause_id for c in answer.citations}
    assert_grounded(answer, loaded.clauses)
    status = loaded.index.status()
    assert status["complete"] and status["count"] == len(loaded.clauses)


def test_a_damaged_index_is_rebuilt_in_process(loaded):
    _garble(loaded.settings.data_dir / "chroma")
    with pytest.raises(IndexStateError, match="index --rebuild"):
        loaded.ask(QUESTION)
    with pytest.raises(IndexStateError, match="index --rebuild"):
        loaded.build_index()  # an update cannot read it either, and says the same
    assert loaded.build_index(rebuild=True).action == "rebuilt"
    assert TSAG in {c.clause_id for c in loaded.ask(QUESTION).citations}


# --- a Chroma server that dies mid-session -----------------------------------------------------


@pytest.mark.server
@pytest.mark.timeout(300)
def test_a_dead_chroma_server_fails_fast_and_service_resumes_on_restart(tmp_path, model_cache_dir, minilm):
    from assistant.core import Assistant
    from assistant.settings import Settings

    port, path = free_port(), tmp_path / "chroma-server"
    server = start_chroma(path, port)
    try:
        settings = replace(
            Settings(),
            corpus_dir=SEED_DIR,
            data_dir=tmp_path / "unused",
            model_cache=model_cache_dir,
            embedding_model=MINILM,
            chroma_url=f"http://127.0.0.1:{port}",
        )
        assistant = Assistant(settings, embedder=minilm)
        assistant.load()
        before = assistant.ask(QUESTION)
        assert TSAG in {c.clause_id for c in before.citations}

        server.kill()
        server.wait(timeout=30)
        for _ in range(2):
            started = time.perf_counter()
            with pytest.raises(IndexStateError, match=r"not reachable.*chroma run") as caught:
                assistant.ask(QUESTION)
            assert time.perf_counter() - started < ERROR_BUDGET_S
            assert str(settings.chroma_url) in str(caught.value)

        server = start_chroma(path, port)
        after = assistant.ask(QUESTION)
        assert [c.clause_id for c in after.citations] == [c.clause_id for c in before.citations]
        assert assistant.index.status()["count"] == len(assistant.clauses)
    finally:
        stop(server)
