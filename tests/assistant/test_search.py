"""Hybrid search: the dense queries of one question cost one call to the store when it is small."""

import pytest

# Each question with the number of distinct vectors its dense queries send: an English one its glossary
# expansion and the question as asked; this Chinese one has no formal terms, so the question alone.
QUESTIONS = {"What must the study groups do for developing countries?": 2, "电信标准化顾问组要做什么？": 1,
             "Where are SDOs mentioned?": 2}


@pytest.mark.parametrize("question", QUESTIONS)
def test_one_call_for_a_small_store_finds_what_a_call_per_language_finds(assistant, question, monkeypatch):
    search = assistant._load().search
    calls = []
    real = search.index.search_each
    sent = []
    monkeypatch.setattr(search.index, "search_each",
                        lambda vectors, **k: calls.append(k.get("where")) or sent.append(len(vectors)) or real(vectors, **k))
    route = assistant.prepare(question).turn.route
    together = search.search(question, route)
    english = question.isascii()
    # English: its three queries (the text, the English version, the English gists) in one call;
    # Chinese: its two (the text, the Chinese gists); no language filter. The question as asked
    # serves the version and the gists: each distinct vector is sent once.
    assert calls == [None]
    assert sent == [QUESTIONS[question]]
    calls.clear()
    monkeypatch.setattr(search, "_small_store", False)  # as if the store held more than one call returns
    apart = search.search(question, route)
    assert len(calls) == (3 if english else 2)
    assert all(where and "language" in str(where) for where in calls)
    # The store computes the same distances with a filter and without one: equal to the bit.
    assert [(h.clause.id, h.ranks, h.similarity, h.score) for h in together] == [
        (h.clause.id, h.ranks, h.similarity, h.score) for h in apart]


def test_a_chinese_only_corpus_knows_english_names_through_actors_and_the_glossary():
    # Without the English version no clause holds the word "Director": the actor's Chinese name does.
    from dataclasses import replace

    from assistant.answer import _unknown_names
    from assistant.search import HybridSearch
    from corpus.library import load_corpus

    clauses = [replace(c, versions={}) for c in load_corpus("corpus/texts")]
    search = HybridSearch(clauses, index=None, embedder=None, text_of=lambda c: c.text, signals=("lexical", "route"))
    assert _unknown_names("Does it mention the Director of the TSB, or Kigali?", search) == []
    assert _unknown_names("Does it mention Kenya?", search) == ["Kenya"]


def test_an_abbreviation_is_known_when_consecutive_english_words_spell_it():
    from dataclasses import replace

    from assistant.search import HybridSearch
    from corpus.library import load_corpus

    clauses = load_corpus("corpus/texts")
    search = HybridSearch(clauses, index=None, embedder=None, text_of=lambda c: c.text, signals=("lexical", "route"))
    # Footnote 1: "least developed countries, small island developing states, landlocked developing countries".
    assert [search.abbreviates(a) for a in ("LDCs", "SIDS", "LLDC", "UN")] == [True, True, True, True]
    assert [search.abbreviates(a) for a in ("AAP", "GSR", "ITU-R")] == [False, False, False]
    # Only starts with the first letter are tried: the same answers as trying every start of every stretch.
    from assistant.abbreviations import phrases, spells

    stretches = phrases(c.text_in("en") for c in clauses if "en" in c.versions)
    for acronym in ("LDC", "SG", "TSB", "ITU", "WTSA", "RG-DT", "G20", "IT", "XQ", "DCs", "123"):
        letters = "".join(ch for ch in acronym.removesuffix("s") if ch.isupper()).casefold()
        every = any(spells(letters, words[start:]) for words in stretches for start in range(len(words)))
        assert search.abbreviates(acronym) is every, acronym
    # With no English words there is nothing to judge by.
    chinese = [replace(c, versions={}) for c in clauses]
    alone = HybridSearch(chinese, index=None, embedder=None, text_of=lambda c: c.text, signals=("lexical", "route"))
    assert alone.abbreviates("AAP") is None


def test_a_documents_clauses_are_the_corpus_scan_and_a_copy():
    from assistant.search import HybridSearch
    from corpus.library import load_corpus

    clauses = load_corpus("corpus/texts")
    search = HybridSearch(clauses, index=None, embedder=None, text_of=lambda c: c.text, signals=("lexical", "route"))
    for document in {c.document for c in clauses} | {"no-such-document"}:
        assert search.document_clauses(document) == [c for c in clauses if c.document == document]
    search.document_clauses(clauses[0].document).clear()  # the caller's list, not the search's
    assert search.document_clauses(clauses[0].document)
