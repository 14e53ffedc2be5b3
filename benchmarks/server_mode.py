"""Chroma as a `chroma run` server on loopback (RA_CHROMA_URL) against embedded Chroma: same corpus, same questions."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

from assistant.core import Assistant
from assistant.settings import Settings
from corpus.clause import Clause
from embeddings.index import ClauseIndex
from evals.gold import EvalCase
from tests.embeddings.conftest import free_port, start_chroma
from benchmarks import tutorial
from benchmarks.latency import answer_latency
from benchmarks.measure import ratio

MODES = ("embedded", "server")


@contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """A real `chroma run` on a free loopback port for the duration; yields its URL."""
    port = free_port()
    proc = start_chroma(path, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def compare_product(
    settings: Settings,
    cases: Sequence[EvalCase],
    clauses: Sequence[Clause],
    *,
    url: str,
    data_dir: Path,
    vectors: Callable,
    repeats: int,
    embedder,
) -> dict:
    """The Assistant's answer latency with its index embedded, then on the server, with one loaded embedder.

    `vectors(embedder)` gives what fills the index (the embedder itself, or a stand-in).
    """
    result = {"clauses": len(clauses)}
    for mode in MODES:
        here = replace(settings, data_dir=data_dir / mode, chroma_url=url if mode == "server" else "")
        assistant = Assistant(here, clauses=clauses, embedder=embedder)
        ClauseIndex(vectors(embedder), data_dir=here.data_dir, chroma_url=here.chroma_url).sync(
            clauses, rebuild=True
        )
        assistant.load()
        result[mode] = answer_latency(assistant.ask, cases, repeats=repeats)
        del assistant
        gc.collect()
    result["ratios"] = {
        f"{stage}_{run}_{q}": ratio(
            result["server"][run]["stages"][stage][q], result["embedded"][run]["stages"][stage][q]
        )
        for stage in ("retrieve_ms", "search_ms")
        for run in ("cold_cache", "repeated")
        for q in ("p50", "p95")
    }
    return result


def compare_tutorial(chunks: Sequence[str], questions: Sequence[str], *, url: str, minilm, repeats: int) -> dict:
    """The tutorial's similarity_search with an in-memory store, then with the same chunks on the server."""
    import chromadb
    from urllib.parse import urlparse

    address = urlparse(url)
    client = chromadb.HttpClient(host=address.hostname, port=address.port)
    result = {"chunks": len(chunks)}
    for mode, on in (("embedded", None), ("server", client)):
        store, _ = tutorial.build_store(chunks, minilm, client=on)
        result[mode] = tutorial.search_latency(store, questions, repeats=repeats)
    result["ratios"] = {q: ratio(result["server"][q], result["embedded"][q]) for q in ("p50", "p95")}
    return result
