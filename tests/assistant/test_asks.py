"""How a question narrows its answer, read in one place (assistant/understanding/asks.py)."""

import pytest

from assistant.understanding.asks import (
    assembly_session, codes_named, read_asks, study_group_numbers, topic_terms, without_this_text,
)


@pytest.mark.parametrize(
    "question, shape",
    [
        ("Why does the text stress working with ITU-D?", "why"),
        ("为啥要跟电信发展部门合作？", "why"),
        ("What happens to that group going forward?", "future"),
        ("以后还接着干吗？", "future"),
        ("Who is responsible for continuing RG-DT's work?", "who_acts"),
        ("谁负责落实？", "who_acts"),
        ("What should my company do?", "asker"),
        ("我国应该做些什么？", "asker"),
        ("决议对它后续有啥安排？", "future"),
        ("执行部分里谁被责成了？", "who_acts"),
        ("谁牵头成立的？", "who_did"),
        ("When was RG-DT set up?", "when_done"),
        ("Does it mention India by name?", "if_mentioned"),
        ("有没有提到巴西？", "if_mentioned"),
        ("Which clauses mention academia?", "list_mention"),
        ("哪些条款提到了学术界？", "list_mention"),
        ("What role does academia play?", "role"),
        ("Which countries count as developing countries?", "definition"),
        ("这个脚注标在哪一段？", "anchor"),
        ("Which clause is it attached to, and what does it say?", "also_its_words"),
        ("Which bodies get tasks or invitations?", "either"),
        # Whether something goes on is what is to happen next.
        ("is it supposed to keep going?", "future"),
        ("RG-DT还会继续吗？", "future"),
        ("还有哪些主体在决议里被要求、鼓励或者邀请采取行动？", "any_task"),
    ],
)
def test_each_shape_is_read_in_both_languages(question, shape):
    assert getattr(read_asks(question), shape)


def test_a_plain_question_has_no_shape():
    asks = read_asks("What is TSAG instructed to do?")
    assert not (asks.why or asks.future or asks.who_did or asks.list_mention or asks.if_mentioned or asks.facts)


def test_a_kind_of_fact_asked_brings_the_evidence_a_clause_must_hold():
    assert read_asks("What budget does the resolution allocate?").facts
    assert read_asks("预算是多少？").facts
    assert read_asks("截止日期是什么时候？").facts
    # By which year, and who holds a post: the text dates no deadline and names no person.
    assert read_asks("研究组要在哪一年前完成这些建议书？").facts and read_asks("RG-DT的报告人是谁").facts
    assert read_asks("who is the rapporteur of RG-DT?").facts
    # A post is a noun for a person that ends the question, in any words: not a list of posts.
    assert read_asks("谁是RG-DT的组长？").facts and read_asks("who is the TSB Director?").facts
    assert not read_asks("who is the Director of TSB asked to work with?").facts
    assert not read_asks("who is responsible for continuing RG-DT's work?").facts
    assert not read_asks("决议的主要内容是什么？").facts


def test_codes_study_groups_and_sessions_are_read_from_the_question():
    assert "sg13" in codes_named("What does SG13 do?")
    assert study_group_numbers("ITU-D Study Group 1 and 第3研究组") == ["1", "3"]
    assert assembly_session("wtsa-24") == ("wtsa", "2024")
    assert assembly_session("l.1480") == ("", "")


def test_topic_words_leave_out_actors_sections_and_the_text_itself():
    assert topic_terms("What is TSAG instructed to do in this resolution?") == ()
    assert "climate" in topic_terms("Does the text say anything about climate change?")
    assert "本决议" not in without_this_text("本决议里提到了什么")
