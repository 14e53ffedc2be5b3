"""The LangChain retriever over the same hybrid search."""

from langchain_core.retrievers import BaseRetriever


def test_retriever_returns_clause_documents_with_scores(assistant):
    retriever = assistant.retriever
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("What is TSAG instructed to do?")
    assert docs[0].metadata["clause_id"] == "wtsa-res106-2024/resolves-to-instruct-tsag/1"
    assert docs[0].metadata["label_en"] == "Resolution 106 (New Delhi, 2024), resolves to instruct TSAG"
    assert {"score", "similarity", "lexical", "rank_dense"} <= set(docs[0].metadata)
    by_id = {c.id: c for c in assistant.clauses}
    assert all(d.page_content == by_id[d.metadata["clause_id"]].text for d in docs)


def test_retriever_resolves_a_named_clause_first(assistant):
    docs = assistant.retriever.invoke("做出决议第3段说了什么？")
    assert docs[0].metadata["clause_id"] == "wtsa-res106-2024/resolves/3"
