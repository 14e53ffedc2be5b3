"""Index build: the shipped corpus, a synthetic one, embedding throughput, and re-indexing with nothing changed.

The product embeds clauses with multilingual-e5-small into Chroma through
`ClauseIndex.sync`; the tutorial embeds ~500-character chunks with MiniLM into an
in-memory langchain-chroma store, and has nothing to re-index: every start embeds
everything again.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Sequence

from corpus.clause import Clause
from embeddings.index import ClauseIndex, passage_text
from embeddings.model import Embedder
from benchmarks import tutorial
from benchmarks.measure import ratio


class CountingEmbedder:
    """The real embedder, counting the passages it is asked to embed."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder
        self.model_id = embedder.model_id
        self.embedded = 0

    @property
    def dimension(self) -> int:
        return self.embedder.dimension

    def embed_documents(self, texts: Sequence[str], **options):
        self.embedded += len(texts)
        return self.embedder.embed_documents(texts, **options)


def build_product(embedder: Embedder, clauses: Sequence[Clause], *, data_dir: Path) -> dict:
    """Rebuild the index of `clauses`, then sync again with nothing changed."""
    counting = CountingEmbedder(embedder)
    built = ClauseIndex(counting, data_dir=data_dir).sync(clauses, rebuild=True)
    return {
        "clauses": len(clauses),
        "build_s": round(built.seconds, 3),
        "passages_per_s": round(counting.embedded / built.seconds, 2),
        "characters": sum(len(passage_text(c)) for c in clauses),
        "reindex_unchanged": reindex_unchanged(embedder, clauses, data_dir=data_dir),
    }


def build_product_budgeted(
    embedder: Embedder, clauses: Sequence[Clause], *, data_dir: Path, probe: int, budget_s: float
) -> dict:
    """Build the first `probe` clauses; go on to all of them only if the projected total fits `budget_s`.

    Otherwise the full build time is extrapolated from the probe's throughput (and said so).
    Either way the index in `data_dir` ends complete for the clauses it was built with.
    """
    counting = CountingEmbedder(embedder)
    index = ClauseIndex(counting, data_dir=data_dir)
    first = index.sync(clauses[:probe], rebuild=True)
    throughput = counting.embedded / first.seconds
    projected = len(clauses) / throughput
    result = {
        "clauses": len(clauses),
        "probe_clauses": min(probe, len(clauses)),
        "probe_s": round(first.seconds, 3),
        "passages_per_s": round(throughput, 2),
        "projected_build_s": round(projected, 1),
        "budget_s": budget_s,
        "characters": sum(len(passage_text(c)) for c in clauses),
    }
    if len(clauses) > probe and projected <= budget_s:
        rest = index.sync(clauses)
        result.update(built_clauses=len(clauses), build_s=round(first.seconds + rest.seconds, 3), extrapolated=False)
        result["passages_per_s"] = round(counting.embedded / (first.seconds + rest.seconds), 2)
    elif len(clauses) > probe:
        result.update(built_clauses=probe, build_s=round(projected, 1), extrapolated=True)
    else:
        result.update(built_clauses=len(clauses), build_s=round(first.seconds, 3), extrapolated=False)
    built = clauses[: result["built_clauses"]]
    result["reindex_unchanged"] = reindex_unchanged(embedder, built, data_dir=data_dir)
    return result


def reindex_unchanged(embedder: Embedder, clauses: Sequence[Clause], *, data_dir: Path) -> dict:
    """`sync` on an index that already holds exactly these clauses, in a fresh ClauseIndex: time and passages embedded."""
    counting = CountingEmbedder(embedder)
    started = time.perf_counter()
    report = ClauseIndex(counting, data_dir=data_dir).sync(clauses)
    return {
        "clauses": len(clauses),
        "seconds": round(time.perf_counter() - started, 3),
        "embedded": counting.embedded,
        "action": report.action,
    }


def build_tutorial(sources: Sequence[Path], embeddings, *, clauses: int) -> dict:
    """Split the source files and embed every chunk into a fresh store: the tutorial's whole build.

    `embeddings` is the loaded MiniLM (`tutorial.minilm`), so its load is not part of the build.
    """
    chunks, split_s = tutorial.split(sources, model_source=embeddings.model_name)
    _, store_s = tutorial.build_store(chunks, embeddings)
    return {
        "clauses": clauses,
        "chunks": len(chunks),
        "characters": sum(len(c) for c in chunks),
        "split_s": round(split_s, 3),
        "embed_store_s": round(store_s, 3),
        "build_s": round(split_s + store_s, 3),
        "chunks_per_s": round(len(chunks) / store_s, 2),
        "reindex_unchanged": "none: the store is in memory and rebuilt (everything embedded again) on every start",
    }


def compare(product: dict, baseline: dict) -> dict:
    """Product / tutorial ratios of build time and characters embedded per second."""
    product_cps = product["characters"] / product["build_s"] if product.get("characters") else None
    baseline_cps = baseline["characters"] / baseline["build_s"]
    return {"build_s": ratio(product["build_s"], baseline["build_s"]), "characters_per_s": ratio(product_cps, baseline_cps)}
