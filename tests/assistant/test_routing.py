import pytest

from assistant.routing import route_question
from assistant.search import reciprocal_rank_fusion


@pytest.mark.parametrize(
    "question, sections, items",
    [
        ("做出决议第3段说了什么？", ("resolves",), ("3",)),
        ("What does resolves 3 say?", ("resolves",), ("3",)),
        ("considering b) 是什么意思", ("considering",), ("b",)),
        ("What does considering (b) say?", ("considering",), ("b",)),
        ("脚注1是什么意思？", ("footnotes",), ("1",)),
        ("进一步考虑到的内容是什么", ("considering-further",), ()),
        ("What is in recalling?", ("recalling",), ()),
        ("做出决议第二段", ("resolves",), ("2",)),
        ("and paragraph 2?", (), ("2",)),
        ("它的第2段呢", (), ("2",)),
        ("What does considering say about cooperation?", ("considering",), ()),
    ],
)
def test_route_names_sections_and_items(question, sections, items):
    route = route_question(question)
    assert route.sections == sections
    assert route.items == items


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
    [("WTDC res 89 - what is it about?", ("89",)), ("Res.71 and Resolution No. 73", ("71", "73")), ("resolves 3", ())],
)
def test_resolution_numbers_in_short_forms(question, references):
    assert route_question(question).references == references


def test_reciprocal_rank_fusion_weights_and_ranks():
    fused = reciprocal_rank_fusion({"a": ["x", "y"], "b": ["y"]}, k=60, weights={"b": 2.0})
    assert fused["y"] == pytest.approx(1 / 62 + 2 / 61)
    assert fused["x"] == pytest.approx(1 / 61)
