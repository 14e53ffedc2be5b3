"""A library of several resolutions: the resolution a question names is the one answered, reproducibly."""

import pytest

from tests.reliability.conftest import SEED_FILE, copy_seed, loaded_assistant

TSAG_107 = "包括每年向全会报告进展"


@pytest.fixture(scope="module")
def library(tmp_path_factory, seed_settings, onnx_embedder, shipped_index):
    """The seed (106, Chinese and English) beside a Resolution 107 whose TSAG clause says something else,
    over a copy of the shipped index (the seed's passages are in it: loading embeds 107's alone)."""
    from dataclasses import replace

    folder = copy_seed(tmp_path_factory.mktemp("library"))
    text = (folder / SEED_FILE.name).read_text(encoding="utf-8")
    assert text.count("包括延续RG-DT的工作") == 1
    other = text.replace("第106号决议", "第107号决议").replace("包括延续RG-DT的工作", TSAG_107)
    (folder / "wtsa-res107-2024.zh.txt").write_text(other, encoding="utf-8")
    settings = replace(seed_settings, corpus_dir=folder, data_dir=shipped_index(tmp_path_factory.mktemp("library-index")))
    return loaded_assistant(settings, onnx_embedder)


def test_the_library_holds_both_resolutions(library):
    assert {c.resolution for c in library.clauses} == {"106", "107"}


@pytest.mark.parametrize(
    "question, document",
    [
        ("What does Resolution 107 instruct TSAG to do?", "wtsa-res107-2024"),
        ("第107号决议责成电信标准化顾问组做什么？", "wtsa-res107-2024"),
        ("第106号决议责成电信标准化顾问组做什么？", "wtsa-res106-2024"),
    ],
)
def test_a_named_resolution_restricts_the_answer_to_it(library, question, document):
    answer = library.ask(question)
    assert not answer.abstained
    assert {c.clause_id.split("/")[0] for c in answer.citations} == {document}


def test_a_resolution_the_library_does_not_hold_abstains(library):
    answer = library.ask("What does Resolution 108 instruct TSAG to do?")
    assert answer.abstained and not answer.citations


def test_identical_clauses_are_cited_in_document_order_every_time(library, onnx_embedder):
    question = "全球资源中心用来做什么？"
    first = [c.clause_id for c in library.ask(question).citations]
    again = loaded_assistant(library.settings, onnx_embedder)
    for _ in range(3):
        assert [c.clause_id for c in again.ask(question).citations] == first
    assert first and first[0].startswith("wtsa-res106-2024/")
