"""The clause index against a real Chroma: embedded, and a real `chroma run` server."""

import hashlib
import json
import random
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from corpus.errors import IndexStateError
from corpus.library import load_corpus
from embeddings.index import ClauseIndex, collection_name, index_entries
from embeddings.model import MINILM

TSAG = "wtsa-res106-2024/resolves-to-instruct-tsag/1"
ROOT = Path(__file__).resolve().parents[2]


class CountingEmbedder:
    """The real MiniLM, counting how many passages it is asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.embedded = 0

    model_id = property(lambda self: self.inner.model_id)
    dimension = property(lambda self: self.inner.dimension)

    def embed_documents(self, texts, **kwargs):
        self.embedded += len(texts)
        return self.inner.embed_documents(texts, **kwargs)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture(scope="module")
def clauses():
    return load_corpus("corpus/texts")


@pytest.fixture(scope="module")
def built_store(tmp_path_factory, clauses, minilm) -> Path:
    """A data folder holding one embedded index of `clauses`, built once: the tests that start from a built
    index copy its store (`built`), where each building its own took 8-15 s."""
    folder = tmp_path_factory.mktemp("built-index")
    ClauseIndex(minilm, data_dir=folder).sync(clauses)
    return folder


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def make_index(request, tmp_path, minilm):
    url = request.getfixturevalue("chroma_server") if request.param == "server" else ""
    # The server's collections live side by side; an embedded index has its folder to itself (and the
    # default name, so that a copy of `built_store` is found).
    corpus_name = f"t{request.node.name[-20:]}-{tmp_path.name[-8:]}" if url else "default"

    def make(embedder=None):
        return ClauseIndex(embedder or CountingEmbedder(minilm), data_dir=tmp_path, chroma_url=url, corpus_name=corpus_name)

    make.chroma_url = url
    return make


@pytest.fixture
def built(make_index, tmp_path, clauses, request):
    """`make_index`'s index of `clauses`, complete before the test starts: a copy of `built_store` when
    embedded, built in the server otherwise."""
    if make_index.chroma_url:
        make_index().sync(clauses)
    else:
        shutil.copytree(request.getfixturevalue("built_store") / "chroma", tmp_path / "chroma")


def test_build_then_search_finds_the_clause(make_index, clauses, minilm):
    index = make_index()
    report = index.sync(clauses)
    entries = len(index_entries(clauses))  # one vector per clause and language
    assert (report.added, report.updated, report.removed, report.total) == (entries, 0, 0, entries)
    hits = index.search(minilm.embed_query("TSAG RG-DT 采取一切必要措施"), k=3)
    assert TSAG in [h.clause_id for h in hits]
    assert all(-1.0 <= h.similarity <= 1.0 for h in hits)


def test_several_queries_in_one_call_get_what_each_gets_alone(built, make_index, clauses, minilm):
    index = make_index()
    assert index.sync(clauses).action == "unchanged"
    vectors = [minilm.embed_query(q) for q in ("TSAG RG-DT", "developing countries capacity building", "脚注")]
    for where in (None, {"language": "en"}):
        together = index.search_each(vectors, k=7, where=where)
        assert together == [index.search(v, k=7, where=where) for v in vectors]
    english = index.search(vectors[0], k=5, where={"language": "en"})
    assert english and all(h.version == "en" for h in english)  # "X@en" is a hit of X, from its English entry


def test_resync_with_nothing_changed_embeds_nothing(built, make_index, clauses):
    again = make_index()
    report = again.sync(clauses)
    assert report.action == "unchanged"
    assert again.embedder.embedded == 0


def test_a_changed_corpus_is_updated_incrementally(built, make_index, clauses):
    changed = [replace(c, text=c.text + "（修订）") if c.id == TSAG else c for c in clauses[:-1]]
    index = make_index()
    report = index.sync(changed)
    # The dropped last clause goes in both its languages; the changed one is the Chinese entry alone.
    assert (report.added, report.updated, report.removed) == (0, 1, len(index_entries(clauses[-1:])))
    assert index.embedder.embedded == 1
    assert index.status()["count"] == len(index_entries(changed))


def test_an_interrupted_build_is_detected_and_completed(make_index, clauses, minilm):
    class Dying(CountingEmbedder):
        def embed_documents(self, texts, **kwargs):
            if self.embedded >= 64:
                raise KeyboardInterrupt
            return super().embed_documents(texts, **kwargs)

    # 114 index entries (each clause, its English version, their gists): the first batch of 64 is stored,
    # the second dies.
    with pytest.raises(KeyboardInterrupt):
        make_index(Dying(minilm)).sync(clauses)
    broken = make_index()
    assert not broken.status().get("complete")
    with pytest.raises(IndexStateError, match="did not finish"):
        broken.search(minilm.embed_query("TSAG"), k=1)
    report = broken.sync(clauses)
    assert report.action == "completed"
    assert report.added == len(index_entries(clauses)) - 64 > 0
    assert broken.status()["count"] == len(index_entries(clauses))


def test_rebuild_embeds_everything_again(built, make_index, clauses):
    index = make_index()
    report = index.sync(clauses, rebuild=True)
    assert report.action == "rebuilt" and index.embedder.embedded == len(index_entries(clauses))


def test_collections_are_per_model_and_corpus():
    names = {collection_name(m, c) for m in ("intfloat/multilingual-e5-small", MINILM) for c in ("default", "other")}
    assert len(names) == 4
    assert all(3 <= len(n) <= 512 for n in names)


def test_searching_a_missing_index_says_how_to_build_it(tmp_path, minilm):
    index = ClauseIndex(minilm, data_dir=tmp_path)
    with pytest.raises(IndexStateError, match="resolution-assistant index"):
        index.search(np.zeros(minilm.dimension, dtype=np.float32), k=1)


def test_an_unreachable_server_fails_fast_with_a_clear_message(tmp_path, minilm):
    from tests.embeddings.conftest import free_port

    index = ClauseIndex(minilm, data_dir=tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(IndexStateError, match="not reachable"):
        index.search(np.zeros(minilm.dimension, dtype=np.float32), k=1)


# --- a damaged store heals itself --------------------------------------------------------------


class HashEmbedder:
    """Hand-made 16-dimensional unit vectors from a text's hash: an index of a thousand clauses in seconds."""

    model_id = "test/hash-16"
    dimension = 16

    def embed_documents(self, texts, **kwargs):
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text):
        vector = np.frombuffer(hashlib.sha256(text.encode()).digest()[:16], dtype=np.uint8).astype(np.float32) - 127.5
        return vector / np.linalg.norm(vector)


