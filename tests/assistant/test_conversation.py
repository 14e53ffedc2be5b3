"""Multi-turn follow-ups, resolved by deterministic rules against the history."""

import threading

import pytest

from assistant.understanding.conversation import Turn, TurnMemory, chain_with, is_followup, question_parts
from assistant.understanding.routing import route_question

DOC = "wtsa-res106-2024"


@pytest.mark.parametrize(
    "history, question, expected",
    [
        (["研究组的任务是什么？"], "那成员国呢？", ["invites-members/1"]),
        (["What are the study groups instructed to do?"], "What about TSAG?", ["resolves-to-instruct-tsag/1"]),
        # The follow-up's own words: academia is in resolves 4 and the invites heading, Member States only there.
        (["What are the study groups instructed to do?"], "What about academia?", ["resolves/4", "invites-members/1"]),
        (["What does resolves 1 say?"], "and paragraph 2?", ["resolves/2"]),
        (["做出决议第1段讲了什么？"], "它的第3段呢", ["resolves/3"]),
        (["What does recalling a) say?"], "And c)?", ["recalling/c"]),
        (["What does considering a) say?"], "And the next one?", ["considering/b"]),
        (["what does resolves 1 say?"], "and the one after that?", ["resolves/2"]),
        (["做出决议第2段讲了什么？"], "下一个呢", ["resolves/3"]),
        # "The one from X" is one of what was just listed: the recalled resolution of the Plenipotentiary.
        (["Which resolutions are recalled?"], "what's the one from the plenipot about?", ["recalling/a"]),
        (["Which resolutions are recalled?"], "and the one on climate change?", ["recalling/d"]),
        (["What are the study groups instructed to do?"], "Who should they coordinate with?", ["instructs-study-groups/2"]),
        (["“考虑到”部分包括哪几点？"], "其中讲标准组织之间合作的是哪一点？", ["considering/c"]),
        (["研究组的任务是什么？", "那成员国呢？"], "那电信标准化局主任呢？", ["resolves-to-instruct-tsb-director/1"]),
        (["电信标准化局主任要做什么？"], "那顾问组呢？", ["resolves-to-instruct-tsag/1"]),  # a name's tail
        # A follow-up that names who and what stands alone.
        (["What does noting say?"], "and what is the TSB Director asked to do?", ["resolves-to-instruct-tsb-director/1"]),
        # "Which clause says that?" is answered by the clauses the last answer cited.
        (["What is the TSB Director asked to do?"], "Which paragraph says that?", ["resolves-to-instruct-tsb-director/1"]),
        (["电信标准化局主任要做什么？"], "这是哪一条？", ["resolves-to-instruct-tsb-director/1"]),
        (["What is the TSB Director asked to do?"], "Who is that person to work with?", ["resolves-to-instruct-tsb-director/1"]),
        (["RG-DT是谁设立的？"], "是哪一年设立的？", ["noting/1"]),  # no subject: it leans on the last question
        (["What does resolves 2 say?"], "ok and the last one?", ["resolves/4"]),  # an interjection before "and"
        # A follow-up naming a resolution by its number asks about that one.
        (["Which resolutions are recalled?"], "and of those, what is Resolution 89 on?", ["recalling/c"]),
        # "那第89号呢" after a question about 第44号 asks the same of Resolution 89.
        (["106号决议忆及了哪些决议？", "第44号是关于什么的"], "那第89号呢？", ["recalling/c"]),
        # "The second one" counts in the clauses the last answer cited, whatever their labels.
        (["Which resolutions are recalled?"], "what is the second one about?", ["recalling/b"]),
        (["忆及了哪些决议？"], "第二个是关于什么的？", ["recalling/b"]),
        (["Who has to act under this resolution?"], "what does the third one say?", ["resolves-to-instruct-tsag/1"]),
        (["Who has to act under this resolution?"], "and the last one?", ["instructs-study-groups/3"]),
        (["Which resolutions are recalled?"], "and the 3rd one?", ["recalling/c"]),
        # "The first of those" counts in the list just given, as "the first one" does.
        (["What resolutions are recalled?", "which of those are WTDC ones"], "what's the first of those about", ["recalling/c"]),
        # A second ordinal counts in the same list as the first, not in the one clause the first chose.
        (["Which resolutions are recalled?", "what is the second one about?"], "and the fourth?", ["recalling/d"]),
        (["忆及了哪些决议？", "第二个是关于什么的？"], "第四个呢？", ["recalling/d"]),
        (["what's resolves 1?"], "ok and the 2nd one", ["resolves/2"]),  # one clause cited: its section's second
        (["What does resolves 2 say?"], "what about 4?", ["resolves/4"]),  # a number alone is the next item asked
        (["忆及了哪些决议？"], "那2呢？", ["recalling/b"]),  # lettered paragraphs: a number counts them
        (["what's considering b about?"], "ok what about c", ["considering/c"]),  # a letter alone is the next item asked
        # A message asking two things is answered for each, its "it" the part before.
        (["What is RG-DT?"], "它是哪年成立的，决议对它后续有啥安排", ["noting/1", "resolves-to-instruct-tsag/1"]),
        # A follow-up that says what it asks of the actor keeps its words; "它" is the earlier abbreviation.
        (["RG-DT是谁设立的？"], "那这份决议要TSAG拿它怎么办？", ["resolves-to-instruct-tsag/1"]),
        # "It" after a paragraph named by its number is that paragraph, not the whole section it is in.
        (["做出决议第4段讲什么？"], "它特别点名了哪些群体？", ["resolves/4"]),
        (["What does resolves 3 say?"], "does it mention capacity building?", ["resolves/3"]),
        # "Among them" counts in the list even when the question names an actor on the way.
        (["忆及部分提到了哪几项WTDC决议？"], "其中第一个跟哪个研究组有关？", ["recalling/c"]),
        (["Which WTDC resolutions does it recall?"], "of those, the second one names which study group?", ["recalling/e"]),
        (["Who set up RG-DT?"], "when was that?", ["noting/1"]),  # "that" closing the question: the last answer
        # "The director" and 主任 are three bureaus' directors; this text gives tasks to one.
        (["What does TSAG have to do?"], "what about the director", ["resolves-to-instruct-tsb-director/1"]),
        (["TSAG要做什么？"], "那主任呢？", ["resolves-to-instruct-tsb-director/1"]),
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
        ("Which clause says that?", True),
        ("这是在哪一项里提到的？", True),
        ("Which clause covers academia?", False),  # a question of its own
        # A demonstrative with a noun points back however long the question is; a bare "it" may be the text.
        ("So what exactly is the assembly asking of that group over the next study period, in practice?", True),
        ("What exactly does it say about cooperation between standards development organizations and ITU?", False),
        ("哪一条提到学术界？", False),
        ("是什么时候设立的？", True),
        ("要求研究组做什么？", False),
    ],
)
def test_is_followup(question, followup):
    assert is_followup(question) is followup


