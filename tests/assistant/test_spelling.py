"""Misspelled English words corrected to the corpus's words; real words and short ones left alone."""

import pytest

from assistant import dictionary
from assistant.spelling import Speller, edit_distance


def test_edit_distance_counts_a_swap_of_neighbours_as_one_edit():
    assert edit_distance("academia", "acadmia", 2) == 1
    assert edit_distance("recommendations", "recomendations", 2) == 1
    assert edit_distance("study", "sutdy", 2) == 1
    assert edit_distance("guidelines", "guidlines", 2) == 1
    assert edit_distance("academia", "platform", 2) == 3  # stops counting past the limit


def test_a_slip_is_corrected_to_the_one_nearest_corpus_word():
    speller = Speller(["Academia and developing countries", "implementation guidelines"])
    assert speller.correct("any mention of acadmia?") == "any mention of academia?"
    assert speller.correct("What about implementaton guidlines") == "What about implementation guidelines"


def test_real_words_short_words_acronyms_and_ties_are_left_as_written():
    speller = Speller(["academia", "sector", "vector", "TSAG"], is_word=lambda w: w == "laptop")
    assert speller.correct("which laptop should I buy") == "which laptop should I buy"  # a word, though unknown here
    assert speller.correct("TSGA role") == "TSGA role"  # upper case: an acronym, and 4 letters
    assert speller.suggestion("bector") is None  # "sector" and "vector" are equally near


def test_the_dictionary_tells_english_words_from_slips(model_cache_dir):
    dictionary.load(model_cache_dir)
    assert dictionary.is_english_word("laptop") and dictionary.is_english_word("the")
    assert not dictionary.is_english_word("acadmia")


@pytest.mark.parametrize("question", ["any mention of acadmia?", "What does the resolution say about acadmia"])
def test_a_misspelled_question_finds_the_clauses_of_the_word_meant(assistant, question):
    cited = [c.clause_id.split("/", 1)[1] for c in assistant.ask(question).citations]
    assert "resolves/4" in cited
    assert "recalling/b" not in cited  # what the slip found before: a clause on another subject
