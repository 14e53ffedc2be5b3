"""The conversation a page keeps: saved in the browser within bounds, restored or dropped, asked in order."""

import threading

from webui.pages import Pages
from webui.view import MAX_SAVED_CHARS, MAX_SAVED_TURNS, SourceCard, Turn, restore, save

TURN = Turn("What is TSAG instructed to do?", '<div class="ra-answer">…</div>',
            (SourceCard(3, "1", "res/resolves/1", "文本", "en", quote="文本", versions={"en": {"text": "text"}}),))


def test_a_saved_conversation_comes_back_as_it_was():
    turns, dropped = restore(save([TURN, Turn("ITU " * 600, "error", answered=False)]))
    assert not dropped and turns[0] == TURN and turns[1].answered is False


def test_only_the_last_turns_are_saved():
    saved = save([Turn(f"q{i}", "r") for i in range(MAX_SAVED_TURNS + 5)])
    assert len(saved["turns"]) == MAX_SAVED_TURNS and saved["turns"][-1]["question"] == f"q{MAX_SAVED_TURNS + 4}"


def test_nothing_saved_is_an_empty_conversation_without_a_notice():
    for nothing in (None, {}, [], ""):
        assert restore(nothing) == ([], False)


def test_a_corrupt_or_oversized_saved_conversation_is_dropped():
    corrupt = [
        "garbage", 42, {"version": 99, "turns": []}, {"version": 1}, {"version": 1, "turns": "x"},
        {"version": 1, "turns": [{"question": 1, "reply": "r", "cards": []}]},
        {"version": 1, "turns": [{"question": "q", "reply": "r", "cards": [{"turn": "x"}]}]},
        {"version": 1, "turns": [{"question": "q", "reply": "r", "cards": [], "answered": True}] * (MAX_SAVED_TURNS + 1)},
        {"version": 1, "turns": [{"question": "q" * MAX_SAVED_CHARS, "reply": "r", "cards": []}]},
    ]
    for saved in corrupt:
        assert restore(saved) == ([], True), saved


def test_questions_of_a_page_are_answered_in_the_order_asked_and_count_as_history():
    pages = Pages(wait_s=5)
    pages.restore("p", [TURN])
    pages.add("p", 1, "first")
    pages.add("p", 2, "second")
    first = pages.claim("p")
    got = []
    waiter = threading.Thread(target=lambda: got.append(pages.claim("p")))
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive()  # the second waits for the first
    assert first.question == "first" and first.history == [TURN.question]
    pages.finish("p", first, Turn("first", "answer"))
    waiter.join(0.3)
    assert waiter.is_alive()  # ...until the chat with the first answer has been sent
    pages.shown("p", first)
    waiter.join(5)
    assert got[0].question == "second" and got[0].history == [TURN.question, "first"]
    pages.finish("p", got[0], Turn("second", "answer"))
    turns, asked = pages.view("p")
    assert [t.question for t in turns] == [TURN.question, "first", "second"] and asked == []
    assert pages.claim("p") is None


def test_clear_lets_a_waiting_question_go_unanswered():
    pages = Pages(wait_s=5)
    pages.add("p", 1, "first")
    pages.add("p", 2, "second")
    pages.claim("p")
    got = []
    waiter = threading.Thread(target=lambda: got.append(pages.claim("p")))
    waiter.start()
    pages.clear("p")
    waiter.join(5)
    assert got == [None] and pages.view("p") == ([], [])


def test_a_question_ahead_that_never_finishes_is_not_waited_for_forever():
    pages = Pages(wait_s=0.2)
    pages.add("p", 1, "stuck")
    pages.add("p", 2, "next")
    pages.claim("p")
    assert pages.claim("p").question == "next"
