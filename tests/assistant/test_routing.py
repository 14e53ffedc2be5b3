import pytest

from assistant.understanding.routing import route_question
from assistant.search import reciprocal_rank_fusion


@pytest.mark.parametrize(
    "question, sections, items",
    [
        ("做出决议第3段说了什么？", ("resolves",), ("3",)),
        ("What does resolves 3 say?", ("resolves",), ("3",)),
        ("considering b) 是什么意思", ("considering",), ("b",)),
        ("What does considering (b) say?", ("considering",), ("b",)),
        # A bare letter before a verb, or before Chinese words, is the paragraph's (not "recalling a resolution").
        ("what does considering c say", ("considering",), ("c",)),
        ("顾及c是啥意思", ("bearing-in-mind",), ("c",)),
        ("what does recalling a resolution say", ("recalling",), ()),
        # Only "a" is also a word: any other letter after a section's name is its paragraph.
        ("considering b and c, briefly", ("considering",), ("b", "c")),
        ("脚注1是什么意思？", ("footnotes",), ("1",)),
        ("进一步考虑到的内容是什么", ("considering-further",), ()),
        ("What is in recalling?", ("recalling",), ()),
        ("做出决议第二段", ("resolves",), ("2",)),
        ("and paragraph 2?", (), ("2",)),
        ("它的第2段呢", (), ("2",)),
        ("What does considering say about cooperation?", ("considering",), ()),
        # A run of paragraphs is every paragraph in it, in order.
        ("“做出决议”下面1到4条总结一下", ("resolves",), ("1", "2", "3", "4")),
        ("Summarize considering (items a to c)", ("considering",), ("a", "b", "c")),
        ("resolves 2-3?", ("resolves",), ("2", "3")),
        ("忆及a）至c）讲了什么", ("recalling",), ("a", "b", "c")),
        ("第1至3段", (), ("1", "2", "3")),
        # Years, and numbers that are no paragraphs, are no runs.
        ("the strategic plan for 2024-2027 and resolves 2", ("resolves",), ("2",)),
        ("I have 2 to 3 questions", (), ()),
        # An ordinal that is the whole question is a follow-up's item; one ending a question is not.
        ("and the fourth?", (), ("4",)),
        ("what should we do first?", (), ()),
    ],
)
def test_route_names_sections_and_items(question, sections, items):
    route = route_question(question)
    assert route.sections == sections
    assert route.items == items


def test_a_count_before_a_sections_name_asks_for_each_paragraph():
    assert route_question("What are the four resolves, in short?").wants_list
    assert route_question("做出决议的四段分别讲了什么").wants_list and route_question("三个考虑到讲了啥").wants_list
    assert not route_question("What does resolves 4 say?").wants_list


def test_every_actor_listed_after_apart_from_is_set_aside():
    assert set(route_question("除了TSAG、TSB、SG这些国际电联内部的，还有谁要行动？").excluded) == {"tsag", "tsb-director", "study-groups"}
    assert route_question("Apart from TSAG and the TSB Director, who else acts?").excluded == ("tsag", "tsb-director")
    # A name after the set-aside one, not joined to it, is asked about.
    route = route_question("除了TSAG以外，TSB要做什么")
    assert route.excluded == ("tsag",) and route.actors == ("tsb-director",)


def test_route_finds_actors_and_list_intent():
    route = route_question("What are the study groups instructed to do?")
    assert route.actors == ("study-groups",)
    assert route.wants_list
    assert route_question("哪些决议被忆及？").wants_list
    assert not route_question("When was RG-DT established?").wants_list


def test_route_ignores_other_resolution_numbers():
    route = route_question("What does Resolution 71 say?")
    assert route.items == ()
    assert route.references == ("71",)


@pytest.mark.parametrize(
    ("question", "references"),
    [("WTDC res 89 - what is it about?", ("89",)), ("Res.71 and Resolution No. 73", ("71", "73")), ("resolves 3", ()),
     ("PP的71号决议是什么？", ("71",)), ("2022年第89号决议", ("89",)),
     # "第44号" alone stands for a resolution; a numbered footnote or paragraph does not.
     ("第44号是关于什么的", ("44",)), ("那第89号呢？", ("89",)), ("第1号脚注", ()), ("第2段", ())],
)
def test_resolution_numbers_in_short_forms(question, references):
    assert route_question(question).references == references


def test_reciprocal_rank_fusion_weights_and_ranks():
    fused = reciprocal_rank_fusion({"a": ["x", "y"], "b": ["y"]}, k=60, weights={"b": 2.0})
    assert fused["y"] == pytest.approx(1 / 62 + 2 / 61)
    assert fused["x"] == pytest.approx(1 / 61)


def test_a_name_several_actors_share_is_read_as_the_one_the_corpus_addresses():
    from assistant.understanding.routing import with_shared_names_read

    only_tsb = lambda key: key == "tsb-director"  # noqa: E731
    assert with_shared_names_read("what about the director", only_tsb) == "what about the Director of TSB"
    assert with_shared_names_read("主任的任务是什么", only_tsb) == "电信标准化局主任的任务是什么"
    assert with_shared_names_read("What does the BDT Director do?", only_tsb) == "What does the BDT Director do?"
    every_bureau = lambda key: key.endswith("-director")  # noqa: E731
    assert with_shared_names_read("what about the director", every_bureau) == "what about the director"


def test_an_ordinal_with_nothing_to_belong_to_is_a_followup():
    from assistant.understanding.conversation import is_followup

    assert is_followup("what is the second one about?")
    assert is_followup("第二个是关于什么的？")
    assert not is_followup("What does resolves 2 say?")
