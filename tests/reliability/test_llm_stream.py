"""Streamed LLM answers against ScriptedLLM serving OpenAI server-sent events on 127.0.0.1 (no model runs).

While the reply streams, the Runnable yields drafts: the text so far, its clause handles left out, nothing
cited. The last item is checked as a whole reply is (`validated_answer`), so an invented sentence shown in a
draft never reaches the answer; a stream that stalls, fails or says NOT_IN_TEXT ends in the extractive one.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from langchain_core.callbacks import BaseCallbackHandler

from tests.reliability.conftest import SECRET, assert_grounded, completion, loaded_assistant, streamed

QUESTION = "What is TSAG instructed to do?"
TSAG = "wtsa-res106-2024/resolves-to-instruct-tsag/1"
PIECES = ("TSAG is to take ", "all necessary measures ", "to strengthen ", "this work [C", "1].")


class Tokens(BaseCallbackHandler):
    """The chain runs a tracing tool would see, and the tokens it is told of."""

    def __init__(self):
        self.chains: list[str] = []
        self.tokens: list[str] = []

    def on_chain_start(self, serialized, inputs, **kwargs):
        self.chains.append(kwargs.get("name"))

    def on_llm_new_token(self, token, **kwargs):
        self.tokens.append(token)


def test_drafts_arrive_as_the_endpoint_streams_and_the_last_item_is_what_invoke_gives(llm_assistant, scripted_llm, shipped_clauses):
    held = threading.Event()
    scripted_llm.replies.append(streamed(*PIECES, held=held))
    runnable, tokens = llm_assistant.as_runnable(), Tokens()
    items, sent_at_first_draft = [], None
    for item in runnable.stream({"question": QUESTION}, {"callbacks": [tokens]}):
        if sent_at_first_draft is None:
            sent_at_first_draft = scripted_llm.sent
            held.set()  # only now does the endpoint send the rest
        items.append(item)
    *drafts, final = items
    assert sent_at_first_draft == 1, "the first draft waited for the whole reply"
    assert len(drafts) >= 3 and all(not d.citations and not d.notice for d in drafts)
    assert all(later.text.startswith(earlier.text.rstrip()) for earlier, later in zip(drafts, drafts[1:]))
    assert not any("[C" in d.text for d in drafts) and drafts[0].text.strip() == "TSAG is to take"
    assert final.text == "TSAG is to take all necessary measures to strengthen this work [1]."
    assert final.notice == "LLM answer." and [c.clause_id for c in final.citations] == [TSAG]
    assert_grounded(final, shipped_clauses)
    assert scripted_llm.requests[-1]["body"]["stream"] is True
    assert "answer" in tokens.chains and "".join(tokens.tokens) == "".join(PIECES)

    scripted_llm.replies.append(completion("".join(PIECES)))
    invoked = runnable.invoke({"question": QUESTION})
    assert (invoked.text, invoked.citations, invoked.notice) == (final.text, final.citations, final.notice)


def test_an_invented_budget_streamed_never_reaches_the_answer(llm_assistant, scripted_llm, seed_assistant, shipped_clauses):
    scripted_llm.replies.append(streamed("The budget is ", "5 million CHF ", "and the deadline is 2026 [C1]."))
    *drafts, final = llm_assistant.as_runnable().stream({"question": QUESTION})
    plain = seed_assistant.ask(QUESTION)
    assert any("5 million" in d.text for d in drafts)  # shown while unchecked, as the reader is told
    assert "5 million" not in final.text and final.text == plain.text
    assert [c.clause_id for c in final.citations] == [c.clause_id for c in plain.citations]
    assert final.notice == "The LLM answer was not supported by the clauses it cited; showing the extractive answer."
    assert_grounded(final, shipped_clauses)


@pytest.mark.parametrize("question", ["What is the budget?", "这项工作的预算是多少？"])
def test_a_budget_question_abstains_at_once_and_never_asks_the_model(llm_assistant, scripted_llm, question):
    scripted_llm.replies.append(streamed("The budget is ", "5 million CHF [C1]."))
    items = list(llm_assistant.as_runnable().stream({"question": question}))
    assert len(items) == 1 and items[0].abstained and not items[0].citations
    assert not scripted_llm.requests


def test_not_in_text_streamed_shows_no_draft_and_keeps_the_extractive_answer(llm_assistant, scripted_llm, seed_assistant):
    scripted_llm.replies.append(streamed("NOT_", "IN_", "TEXT"))
    items = list(llm_assistant.as_runnable().stream({"question": QUESTION}))
    assert len(items) == 1 and items[0].text == seed_assistant.ask(QUESTION).text
    assert "found no answer" in items[0].notice


@pytest.mark.timeout(60)
def test_a_stream_that_stalls_ends_in_the_extractive_answer(seed_settings, onnx_embedder, scripted_llm, seed_assistant):
    settings = replace(seed_settings, llm_base_url=scripted_llm.base_url, llm_api_key=SECRET, llm_timeout=1.0)
    held = threading.Event()  # never set while the client waits: the endpoint stops after its first piece
    scripted_llm.replies.append(streamed(*PIECES, held=held))
    try:
        *drafts, final = loaded_assistant(settings, onnx_embedder).as_runnable().stream({"question": QUESTION})
    finally:
        held.set()
    assert [d.text.strip() for d in drafts] == ["TSAG is to take"]
    assert "did not answer" in final.notice and "Timeout" in final.notice, final.notice
    assert final.text == seed_assistant.ask(QUESTION).text


@pytest.mark.timeout(60)
def test_a_reply_still_trickling_in_after_the_timeout_is_cut_off(seed_settings, onnx_embedder, scripted_llm, seed_assistant):
    """Each piece comes well within the 1 s read timeout, but the whole reply would take 3 s."""
    settings = replace(seed_settings, llm_base_url=scripted_llm.base_url, llm_api_key=SECRET, llm_timeout=1.0)
    scripted_llm.replies.append(streamed(*PIECES, "It also ", "acts [C1].", gap=0.5))
    *drafts, final = loaded_assistant(settings, onnx_embedder).as_runnable().stream({"question": QUESTION})
    assert drafts and len(drafts) < len(PIECES) + 2
    assert "did not answer (TimeoutError)" in final.notice, final.notice
    assert final.text == seed_assistant.ask(QUESTION).text


def test_a_stream_cut_short_is_checked_on_what_came(llm_assistant, scripted_llm, shipped_clauses):
    scripted_llm.replies.append(streamed("TSAG is to take all necessary measures [C1]. ", "It also ", done=False))
    *_, final = llm_assistant.as_runnable().stream({"question": QUESTION})
    assert final.text == "TSAG is to take all necessary measures [1]." and not final.abstained
    assert_grounded(final, shipped_clauses)