def test_a_chain_grows_with_followups_and_restarts_at_a_question_that_stands_alone():
    chain = chain_with((), "那成员国呢？")  # nothing before it: it stands alone
    assert chain == ("那成员国呢？",)
    chain = chain_with(chain_with(("研究组的任务是什么？",), "那成员国呢？"), "What about TSAG?")
    assert chain == ("研究组的任务是什么？", "那成员国呢？", "What about TSAG?")
    assert chain_with(chain, "What is TSAG instructed to do?") == ("What is TSAG instructed to do?",)


def _turn(question: str) -> Turn:
    return Turn(question, route_question(question))


def test_turn_memory_forgets_the_least_recently_used_turn_first():
    memory = TurnMemory(size=2)
    memory.put(("a",), _turn("a"))
    memory.put(("b",), _turn("b"))
    assert memory.get(("a",)) == _turn("a")  # now "b" is the least recently used
    memory.put(("c",), _turn("c"))
    assert memory.get(("b",)) is None and memory.get(("a",)) and memory.get(("c",)) and len(memory) == 2
    assert TurnMemory(size=0).get(("a",)) is None


def test_turn_memory_is_shared_safely_between_threads():
    memory = TurnMemory(size=50)
    turns = [_turn(f"question {i}") for i in range(200)]

    def churn(offset: int) -> None:
        for i in range(2000):
            turn = turns[(i + offset) % len(turns)]
            memory.put((turn.question,), turn)
            assert memory.get((turn.question,)) in (turn, None)

    threads = [threading.Thread(target=churn, args=(n * 7,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(memory) == 50


def test_a_bare_number_after_a_question_about_a_resolution_asks_about_that_resolution():
    from assistant.understanding.conversation import resolve

    english = resolve("and 89?", resolve("what does res 44 deal with?", None))
    assert (english.question, english.route.references) == ("what does res 89 deal with?", ("89",))
    chinese = resolve("那第73号呢", resolve("第44号决议是关于什么的？", None))
    assert (chinese.question, chinese.route.references) == ("第73号决议是关于什么的？", ("73",))
    # The same number again, or a number after a question about no resolution, is no swap.
    assert resolve("and 44?", resolve("what does res 44 deal with?", None)).question != "what does res 44 deal with?"
    assert "89" not in resolve("and 89?", resolve("What does TSAG have to do?", None)).route.references


def test_a_pronoun_after_a_question_naming_an_abbreviation_carries_the_abbreviation_not_the_question():
    from assistant.understanding.conversation import Turn, resolve
    from assistant.understanding.routing import route_question

    previous = Turn("RG-DT是谁成立的？", route_question("RG-DT是谁成立的？"), ("noting",), ("wtsa-res106-2024/noting/1",))
    turn = resolve("它现在还要继续工作吗？", previous)
    assert turn.question == "它现在还要继续工作吗？ RG-DT" and turn.route.context == ()
    # Asking among what was cited stays with it; so does a follow-up on a numbered resolution.
    among = resolve("其中哪个讲了它的成立时间？", previous)
    assert among.route.context == ("wtsa-res106-2024/noting/1",)
    numbered = Turn("第44号决议是关于什么的？", route_question("第44号决议是关于什么的？"), ("recalling",), ("wtsa-res106-2024/recalling/b",))
    assert resolve("它是哪年通过的", numbered).route.context == ("wtsa-res106-2024/recalling/b",)


def test_a_few_chinese_characters_naming_nothing_lean_on_the_last_question():
    from assistant.understanding.conversation import is_followup

    assert is_followup("谁成立的？") and is_followup("啥时候？")
    # Naming an actor, a section or an abbreviation, a short question has a subject of its own.
    assert not is_followup("TSAG做什么？") and not is_followup("前言讲了啥") and not is_followup("RG-DT是啥")


@pytest.mark.parametrize(
    "message, parts",
    [
        ("When was RG-DT set up, and does the resolution say it should carry on?",
         ("When was RG-DT set up", "does the resolution say it should carry on?")),
        ("它是啥时候成立的？后面由谁继续它的工作", ("它是啥时候成立的？", "后面由谁继续它的工作")),
        # A comma inside one question, or a part with no question word of its own, does not split it.
        ("除了TSAG以外，还有哪些机构有任务？", None),
        ("my country is an economy in transition, does any of this apply to us", None),
        ("我在高校工作，学校是ITU学术成员，决议里跟高校有关的内容有哪些", None),
        ("What is TSAG instructed to do?", None),
    ],
)
def test_a_message_asking_two_questions_is_read_as_each(message, parts):
    assert question_parts(message) == (parts or (message,))


def test_only_a_message_asking_what_was_done_and_what_is_to_come_is_answered_part_by_part():
    from assistant.understanding.conversation import parts_answered_apart

    assert parts_answered_apart("它是哪年成立的，决议对它后续有啥安排") == ("它是哪年成立的", "决议对它后续有啥安排")
    assert parts_answered_apart("RG-DT是什么时候成立的？由谁成立？") == ("RG-DT是什么时候成立的？由谁成立？",)
