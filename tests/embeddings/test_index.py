"""The clause index against a real Chroma: embedded, and a real `chroma run` server."""

from dataclasses import replace

import numpy as np
import pytest

from corpus.errors import IndexStateError
from corpus.library import load_corpus
from embeddings.index import ClauseIndex, collection_name
from embeddings.model import MINILM, Embedder

TSAG = "wtsa-res106-2024/resolves-to-instruct-tsag/1"


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
def minilm(model_cache_dir):
    embedder = Embedder(MINILM, cache_dir=model_cache_dir)
    embedder.load()
    return embedder


@pytest.fixture(scope="module")
def clauses():
    return load_corpus("corpus/texts")


@pytest.fixture(params=["embedded", "server"])
def make_index(request, tmp_path, minilm):
    url = request.getfixturevalue("chroma_server") if request.param == "server" else ""
    corpus_name = f"t{request.node.name[-20:]}-{tmp_path.name[-8:]}"

    def make(embedder=None):
        return ClauseIndex(embedder or CountingEmbedder(minilm), data_dir=tmp_path, chroma_url=url, corpus_name=corpus_name)

    return make


def test_build_then_search_finds_the_clause(make_index, clauses, minilm):
    index = make_index()
    report = index.sync(clauses)
    assert (report.added, report.updated, report.removed, report.total) == (len(clauses), 0, 0, len(clauses))
    hits = index.search(minilm.embed_query("TSAG RG-DT 采取一切必要措施"), k=3)
    assert TSAG in [h.clause_id for h in hits]
    assert all(-1.0 <= h.similarity <= 1.0 for h in hits)


def test_resync_with_nothing_changed_embeds_nothing(make_index, clauses):
    index = make_index()
    index.sync(clauses)
    again = make_index()
    report = again.sync(clauses)
    assert report.action == "unchanged"
    assert again.embedder.embedded == 0


def test_a_changed_corpus_is_updated_incrementally(make_index, clauses):
    make_index().sync(clauses)
    changed = [replace(c, text=c.text + "（修订）") if c.id == TSAG else c for c in clauses[:-1]]
    index = make_index()
    report = index.sync(changed)
    assert (report.added, report.updated, report.removed) == (0, 1, 1)
    assert index.embedder.embedded == 1
    assert index.status()["count"] == len(changed)


def test_an_interrupted_build_is_detected_and_completed(make_index, clauses, minilm):
    class Dying(CountingEmbedder):
        def embed_documents(self, texts, **kwargs):
            if self.embedded >= 64:
                raise KeyboardInterrupt
            return super().embed_documents(texts, **kwargs)

    many = clauses + [replace(c, id=f"{c.id}-copy{i}", order=100 + i) for i in range(3) for c in clauses]
    with pytest.raises(KeyboardInterrupt):
        make_index(Dying(minilm)).sync(many)
    broken = make_index()
    assert not broken.status().get("complete")
    with pytest.raises(IndexStateError, match="did not finish"):
        broken.search(minilm.embed_query("TSAG"), k=1)
    report = broken.sync(many)
    assert report.action == "completed"
    assert report.added == len(many) - 64
    assert broken.status()["count"] == len(many)


def test_rebuild_embeds_everything_again(make_index, clauses):
    make_index().sync(clauses)
    index = make_index()
    report = index.sync(clauses, rebuild=True)
    assert report.action == "rebuilt" and index.embedder.embedded == len(clauses)


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
