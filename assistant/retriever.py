"""The LangChain face of clause search: a BaseRetriever returning one Document per clause."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.understanding.routing import Route, route_question
from assistant.search import HybridSearch
from assistant.types import Clause, Hit


def document_to_hit(document: Document, clause: Clause) -> Hit:
    """The Hit a Document of hit_to_document came from, given its clause (the inverse, for chains that go on)."""
    meta = document.metadata
    ranks = {key.removeprefix("rank_"): rank for key, rank in meta.items() if key.startswith("rank_")}
    return Hit(clause, meta["score"], ranks, meta["similarity"], meta["lexical"])


def hit_to_document(hit: Hit) -> Document:
    """A Document whose metadata carries the clause id, labels and every score."""
    clause = hit.clause
    return Document(
        page_content=clause.text,
        id=clause.id,
        metadata={
            "clause_id": clause.id,
            "label_en": clause.label("en"),
            "label_zh": clause.label("zh"),
            "section": clause.section,
            "heading": clause.heading,
            "actor": clause.actor,
            "score": hit.score,
            "similarity": hit.similarity,
            "lexical": hit.lexical,
            **{f"rank_{name}": rank for name, rank in hit.ranks.items()},
        },
    )


class ClauseRetriever(BaseRetriever):
    """Hybrid dense + BM25 + structure retrieval as a LangChain retriever.

    >>> retriever = ClauseRetriever(search=assistant.search, k=5)
    >>> retriever.invoke("What is TSAG instructed to do?")[0].metadata["clause_id"]
    'wtsa-res106-2024/resolves-to-instruct-tsag/1'
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: HybridSearch
    k: int = 10

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        route: Route | None = None,
        timings: dict | None = None,
        **_: Any,
    ) -> list[Document]:
        hits = self.search.search(query, route or route_question(query), k=self.k, timings=timings)
        return [hit_to_document(h) for h in hits]
