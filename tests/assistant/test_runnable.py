"""Answering as a LangChain Runnable: the same Answer as Assistant.ask, every step visible to callbacks."""

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.runnables import Runnable

from corpus.errors import QuestionError
from tests.app.fakes import run

TSAG = "wtsa-res106-2024/resolves-to-instruct-tsag/1"
TSB = "wtsa-res106-2024/resolves-to-instruct-tsb-director/1"


class Recorder(BaseCallbackHandler):
    """Names of the runs a tracing tool would see, in the order they start, and the documents retrieved."""

    def __init__(self):
        self.started: list[str] = []
        self.retrieved: list[str] = []

    def on_chain_start(self, serialized, inputs, **kwargs):
        self.started.append(f"chain:{kwargs.get('name')}")

    def on_retriever_start(self, serialized, query, **kwargs):
        self.started.append(f"retriever:{kwargs.get('name')}:{query}")

    def on_retriever_end(self, documents, **kwargs):
        self.retrieved.extend(d.metadata["clause_id"] for d in documents)


@pytest.fixture(scope="module")
def runnable(assistant):
    return assistant.as_runnable()


def test_a_callback_handler_sees_every_step_and_the_retriever(runnable):
    recorder = Recorder()
    answer = runnable.invoke({"question": "What is TSAG instructed to do?", "history": []}, {"callbacks": [recorder]})
    assert isinstance(runnable, Runnable)
    assert recorder.started == [
        "chain:resolution-assistant", "chain:prepare", "chain:retrieve",
        "retriever:ClauseRetriever:What is TSAG instructed to do?", "chain:select", "chain:answer",
    ]
    assert recorder.retrieved[0] == TSAG == answer.citations[0].clause_id


def test_invoke_gives_what_ask_gives(assistant, runnable):
    for question, history in (("电信标准化顾问组需要做什么？", []), ("And the Director of TSB?", ["What is TSAG instructed to do?"])):
        through = runnable.invoke({"question": question, "history": history})
        direct = assistant.ask(question, history)
        assert through.text == direct.text and through.citations == direct.citations
        assert [h.clause.id for h in through.hits] == [h.clause.id for h in direct.hits]
        assert [h.score for h in through.hits] == [h.score for h in direct.hits]


def test_batch_stream_and_ainvoke(runnable):
    asked = [{"question": "What is TSAG instructed to do?"},
             {"question": "And the Director of TSB?", "history": ["What is TSAG instructed to do?"]}]
    assert [a.citations[0].clause_id for a in runnable.batch(asked)] == [TSAG, TSB]
    assert [a.citations[0].clause_id for a in runnable.stream(asked[1])] == [TSB]
    assert run(runnable.ainvoke(asked[0])).citations[0].clause_id == TSAG


def test_an_abstention_carries_its_related_clauses(runnable):
    answer = runnable.invoke({"question": "What is the budget of the resolution?"})
    assert answer.abstained and answer.related
    assert all(clause.label("en") in answer.text for clause in answer.related)


@pytest.mark.parametrize("bad", ["What is TSAG instructed to do?", {"history": []}, {"question": "x" * 2001}])
def test_bad_input_is_a_question_error(runnable, bad):
    with pytest.raises(QuestionError):
        runnable.invoke(bad)
