"""Faults: a build killed at random points, an index deleted or damaged under a loaded Assistant or
between runs, a read-only data folder, a Chroma server that is down or dies mid-session. Each ends in
a healed index or a one-line error that names the remedy, and a full recovery.
"""

from __future__ import annotations

import json
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from corpus.clause import Clause
from corpus.errors import IndexStateError
from corpus.library import load_corpus
from embeddings.index import ClauseIndex, index_entries
from embeddings.model import MINILM
from tests.app.conftest import stop
from tests.embeddings.conftest import free_port, start_chroma
from tests.reliability.conftest import (
    CLI,
    CLI_TIMEOUT_S,
    ROOT,
    SEED_DIR,
    assert_grounded,
    assert_one_line_error,
    cli_env,
    run_cli,
)

SYNTHETIC_CLAUSES = 80  # ~310 index entries (a clause, its English version, its gists in two languages): five batches of 64
KILLS = 3
FAST_KILLS = 1  # the fast loop's one kill still lands mid-build, in batch 2
QUESTION = "What is TSAG instructed to do?"
TSAG = "wtsa-res106-2024/resolves-to-instruct-tsag/1"
ERROR_BUDGET_S = 5.0


def synthetic_clauses(count: int = SYNTHETIC_CLAUSES) -> list[Clause]:
    """The seed's clauses over and over under new ids, texts, English versions and gists shortened: a corpus
    that takes seconds to embed (the seed's own gists, some hundreds of characters, took half a minute)."""
    seed = load_corpus(SEED_DIR)
    return [
        replace(
            c,
            id=f"{c.id}/copy-{copy}",
            order=i,
            text=f"{c.text[:40]}（副本{copy}）",
            versions={lang: {**v, "text": f"{v['text'][:40]} (copy {copy})"} for lang, v in c.versions.items()},
            gists={lang: (f"{' '.join(gists)[:40]} ({copy})",) for lang, gists in c.gists.items()},
        )
        for i, c, copy in ((i, seed[i % len(seed)], i // len(seed)) for i in range(count))
    ]


# A child process that builds the index of `synthetic_clauses`, saying "batch N" as it starts
# embedding batch N (so batch N-1 is stored) and "done" when the build has finished.
_BUILD = """
import sys
from pathlib import Path
from embeddings.index import ClauseIndex
from embeddings.model import MINILM
from embeddings.onnx_model import make_embedder
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

embedder = make_embedder(MINILM, cache_dir=Path(sys.argv[2]))  # the product's backend: no torch to import
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
def test_builds_killed_at_random_points_are_completed_and_equal_a_clean_build(tmp_path, minilm, model_cache_dir, fast_loop):
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    clauses = synthetic_clauses()
    killed = tmp_path / "killed"
    # The first kill lands in batch 2 (so batch 1 is stored), the others in their first batch, each at a
    # random moment: while embedding, storing, or before the first vector. At most 4 of 5 batches get stored.
    plan = [(2 if run == 0 else 1, rng.uniform(0.0, 0.3)) for run in range(FAST_KILLS if fast_loop else KILLS)]
    for at_batch, delay in plan:
        build_and_kill(killed, model_cache_dir, at_batch=at_batch, delay=delay)

    index = ClauseIndex(minilm, data_dir=killed)
    status = index.status()
    assert status["exists"] and not status["complete"], f"random seed {seed}: {status}"
    with pytest.raises(IndexStateError, match="did not finish"):
        index.search(minilm.embed_query(QUESTION), k=3)

    report = index.sync(clauses)
    assert report.action == "completed", f"random seed {seed}, plan {plan}: {report}"
    assert report.added < report.total  # what the killed builds stored was kept

    clean = ClauseIndex(minilm, data_dir=tmp_path / "clean")
    assert clean.sync(clauses).added == report.total
    done, reference = index.status(), clean.status()
    assert done["complete"] and done["count"] == reference["count"] == report.total
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
def loaded(tmp_path, model_cache_dir, minilm, shipped_index):
    """A loaded Assistant over the seed with its own embedded MiniLM index (a copy, to be damaged)."""
    from assistant.core import Assistant
    from assistant.settings import Settings

    data = shipped_index(tmp_path / "data", model=MINILM)
    settings = replace(Settings(), corpus_dir=SEED_DIR, data_dir=data, model_cache=model_cache_dir, embedding_model=MINILM)
    assistant = Assistant(settings, embedder=minilm)
    assistant.load()
    assert TSAG in {c.clause_id for c in assistant.ask(QUESTION).citations}
    return assistant


def _delete(chroma: Path) -> None:
    shutil.rmtree(chroma)


def _garble(chroma: Path) -> None:
    (chroma / "chroma.sqlite3").write_bytes(b"this is not a database\n" * 4096)


def _random_pages(chroma: Path, *, pages: int = 4, seed: int = 106) -> None:
    """Random bytes over a few SQLite pages (4096 bytes each) in the middle of chroma.sqlite3."""
    store = chroma / "chroma.sqlite3"
    data = bytearray(store.read_bytes())
    first = len(data) // 4096 // 2 - pages // 2
    data[first * 4096 : (first + pages) * 4096] = random.Random(seed).randbytes(pages * 4096)
    store.write_bytes(bytes(data))


def _cli_env(settings, **extra: str) -> dict:
    return cli_env(
        RA_CORPUS_DIR=str(settings.corpus_dir),
        RA_DATA_DIR=str(settings.data_dir),
        RA_MODEL_CACHE=str(settings.model_cache),
        RA_EMBEDDING_MODEL=MINILM,
        **extra,
    )


@pytest.mark.timeout(240)
@pytest.mark.parametrize("damage", [_delete, _garble, _random_pages], ids=["deleted", "garbage", "random-pages"])
def test_an_index_lost_under_a_loaded_assistant_is_rebuilt_and_it_answers(loaded, damage):
    chroma = loaded.settings.data_dir / "chroma"
    damage(chroma)
    kept = {p.name: p.read_bytes() for p in chroma.glob("*.sqlite3")}
    for _ in range(2):  # and it stays answered
        answer = loaded.ask(QUESTION)
        assert TSAG in {c.clause_id for c in answer.citations}
        assert_grounded(answer, loaded.clauses)
    aside = list(chroma.parent.glob("chroma.damaged-*"))
    if loaded.index.notice:  # Chroma may still serve random pages from its cache: then nothing was noticed
        assert "\n" not in loaded.index.notice and "rebuilt from the corpus" in loaded.index.notice
        assert [str(a) in loaded.index.notice for a in aside] in ([True], [])
    else:
        assert damage is _random_pages, "a deleted or garbage store went unnoticed"
    for folder in aside:  # the damaged files are kept as they were
        assert {p.name: p.read_bytes() for p in folder.glob("*.sqlite3")} == kept
    status = loaded.index.status()
    assert status["complete"] and status["count"] == len(index_entries(loaded.clauses))


@pytest.mark.timeout(420)
def test_cli_ask_heals_random_pages_and_index_rebuild_recovers(loaded):
    """The fault run of issue 16: random bytes over middle pages of chroma.sqlite3, then `ask` and `index --rebuild`."""
    settings = loaded.settings
    chroma = settings.data_dir / "chroma"
    env = _cli_env(settings)

    _random_pages(chroma)
    result = run_cli("ask", QUESTION, env=env, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert TSAG in result.stdout
    notice = result.stderr.strip().splitlines()[-1]
    (aside,) = chroma.parent.glob("chroma.damaged-*")
    assert notice.startswith(f"The index in {chroma} was damaged") and f"moved to {aside}" in notice, result.stderr

    _random_pages(chroma, seed=107)
    result = run_cli("index", "--rebuild", "--json", env=env, timeout=240)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["action"] == "rebuilt" and report["total"] == len(index_entries(loaded.clauses)), report
    assert len(list(chroma.parent.glob("chroma.damaged-*"))) == 2 and "moved to" in report["notice"]
    after = run_cli("index", "--json", env=env, timeout=240)  # another process: this one's Chroma caches the old store
    assert after.returncode == 0 and json.loads(after.stdout)["action"] == "unchanged", after.stderr[-3000:]


@pytest.mark.timeout(240)
def test_a_read_only_data_folder_names_the_remedy_and_moves_nothing(loaded, model_cache_dir):
    """As root, the CLI runs as `nobody`, for whom the folder is read-only (root may write anywhere)."""
    as_root = os.geteuid() == 0
    if as_root and not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: no user for whom the folder is read-only")
    folder = Path(tempfile.mkdtemp(prefix="ra-read-only-"))
    try:
        shutil.copytree(loaded.settings.data_dir / "chroma", folder / "chroma")
        os.chmod(folder, 0o755)
        settings = replace(loaded.settings, data_dir=folder, model_cache=folder / "models")  # `index` loads no model
        env = _cli_env(settings, HOME=str(folder))
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if as_root else []
        if not as_root:
            subprocess.run(["chmod", "-R", "a-w", str(folder)], check=True)
        for command in (["index"], ["index", "--rebuild"]):
            result = subprocess.run(
                [*prefix, str(CLI), *command], env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT_S
            )
            line = assert_one_line_error(result, "not writable", "RA_DATA_DIR", str(folder / "chroma"))
            assert "--rebuild" not in line
        assert sorted(p.name for p in folder.iterdir()) == ["chroma"]
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_chroma_server_that_is_down_is_one_line(tmp_path):
    """A closed port on 127.0.0.1: the heartbeat fails at once, before any model loads."""
    url = f"http://127.0.0.1:{free_port()}"
    env = cli_env(RA_CHROMA_URL=url, RA_DATA_DIR=str(tmp_path / "data"), RA_MODEL_CACHE=str(tmp_path / "models"))
    result = run_cli("index", env=env, timeout=120)
    assert_one_line_error(result, f"The Chroma server at {url} is not reachable", "chroma run")
    assert not (tmp_path / "models").exists()


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
        assert assistant.index.status()["count"] == len(index_entries(assistant.clauses))
    finally:
        stop(server)


@pytest.mark.server
@pytest.mark.timeout(300)
def test_a_damaged_server_store_is_reported_and_left_alone(tmp_path):
    """Random pages in the server's chroma.sqlite3: the error says so; nothing of the server's is moved."""
    from tests.embeddings.test_index import HashEmbedder

    port, path = free_port(), tmp_path / "chroma-server"
    url = f"http://127.0.0.1:{port}"
    clauses = load_corpus(SEED_DIR)
    server = start_chroma(path, port)
    try:
        ClauseIndex(HashEmbedder(), data_dir=tmp_path / "unused", chroma_url=url).sync(clauses)
        stop(server)
        pristine = (path / "chroma.sqlite3").read_bytes()
        middle = len(pristine) // 4096 // 2
        got = None
        for page in sorted(range(2, len(pristine) // 4096), key=lambda p: abs(p - middle))[:40]:
            # Damage to some pages stops the server from starting, to others goes unread; the case
            # here is a server that starts and then fails on its store.
            damaged = bytearray(pristine)
            damaged[page * 4096 : (page + 1) * 4096] = random.Random(page).randbytes(4096)
            (path / "chroma.sqlite3").write_bytes(bytes(damaged))
            try:
                server = start_chroma(path, port)
            except RuntimeError:
                continue
            before = sorted(p.name for p in path.iterdir())
            try:
                ClauseIndex(HashEmbedder(), data_dir=tmp_path / "unused", chroma_url=url).sync(clauses)
            except IndexStateError as error:
                got = error
                break
            stop(server)
        assert got is not None, "no damaged page out of 40 gave a server that starts and then fails"
        assert re.search(r"failed to read its store .*repair or rebuild it on the server", str(got)), got
        assert url in str(got) and "\n" not in str(got)
        assert sorted(p.name for p in path.iterdir()) == before
        assert not (tmp_path / "unused").exists()
    finally:
        stop(server)
