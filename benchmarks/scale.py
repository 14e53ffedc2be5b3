"""Retrieval and answer latency against corpus size (synthetic corpora), product and tutorial side by side.

For each size the product's index is filled through `ClauseIndex.sync` with vectors the
model already computed during the index-build benchmark where it covers the corpus
(`ReplayEmbedder`), and with random unit vectors beyond it (`RandomEmbedder`); query
vectors always come from the model. BM25 runs over the synthetic texts themselves.
The tutorial gets the same treatment: MiniLM chunk vectors up to `tutorial_model_max`
clauses, random ones beyond, real MiniLM query vectors.
"""

from __future__ import annotations

import gc
import time
from dataclasses import replace
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from assistant.core import Assistant
from assistant.settings import Settings
from corpus.clause import Clause
from embeddings.index import ClauseIndex, passage_text
from evals.gold import EvalCase
from benchmarks import tutorial
from benchmarks.index_build import reindex_unchanged
from benchmarks.latency import answer_latency
from benchmarks.measure import load_average, ratio
from benchmarks.profile import profile_answers
from benchmarks.vectors import RandomEmbedder, ReplayEmbedder


def measure_size(
    settings: Settings,
    cases: Sequence[EvalCase],
    clauses: Sequence[Clause],
    sources: Sequence[Path],
    *,
    data_dir: Path,
    known: Mapping[str, np.ndarray],
    repeats: int,
    minilm,
    tutorial_model_max: int,
) -> dict:
    """Product answer latency (HybridSearch split out) and tutorial search latency over one corpus."""
    result = {"clauses": len(clauses), "load_average_before": load_average()}
    assistant = Assistant(replace(settings, data_dir=data_dir, chroma_url=""), clauses=clauses)
    unknown = sum(passage_text(c) not in known for c in clauses)
    if known and unknown <= len(clauses) // 100:  # a few (the cut last document) are embedded now
        stand_in = ReplayEmbedder(known, fallback=assistant.embedder)
        result["vectors"] = "model (replayed from the index build)"
    else:
        stand_in = RandomEmbedder(settings.embedding_model, dimension=assistant.embedder.dimension)
        result["vectors"] = "random unit vectors"
    filled = ClauseIndex(stand_in, data_dir=data_dir).sync(clauses, rebuild=True)
    result["fill_s"] = round(filled.seconds, 2)
    if isinstance(stand_in, ReplayEmbedder):
        result["vectors_embedded_now"] = stand_in.embedded
    started = time.perf_counter()
    assistant.load()
    result["load_s"] = round(time.perf_counter() - started, 2)
    result["reindex_unchanged"] = reindex_unchanged(assistant.embedder, clauses, data_dir=data_dir)
    result["product"] = answer_latency(assistant.ask, cases, repeats=repeats)
    result["profile"] = profile_answers(assistant.ask, cases)
    del assistant
    gc.collect()

    chunks, split_s = tutorial.split(sources, model_source=minilm.model_name)
    embeddings = minilm if len(clauses) <= tutorial_model_max else tutorial.RandomChunks(minilm)
    store, store_s = tutorial.build_store(chunks, embeddings)
    result["tutorial"] = {
        "chunks": len(chunks),
        "vectors": "MiniLM" if embeddings is minilm else "random unit vectors (queries: MiniLM)",
        "split_s": round(split_s, 2),
        "store_s": round(store_s, 2),
        "search": tutorial.search_latency(store, [c.question for c in cases], repeats=repeats),
    }
    del store
    gc.collect()
    result["ratios"] = ratios(result)
    result["load_average_after"] = load_average()
    return result


def ratios(size: dict) -> dict:
    """Product HybridSearch (query embedding included) / tutorial similarity_search, at p50 and p95.

    The tutorial embeds every query; the product's repeated questions hit its query cache,
    so the cold-cache pass is the like-for-like comparison.
    """
    search = size["tutorial"]["search"]
    out = {}
    for run in ("cold_cache", "repeated"):
        product = size["product"][run]["stages"]["search_ms"]
        for q in ("p50", "p95"):
            out[f"search_{run}_{q}"] = ratio(product[q], search[q])
    return out


def stored_vectors(index: ClauseIndex, clauses: Sequence[Clause]) -> dict[str, np.ndarray]:
    """The vectors an index holds for these clauses, by passage text (what `ReplayEmbedder` looks up)."""
    by_id = index.vectors([c.id for c in clauses])
    return {passage_text(c): by_id[c.id] for c in clauses if c.id in by_id}
