"""CC-CEDICT read backwards: English words to the Chinese words of the corpus."""

import pytest

from assistant import dictionary
from assistant.lexical import BM25Index
from corpus.library import load_corpus
from assistant.settings import Settings


@pytest.fixture(scope="module")
def seed_index():
    clauses = load_corpus(Settings().corpus_dir)
    return clauses, BM25Index([c.text for c in clauses])


def test_stems_agree_between_question_and_gloss_forms():
    assert dictionary.english_words("What qualities?") == dictionary.english_words("quality")
    assert dictionary.english_words("shared") == dictionary.english_words("to share")
    assert dictionary.english_words("What does the resolution say about it?") == []


def test_the_c_stemmer_gives_the_pure_python_snowball_stems():
    # PyStemmer (a dependency) makes snowballstemmer ~25x faster; a stem that differed would move answers.
    import gzip
    import importlib.resources
    import random
    import re

    import Stemmer
    from snowballstemmer.english_stemmer import EnglishStemmer

    from assistant import text

    assert isinstance(text._STEMMER, Stemmer.Stemmer)
    package, name = dictionary._DATA
    with gzip.open(importlib.resources.files(package).joinpath(name), "rt", encoding="utf-8") as handle:
        words = sorted(set(re.findall(r"[a-z]+", handle.read().lower())))
    sample = random.Random(106).sample(words, 3000) + ["qualities", "instructed", "shared", "standardization", "agendas"]
    reference = EnglishStemmer()
    assert [text.stem(w) for w in sample] == [reference.stemWord(w) for w in sample]


def test_everyday_english_words_reach_the_clause_wording(seed_index):
    _, bm25 = seed_index
    assert "质量" in dictionary.chinese_terms("qualities", bm25.knows)
    assert "议程" in dictionary.chinese_terms("global agendas", bm25.knows)
    assert "分享" in dictionary.chinese_terms("shared", bm25.knows)
    assert "战略" in dictionary.chinese_terms("overall strategy", bm25.knows)


def test_only_words_the_corpus_holds_are_returned(seed_index):
    _, bm25 = seed_index
    terms = dictionary.chinese_terms("qualities agendas strategy elephant volcano", bm25.knows)
    assert terms and all(bm25.knows(t) for t in terms)
    assert dictionary.chinese_terms("elephant volcano", bm25.knows) == []


def test_proper_names_in_glosses_do_not_translate_common_words(seed_index):
    # CC-CEDICT glosses 新德里 as "New Delhi": "new" must not bring it in.
    _, bm25 = seed_index
    assert "新德里" not in dictionary.chinese_terms("the new standards", bm25.knows)


def test_ambiguous_words_are_skipped():
    assert dictionary.senses("work") > 20  # 工作, 作品, 运转, ...
    assert dictionary.senses("agenda") <= 3
    assert dictionary.chinese_terms("work", lambda term: True, max_senses=20) == []
    assert dictionary.chinese_terms("agenda", lambda term: True, max_senses=20)


def test_the_dictionary_ranks_the_clause_an_english_paraphrase_asks_about(seed_index):
    clauses, bm25 = seed_index
    # As the search does: translations held by many clauses (全球, 4 of 28) tell nothing apart.
    def specific(term):
        return 0 < bm25.document_frequency(term) <= 0.2 * bm25.size

    terms = dictionary.chinese_terms("Which global agendas will these standards help deliver?", specific)
    assert "议程" in terms and "标准" not in terms  # 标准 (standard) is in 12 of 28 clauses
    top = [clauses[row].text for row, _ in bm25.top(" ".join(terms), 2)]
    assert any("2030年可持续发展议程" in text for text in top)


def test_the_index_is_cached_once_and_read_back(tmp_path):
    (tmp_path / "cedict-en-zh-0.9-v0.json").write_text("{}", encoding="utf-8")  # an older version's cache
    built = dictionary._Dictionary().index(tmp_path)
    (cached,) = tmp_path.glob("cedict-en-zh-*.json")
    assert dictionary._Dictionary().index(tmp_path) == built
    cached.write_text("{not json", encoding="utf-8")  # a damaged cache is rebuilt, not trusted
    assert dictionary._Dictionary().index(tmp_path) == built
