"""The tutorial pipeline's index, timed phase by phase and at any corpus size.

`assistant.baselines.TutorialPipeline` splits its sources when constructed and builds its
in-memory store on the first question; its answers are measured through its own `ask`.
For index build and scale its store is assembled here from the same parts (its `chunks`,
the English MiniLM through langchain-huggingface, a langchain-chroma collection,
`similarity_search` top-4), so that splitting, embedding and searching are timed apart
and, at large sizes, chunk vectors can be random while query vectors stay real.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Sequence

from langchain_core.embeddings import Embeddings

from assistant.baselines import TutorialPipeline
from embeddings.model import MINILM, Embedder
from benchmarks.measure import percentiles
from benchmarks.vectors import RandomEmbedder

K = 4  # TutorialPipeline's default


def minilm_source(model_cache: Path) -> str:
    """Where the tutorial's MiniLM loads from (as `baselines.make_pipeline` finds it)."""
    return Embedder(MINILM, cache_dir=model_cache).source


def split(sources: Sequence[Path], *, model_source: str) -> tuple[list[str], float]:
    """The pipeline's chunks of these files and the seconds splitting took."""
    started = time.perf_counter()
    chunks = TutorialPipeline(sources, [], model_source=model_source).chunks
    return chunks, time.perf_counter() - started


def minilm(model_source: str) -> Embeddings:
    """The tutorial's embeddings: MiniLM through langchain-huggingface, loaded."""
    from langchain_huggingface import HuggingFaceEmbeddings

    embeddings = HuggingFaceEmbeddings(model_name=model_source)
    embeddings.embed_query("warm-up")
    return embeddings


class RandomChunks(Embeddings):
    """Random unit vectors for chunks, real MiniLM vectors for queries: the 100k-clause store."""

    def __init__(self, queries: Embeddings, *, dimension: int = 384):
        self.queries = queries
        self.random = RandomEmbedder("random", dimension=dimension)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.random.embed_documents(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.queries.embed_query(text)


def build_store(chunks: Sequence[str], embeddings: Embeddings, *, client=None):
    """A langchain-chroma store holding the chunks (in memory, or on `client`), and the seconds it took."""
    from langchain_chroma import Chroma

    started = time.perf_counter()
    store = Chroma(collection_name=f"tutorial-{uuid.uuid4().hex[:8]}", embedding_function=embeddings, client=client)
    # langchain-chroma sends one batch to Chroma; its server caps a request's size.
    for start in range(0, len(chunks), 1000):
        store.add_texts(list(chunks[start : start + 1000]))
    return store, time.perf_counter() - started


def search_latency(store, questions: Sequence[str], *, repeats: int = 1) -> dict:
    """Percentiles of `similarity_search(question, k=4)`, query embedding included."""
    store.similarity_search("warm-up", k=K)
    samples = []
    for _ in range(repeats):
        for question in questions:
            started = time.perf_counter()
            store.similarity_search(question, k=K)
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)