def many_clauses(clauses, count=1100):
    """Enough clauses (past Chroma's 1000-vector sync threshold) for the HNSW graph to be written to disk."""
    return [replace(c, id=f"{c.id}/copy-{i}", order=i) for i, c in ((i, clauses[i % len(clauses)]) for i in range(count))]


# Opens the index in a fresh process (Chroma keeps a store it has opened in memory) and prints what happened.
_OPEN_AND_SEARCH = """
import json, sys
from pathlib import Path
from corpus.library import load_corpus
from embeddings.index import ClauseIndex
from tests.embeddings.test_index import HashEmbedder, many_clauses

embedder = HashEmbedder()
index = ClauseIndex(embedder, data_dir=Path(sys.argv[1]))
report = index.sync(many_clauses(load_corpus("corpus/texts")))
hits = index.search(embedder.embed_query("TSAG"), k=3)
print(json.dumps({"action": report.action, "notice": report.notice, "hits": len(hits)}))
"""


def overwrite_middle(path: Path, size: int, rng: random.Random) -> None:
    """Random bytes over `size` bytes in the middle of a file."""
    data = bytearray(path.read_bytes())
    size = min(size, len(data))
    start = len(data) // 2 - size // 2
    data[start : start + size] = rng.randbytes(size)
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def large_store(tmp_path_factory, clauses) -> Path:
    """A data folder holding an index of `many_clauses`, built once in a process of its own (so that
    nothing of it stays open here) and copied by each test that damages it."""
    folder = tmp_path_factory.mktemp("large-index")
    result = subprocess.run([sys.executable, "-c", _OPEN_AND_SEARCH, str(folder)], cwd=ROOT, capture_output=True,
                            text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.splitlines()[-1])["action"] == "updated", result.stdout
    return folder


