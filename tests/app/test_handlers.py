"""The handlers in-process, on the real Assistant: what each returns for the components it updates."""

import time
from types import SimpleNamespace

import gradio as gr
import pytest

from assistant.types import Status
from webui.handlers import App, LoadError, Loader
from webui.layout import build
from webui.view import save


@pytest.fixture(scope="module")
def app(assistant):
    app = App(assistant)
    build(app)
    yield app
    app.close()


def page(name: str):
    return SimpleNamespace(session_hash=name)


def contents(messages) -> list[str]:
    return [m["content"] for m in messages]


def test_a_refused_question_keeps_its_text_and_says_why_in_the_interface_language(app):
    update = app.on_submit("ITU " * 600, "zh", page("refused"))
    assert update[app.ui.question] == gr.skip()  # the box keeps the text
    assert "上限" in contents(update[app.ui.chatbot])[-1] and "2,000" in contents(update[app.ui.chatbot])[-1]


def test_questions_asked_together_are_answered_in_order_with_the_first_as_history(app):
    first = app.on_submit("What is TSAG instructed to do?", "en", page("two"))
    assert first[app.ui.question] == "" and "Searching the resolution" in contents(first[app.ui.chatbot])[-1]
    second = app.on_submit("And the Director of TSB?", "en", page("two"))
    assert "Waiting for the previous answer" in contents(second[app.ui.chatbot])[-1]
    updates = list(app.on_answer("en", page("two")))  # one answering event takes both, in order
    last = updates[-1]
    shown = contents(last[app.ui.chatbot])
    assert "resolves to instruct TSAG" in shown[1] and "resolves to instruct the Director of TSB" in shown[3]
    assert [t["question"] for t in last[app.ui.saved]["turns"]] == ["What is TSAG instructed to do?", "And the Director of TSB?"]
    assert 'data-clause="wtsa-res106-2024/resolves-to-instruct-tsb-director/1"' in last[app.ui.sources]
    assert list(app.on_answer("en", page("two"))) == [{app.ui.status: gr.skip()}]  # nothing left to answer


def test_a_reload_restores_the_saved_conversation_and_a_corrupt_one_is_dropped_with_a_notice(app):
    saved = {"version": 1, "turns": [{"question": "q", "reply": "<div>r</div>", "cards": []}]}
    restored = app.on_restore(saved, "en", page("reloaded"))
    assert contents(restored[app.ui.chatbot]) == ["q", "<div>r</div>"]
    assert app.pages.view("reloaded")[0][0].question == "q"  # a follow-up leans on it
    assert restored[app.ui.question].interactive  # the box opens only now: a question sent earlier could be overwritten
    dropped = app.on_restore({"version": 1, "turns": "not a list"}, "zh", page("corrupt"))
    assert "无法读取" in contents(dropped[app.ui.chatbot])[-1] and dropped[app.ui.saved] == save([])


def test_a_language_switch_keeps_the_source_the_reader_opened(app):
    app.on_submit("What are ITU-T study groups instructed to do?", "en", page("lang"))
    list(app.on_answer("en", page("lang")))
    app.on_submit("What is TSAG instructed to do?", "en", page("lang"))
    list(app.on_answer("en", page("lang")))
    turns, _ = app.pages.view("lang")
    opened = turns[0].cards[-1].anchor
    update = app.on_language("zh", opened, "all", "", page("lang"))
    assert f'class="ra-source is-open" id="{opened}"' in update[app.ui.sources]
    assert "通过 API 使用" in update[app.ui.footer] and "Use via API" not in update[app.ui.footer]


def test_the_mandates_download_is_named_after_the_filter(app):
    update = app.on_mandates("tsag", "", "en")
    assert "/mandates-tsag.csv" in str(update[app.ui.download].value)
    update = app.on_mandates("all", "capacity building", "en")
    assert "/mandates-all-capacity-building.csv" in str(update[app.ui.download].value)


def test_the_api_refuses_a_bad_history_with_one_line(app):
    assert app.api_ask("What is TSAG instructed to do?", history="oops")["error"].startswith("history must be")


class Panic(BaseException):
    """Like pyo3's PanicException: not an Exception, so `except Exception` lets it through."""


class FlakyAssistant:
    """Fails its first two loads with a panic, then loads."""

    def __init__(self):
        self.loads = 0
        self.ready = False

    def load(self, progress=False):
        self.loads += 1
        if self.loads <= 2:
            raise Panic("database disk image is malformed\nand a long trace")
        self.ready = True

    def warm_up(self):
        self.warmed = True  # the Loader warms up after a load that succeeds

    def status(self):
        return Status("m", 1, 1, ready=self.ready)


def test_a_failed_load_signals_is_reported_in_one_line_and_the_next_question_retries():
    assistant = FlakyAssistant()
    loader = Loader(assistant)
    loader.start()
    assert loader.done.wait(10)  # signalled, though the load died
    assert loader.error("en") == "Panic: database disk image is malformed"  # what the status line shows
    with pytest.raises(LoadError) as failed:  # a question retries the load, which fails again
        loader.wait(timeout=10)
    assert failed.value.localized("zh") == "无法加载模型和索引：Panic: database disk image is malformed"
    loader.wait(timeout=10)  # the next question: loads again, and this time it works
    assert assistant.loads == 3 and loader.error("en") == ""


def test_an_assistant_loaded_before_the_loader_starts_is_still_announced_and_warmed_up(capsys):
    assistant = FlakyAssistant()
    assistant.loads, assistant.ready = 2, True  # its own process loaded it while the page came up
    loader = Loader(assistant)
    loader.start()
    assert loader.done.wait(10)
    loader.start()  # loaded: nothing more to do
    assert assistant.loads == 3 and "Ready in" in capsys.readouterr().out
    deadline = time.monotonic() + 10
    while not getattr(assistant, "warmed", False) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert assistant.warmed


def test_a_load_that_takes_too_long_is_a_one_line_error_not_a_hang():
    class Slow(FlakyAssistant):
        def load(self, progress=False):
            time.sleep(1)

    loader = Loader(Slow())
    with pytest.raises(LoadError, match="still loading"):
        loader.wait(timeout=0.1)
