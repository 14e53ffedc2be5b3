"""Answering as a LangChain Runnable: prepare, retrieve (ClauseRetriever), select, answer, each a traced step.

>>> runnable = assistant.as_runnable()
>>> runnable.invoke({"question": "And the Director of TSB?", "history": ["What is TSAG instructed to do?"]}).citations[0].clause_id
'wtsa-res106-2024/resolves-to-instruct-tsb-director/1'

Callbacks (LangSmith, Langfuse, a BaseCallbackHandler of your own) see every step as a child run, and the
retriever step as a retriever run; `invoke`, `batch`, `stream` and `ainvoke` all work. The steps are the
Assistant's own (`prepare`, `retrieve`, `select`, `respond`), so `Assistant.ask` gives the same Answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from corpus.errors import QuestionError
from assistant.retriever import document_to_hit

if TYPE_CHECKING:
    from assistant.core import Assistant


def assistant_runnable(assistant: Assistant) -> Runnable:
    """The Runnable of one Assistant: {"question": str, "history": [str, ...]} in, an Answer out."""

    def prepare(request: dict):
        if not isinstance(request, dict) or "question" not in request:
            raise QuestionError('The input must be {"question": "...", "history": [...]}.')
        return assistant.prepare(request["question"], request.get("history") or ())

    by_id: dict = {}

    def retrieve(prepared, config: RunnableConfig) -> dict:
        turn = prepared.turn
        documents = assistant.retriever.invoke(turn.question, config, route=turn.route, timings=prepared.timings)
        by_id.update(() if by_id else ((c.id, c) for c in assistant.clauses))
        return {"prepared": prepared, "hits": [document_to_hit(d, by_id[d.metadata["clause_id"]]) for d in documents]}

    def select(step: dict) -> dict:
        return {**step, "selection": assistant.select(step["prepared"], step["hits"])}

    def respond(step: dict):
        return assistant.respond(step["prepared"], step["hits"], step["selection"])

    return (
        RunnableLambda(prepare, name="prepare")
        | RunnableLambda(retrieve, name="retrieve")
        | RunnableLambda(select, name="select")
        | RunnableLambda(respond, name="answer")
    ).with_config(run_name="resolution-assistant")
