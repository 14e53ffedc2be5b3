"""Answering as a LangChain Runnable: prepare, retrieve (ClauseRetriever), select, answer, each a traced step.

>>> runnable = assistant.as_runnable()
>>> runnable.invoke({"question": "And the Director of TSB?", "history": ["What is TSAG instructed to do?"]}).citations[0].clause_id
'wtsa-res106-2024/resolves-to-instruct-tsb-director/1'

Callbacks (LangSmith, Langfuse, a BaseCallbackHandler of your own) see the run, each step as a child
chain run, and the retrieval as the ClauseRetriever's own retriever run; `invoke`, `batch`, `stream`
and `ainvoke` all work. The steps are the Assistant's (`prepare`, `retrieve`, `select`, `respond`), so
`Assistant.ask` gives the same Answer. With an LLM, `stream` yields drafts while the model writes
(Answers whose text grows, nothing cited), then the checked Answer that `invoke` gives.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator

from langchain_core.callbacks import CallbackManagerForChainRun
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import ensure_config, get_callback_manager_for_config, patch_config

from corpus.errors import QuestionError
from assistant.retriever import document_to_hit
from assistant.types import Answer

if TYPE_CHECKING:
    from assistant.core import Assistant


class AssistantRunnable(Runnable[dict, Answer]):
    """The Assistant's answering as one Runnable whose steps are traced as child runs.

    The steps run in one invoke rather than as a RunnableSequence of RunnableLambdas: those copy the
    context and inspect each function's signature on every call, which cost ~1 ms a question here.
    """

    name = "resolution-assistant"

    def __init__(self, assistant: Assistant):
        self.assistant = assistant

    def invoke(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        config = ensure_config(config)
        with _top_run(self, input, config) as (run, outputs):
            prepared, hits, selection = self._select(run, input, config)
            outputs.append(_step(run, "answer", selection, lambda _: self.assistant.respond(prepared, hits, selection)))
        return outputs[-1]

    def stream(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Answer]:
        """The answer as it is written: with an LLM, drafts while the model streams, then the Answer `invoke` gives.

        A draft is an Answer whose text is the model's reply so far (its clause handles left out), with no
        citations and no notice: nothing in it is checked yet. Only the last item is checked against the
        clauses and cited; without an LLM it is the only one. The model's run is a child of the answer step.
        """
        config = ensure_config(config)
        with _top_run(self, input, config) as (run, outputs):
            prepared, hits, selection = self._select(run, input, config)
            with _traced(run.get_child(), "answer", selection) as (step, answered):
                for answer in self.assistant.respond_stream(prepared, hits, selection, callbacks=step.get_child()):
                    answered.append(answer)
                    yield answer
            outputs.append(answered[-1])

    def _select(self, run: CallbackManagerForChainRun, input: Any, config: RunnableConfig) -> tuple:
        """The first three steps: the prepared question, its hits and the selection that answers it."""
        prepared = _step(run, "prepare", input, lambda _: self._prepare(input))
        hits = _step(run, "retrieve", prepared, lambda child: self._retrieve(prepared, patch_config(config, callbacks=child)))
        selection = _step(run, "select", hits, lambda _: self.assistant.select(prepared, hits))
        return prepared, hits, selection

    def _prepare(self, request: Any):
        if not isinstance(request, dict) or "question" not in request:
            raise QuestionError('The input must be {"question": "...", "history": [...]}.')
        return self.assistant.prepare(request["question"], request.get("history") or ())

    def _retrieve(self, prepared, config: RunnableConfig) -> list:
        turn = prepared.turn
        retriever = self.assistant.retriever
        documents = retriever.invoke(turn.question, config, route=turn.route, timings=prepared.timings)
        return [document_to_hit(d, retriever.search.by_id[d.metadata["clause_id"]]) for d in documents]


class ProcessRunnable(Runnable[dict, Answer]):
    """Answering made in the Assistant's own process (`assistant.worker.AssistantProcess`), as a Runnable here.

    `invoke` and `stream` give what the child's `AssistantRunnable` gives. Callbacks here see one run a
    question: its steps run in the other process, where they cannot follow.
    """

    name = "resolution-assistant"

    def __init__(self, process):
        self.process = process

    def invoke(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        config = ensure_config(config)
        with _top_run(self, input, config) as (_, outputs):
            outputs.append(self.process.answer(input))
        return outputs[-1]

    def stream(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Answer]:
        config = ensure_config(config)
        with _top_run(self, input, config) as (_, outputs):
            for answer in self.process.answers(input):
                outputs.append(answer)
                yield answer


def _top_run(runnable: Runnable, inputs: Any, config: RunnableConfig):
    """The run of one question, named as the config says (or after the runnable)."""
    return _traced(get_callback_manager_for_config(config), config.get("run_name") or runnable.name, inputs,
                   run_id=config.pop("run_id", None))


@contextmanager
def _traced(manager, name: str, inputs: Any, *, run_id=None) -> Iterator[tuple]:
    """A chain run around a block: (the run, a list the block appends its outputs to); the last one ends it."""
    run = manager.on_chain_start(None, inputs, name=name, run_id=run_id)
    outputs: list = []
    try:
        yield run, outputs
    except BaseException as exc:
        run.on_chain_error(exc)
        raise
    run.on_chain_end(outputs[-1] if outputs else None)


def _step(run: CallbackManagerForChainRun, name: str, inputs: Any, func: Callable) -> Any:
    """Run one step as a child chain run of `run`; `func` gets the callbacks for the step's own children."""
    with _traced(run.get_child(), name, inputs) as (step, outputs):
        outputs.append(func(step.get_child()))
    return outputs[-1]