@pytest.mark.timeout(300)
@pytest.mark.parametrize("target", ["chroma.sqlite3", "header.bin", "data_level0.bin", "link_lists.bin"])
def test_a_damaged_store_is_moved_aside_and_rebuilt(tmp_path, large_store, target):
    """Random bytes in the SQLite file or the HNSW graph (which crashed the process with SIGSEGV) are healed."""
    shutil.copytree(large_store / "chroma", tmp_path / "chroma")
    store = tmp_path / "chroma"
    (segment,) = [d for d in store.iterdir() if d.is_dir()]
    damaged = store / target if target.endswith("sqlite3") else segment / target
    # 16 KB can land on free SQLite pages that nothing reads (the layout varies from run to run);
    # a third of the file always takes in live ones.
    size = max(16384, damaged.stat().st_size // 3) if target.endswith("sqlite3") else 16384
    overwrite_middle(damaged, size, random.Random(target))
    damaged_bytes = damaged.read_bytes()

    result = subprocess.run(
        [sys.executable, "-c", _OPEN_AND_SEARCH, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome["action"] == "rebuilt" and outcome["hits"] == 3, outcome
    (aside,) = tmp_path.glob("chroma.damaged-*")
    assert str(aside) in outcome["notice"] and "\n" not in outcome["notice"]
    assert (aside / damaged.relative_to(store)).read_bytes() == damaged_bytes  # kept as it was, never deleted
    assert outcome["notice"] in result.stderr  # logged for the CLI user


def test_rebuild_recovers_a_store_that_cannot_be_opened(tmp_path, minilm, clauses, built_store):
    shutil.copytree(built_store / "chroma", tmp_path / "chroma")
    (tmp_path / "chroma" / "chroma.sqlite3").write_bytes(b"this is not a database\n" * 4096)
    fresh = ClauseIndex(minilm, data_dir=tmp_path)
    report = fresh.sync(clauses, rebuild=True)
    assert report.action == "rebuilt" and "moved to" in report.notice
    assert len(list(tmp_path.glob("chroma.damaged-*"))) == 1
    assert TSAG in [h.clause_id for h in fresh.search(minilm.embed_query("TSAG RG-DT 采取一切必要措施"), k=3)]


def test_a_rust_panic_is_a_store_failure_but_an_interrupt_is_not():
    from embeddings.index import _chroma_calls, _StoreFailure

    panic = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})
    with pytest.raises(_StoreFailure, match="PanicException"):
        with _chroma_calls():
            raise panic("database disk image is malformed")
    for stop in (KeyboardInterrupt, SystemExit):
        with pytest.raises(stop):
            with _chroma_calls():
                raise stop()
    lookalike = type("PanicException", (BaseException,), {"__module__": "somewhere_else"})
    with pytest.raises(lookalike):
        with _chroma_calls():
            raise lookalike()


def test_a_server_that_is_down_is_reported_by_the_heartbeat(tmp_path):
    from tests.embeddings.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}"
    index = ClauseIndex(HashEmbedder(), data_dir=tmp_path, chroma_url=url)
    with pytest.raises(IndexStateError, match=r"not reachable \(ConnectionRefusedError\).*chroma run") as caught:
        index.check_server()
    assert url in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "chroma").exists()  # nothing embedded was created instead


def test_a_busy_or_full_store_is_reported_not_moved(tmp_path, clauses):
    """Failures of a sound store (another writer, a full disk) must not send it aside as damaged."""
    import sqlite3

    from embeddings.index import _StoreFailure

    index = ClauseIndex(HashEmbedder(), data_dir=tmp_path)
    index.sync(clauses)
    for cause, fragment in ((sqlite3.OperationalError("database is locked"), "is busy"),
                            (sqlite3.OperationalError("database or disk is full"), "disk is full")):  # fmt: skip
        with pytest.raises(IndexStateError, match=fragment):
            index._set_aside(_StoreFailure(cause))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chroma"]


def test_the_store_check_takes_a_relative_path(tmp_path, monkeypatch):
    import sqlite3

    from embeddings.index import _integrity_problem

    monkeypatch.chdir(tmp_path)
    with sqlite3.connect("chroma.sqlite3") as db:
        db.execute("CREATE TABLE t (x)")
    db.close()
    assert _integrity_problem(Path("chroma.sqlite3")) == ""  # was: "relative path can't be expressed as a file URI"
