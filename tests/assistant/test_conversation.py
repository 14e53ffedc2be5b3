"""Multi-turn follow-ups, resolved by deterministic rules against the history."""

import pytest

from assistant.conversation import is_followup

DOC = "wtsa-res106-2024"


@pytest.mark.parametrize(
    "history, question, expected",
    [
        (["研究组的任务是什么？"], "那成员国呢？", ["invites-members/1"]),
        (["What are the study groups instructed to do?"], "What about TSAG?", ["resolves-to-instruct-tsag/1"]),
        (["What does resolves 1 say?"], "and paragraph 2?", ["resolves/2"]),
        (["做出决议第1段讲了什么？"], "它的第3段呢", ["resolves/3"]),
        (["What does recalling a) say?"], "And c)?", ["recalling/c"]),
        (["What does considering a) say?"], "And the next one?", ["considering/b"]),
        (["What are the study groups instructed to do?"], "Who should they coordinate with?", ["instructs-study-groups/2"]),
        (["“考虑到”部分包括哪几点？"], "其中讲标准组织之间合作的是哪一点？", ["considering/c"]),
        (["研究组的任务是什么？", "那成员国呢？"], "那电信标准化局主任呢？", ["resolves-to-instruct-tsb-director/1"]),
    ],
)
def test_followups_resolve_against_history(assistant, history, question, expected):
    answer = assistant.ask(question, history)
    assert [c.clause_id.removeprefix(f"{DOC}/") for c in answer.citations] == expected


def test_the_answer_language_is_the_followups_language(assistant):
    answer = assistant.ask("那成员国呢？", ["What are the study groups instructed to do?"])
    assert answer.language == "zh"


@pytest.mark.parametrize(
    "question, followup",
    [
        ("那成员国呢？", True),
        ("What about academia?", True),
        ("and paragraph 2?", True),
        ("What is TSAG instructed to do?", False),
        ("研究组的任务是什么？", False),
    ],
)
def test_is_followup(question, followup):
    assert is_followup(question) is followup
