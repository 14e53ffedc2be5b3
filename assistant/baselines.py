"""Pipelines to compare the product against, on the same gold set and in the same run.

- tutorial: what most RAG tutorials build (RecursiveCharacterTextSplitter chunks of
  ~500 characters, the English MiniLM, Chroma, dense top-4, citing every clause a
  retrieved chunk overlaps);
- dense / bm25: the product with only one retrieval signal;
- minilm: the product with the English MiniLM instead of multilingual-e5-small.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from corpus.clause import Clause
from corpus.errors import AssistantError
from assistant.settings import Settings
from assistant.text import normalize
from assistant.types import Answer, Citation, Hit

CONFIGS = ("product", "tutorial", "dense", "bm25", "minilm")
_OVERLAP_WINDOW = 12

Ask = Callable[[str, Sequence[str]], Answer]


def _covered(clause: Clause, chunk: str) -> bool:
    """A chunk covers a clause when it holds a run of the clause's text (the chunk may cut it)."""
    text = normalize(clause.text)
    if len(text) <= _OVERLAP_WINDOW:
        return text in chunk
    return any(text[i : i + _OVERLAP_WINDOW] in chunk for i in range(0, len(text) - _OVERLAP_WINDOW + 1, 4))


class TutorialPipeline:
    """The common tutorial RAG over raw document text, citing the clauses its chunks cover."""

    def __init__(
        self, sources: Sequence[Path], clauses: Sequence[Clause], *, model_source: str, chunk_size: int = 500, k: int = 4
    ):
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.clauses = list(clauses)
        self.model_source = model_source
        self.k = k
        splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=50)
        self.chunks = [chunk for path in sources for chunk in splitter.split_text(Path(path).read_text(encoding="utf-8"))]
        self._store = None

    def _vectorstore(self):
        if self._store is None:
            import uuid

            from langchain_chroma import Chroma
            from langchain_huggingface import HuggingFaceEmbeddings

            embeddings = HuggingFaceEmbeddings(model_name=self.model_source)
            self._store = Chroma(collection_name=f"tutorial-{uuid.uuid4().hex[:8]}", embedding_function=embeddings)
            self._store.add_texts(self.chunks)
        return self._store

    def ask(self, question: str, history: Sequence[str] = ()) -> Answer:
        started = time.perf_counter()
        docs = self._vectorstore().similarity_search(question, k=self.k)
        cited: list[Clause] = []
        for doc in docs:
            chunk = normalize(doc.page_content)
            cited.extend(c for c in self.clauses if c not in cited and _covered(c, chunk))
        citations = tuple(
            Citation(marker=i, clause_id=c.id, label=c.label("en"), quote=c.text, text=c.text, labels=dict(c.labels))
            for i, c in enumerate(cited, start=1)
        )
        hits = tuple(Hit(clause=c, score=1.0 / (1 + i)) for i, c in enumerate(cited))
        return Answer(
            text="\n\n".join(d.page_content for d in docs),
            citations=citations,
            abstained=not citations,
            hits=hits,
            timings={"total_ms": (time.perf_counter() - started) * 1000},
        )


def make_pipeline(name: str, settings: Settings, clauses: Sequence[Clause]) -> Ask:
    """The `ask` function of a named configuration."""
    from assistant.core import Assistant

    if name == "product":
        return Assistant(settings, clauses=clauses).ask
    if name == "dense":
        return Assistant(settings, clauses=clauses, signals=("dense",)).ask
    if name == "bm25":
        return Assistant(settings, clauses=clauses, signals=("lexical",)).ask
    if name == "minilm":
        from embeddings.model import MINILM

        return Assistant(replace(settings, embedding_model=MINILM), clauses=clauses).ask
    if name == "tutorial":
        from corpus.library import source_files
        from embeddings.model import MINILM, Embedder

        minilm = Embedder(MINILM, cache_dir=settings.model_cache).source
        return TutorialPipeline(source_files(settings.corpus_dir), clauses, model_source=minilm).ask
    raise AssistantError(f"unknown configuration {name!r}; choose from {', '.join(CONFIGS)}")
