"""The Assistant's conversation memory: earlier turns are answered once, and never outlive their index."""

import pytest

from assistant import core
from assistant.core import Assistant
from assistant.search import HybridSearch

# Follow-ups, a question that stands alone again, an empty entry, and more turns than MAX_HISTORY.
CONVERSATION = [
    "研究组的任务是什么？",
    "那成员国呢？",
    "What about TSAG?",
    "   ",
    "What does resolves 1 say?",
    "and paragraph 2?",
    "它的第3段呢",
    "And the next one?",
    "那电信标准化局主任呢？",
]


@pytest.fixture
def searches(monkeypatch):
    """The questions HybridSearch.search is asked, in order."""
    asked = []
    original = HybridSearch.search

    def counting(self, question, *args, **kwargs):
        asked.append(question)
        return original(self, question, *args, **kwargs)

    monkeypatch.setattr(HybridSearch, "search", counting)
    return asked


def _cited(answer):
    return answer.text, [(c.clause_id, c.quote) for c in answer.citations]


def test_a_conversation_answers_as_if_every_turn_were_resolved_afresh(assistant, monkeypatch):
    monkeypatch.setattr(core, "REMEMBERED_TURNS", 0)  # remembers nothing: every earlier turn searched again
    forgetful = Assistant(assistant.settings, embedder=assistant.embedder)
    for turn, question in enumerate(CONVERSATION):
        if question.strip():
            history = CONVERSATION[:turn]
            assert _cited(assistant.ask(question, history)) == _cited(forgetful.ask(question, history)), question


def test_each_turn_of_a_conversation_is_searched_once(assistant, searches):
    for turn, question in enumerate(CONVERSATION):
        if question.strip():
            assistant.ask(question, CONVERSATION[:turn])
    assert len(searches) == sum(1 for q in CONVERSATION if q.strip())


def test_rebuilding_the_index_forgets_the_conversation(assistant, searches):
    fresh = Assistant(assistant.settings, embedder=assistant.embedder)
    fresh.ask("那成员国呢？", ["研究组的任务是什么？"])
    searches.clear()
    fresh.ask("那电信标准化局主任呢？", ["研究组的任务是什么？", "那成员国呢？"])
    assert len(searches) == 1
    fresh.build_index()
    searches.clear()
    fresh.ask("那电信标准化局主任呢？", ["研究组的任务是什么？", "那成员国呢？"])
    assert len([q for q in searches if q != "预热 warm-up"]) == 3  # both earlier turns again, then the question


def test_question_errors_speak_both_interface_languages():
    from assistant.core import validate_question
    from corpus.errors import QuestionError

    for bad in ("", "？！。", "x" * 2001):
        with pytest.raises(QuestionError) as caught:
            validate_question(bad)
        assert caught.value.localized("en") == str(caught.value)
        assert caught.value.localized("zh") != str(caught.value)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.localized("zh"))
