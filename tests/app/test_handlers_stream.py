"""The chat handler with an LLM configured, in-process: drafts as the model streams, then the checked answer.

The LLM is ScriptedLLM (tests/reliability), a real HTTP server on 127.0.0.1 serving OpenAI server-sent events.
"""

from dataclasses import replace

import pytest

from assistant.core import Assistant
from tests.app.test_handlers import page
from tests.reliability.conftest import ScriptedLLM, streamed
from webui.handlers import App
from webui.layout import build
from webui.renderers import render_draft

QUESTION = "What is TSAG instructed to do?"


@pytest.fixture(scope="module")
def scripted_llm():
    llm = ScriptedLLM()
    yield llm
    llm.close()


@pytest.fixture(scope="module")
def app(assistant, onnx_embedder, scripted_llm):
    """The app over the session's index, answering through the scripted endpoint."""
    settings = replace(assistant.settings, llm_base_url=scripted_llm.base_url, llm_model="scripted", llm_timeout=5.0)
    llm_assistant = Assistant(settings, embedder=onnx_embedder)
    llm_assistant.load()
    app = App(llm_assistant)
    build(app)
    yield app
    app.close()


def last_reply(update: dict, app: App) -> str:
    return update[app.ui.chatbot][-1]["content"]


def test_the_chat_shows_the_answer_as_it_is_written_then_the_checked_and_cited_one(app, scripted_llm):
    scripted_llm.replies.append(streamed("TSAG is to take ", "all necessary measures ", "to strengthen ", "this work [C1]."))
    app.on_submit(QUESTION, "zh", page("streamed"))
    *drafts, last = app.on_answer("zh", page("streamed"))
    assert len(drafts) >= 3 and all(set(update) == {app.ui.chatbot} for update in drafts)
    shown = [last_reply(update, app) for update in drafts]
    assert all('class="ra-draft' in s and "尚未与所引条款核对" in s and "[C" not in s for s in shown), shown
    assert "TSAG is to take" in shown[0] and "all necessary measures to strengthen" in shown[-1]
    final = last_reply(last, app)
    assert "ra-draft" not in final and 'class="ra-cite"' in final and "this work" in final
    assert last[app.ui.saved]["turns"][-1]["reply"] == final
    assert 'data-clause="wtsa-res106-2024/resolves-to-instruct-tsag/1"' in last[app.ui.sources]


def test_an_invented_sentence_shown_in_a_draft_is_replaced_by_the_extractive_answer(app, scripted_llm):
    scripted_llm.replies.append(streamed("The budget is ", "5 million CHF ", "[C1]."))
    app.on_submit(QUESTION, "en", page("invented"))
    *drafts, last = app.on_answer("en", page("invented"))
    assert any("5 million" in last_reply(update, app) for update in drafts)
    final = last_reply(last, app)
    assert "5 million" not in final and "extractive answer" in final and 'class="ra-cite"' in final


def test_a_draft_is_escaped_and_tied_to_its_question():
    shown = render_draft("<img src=x onerror=alert(1)> [1]", "checking", 7, "en")
    assert "<img" not in shown and "&lt;img" in shown and "ra-request-7" in shown and 'lang="en"' in shown
