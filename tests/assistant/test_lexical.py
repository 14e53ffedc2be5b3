"""BM25 built from terms the caller already has, and the passage/text pair built with each text tokenized once."""

import numpy as np
import pytest

from corpus.library import load_corpus
from embeddings.index import passage_text
from assistant.lexical import BM25Index, index_passages_and_texts
from assistant.settings import Settings
from assistant.text import tokenize

QUERIES = ["研究组", "What is TSAG instructed to do?", "可持续数字化转型", "ITU-T", "成员国 学术成员", "人组", "nothing"]


@pytest.fixture(scope="module")
def clauses():
    return load_corpus(Settings().corpus_dir)


def _same_answers(ours: BM25Index, theirs: BM25Index, queries) -> None:
    assert set(ours.vocabulary) == set(theirs.vocabulary) and ours.texts == theirs.texts
    for query in queries:
        assert np.array_equal(ours.scores(query), theirs.scores(query)), query
        assert ours.top(query, 10) == theirs.top(query, 10), query
        assert ours.containing(query) == theirs.containing(query), query


def test_terms_given_are_the_terms_tokenize_would_find(clauses):
    texts = [c.text for c in clauses]
    _same_answers(BM25Index(texts, terms=[tokenize(t) for t in texts]), BM25Index(texts), QUERIES)
    with pytest.raises(ValueError, match="2 term lists for 1 texts"):
        BM25Index(["研究组"], terms=[["研究组"], []])


def test_the_pair_answers_as_two_separate_indexes(clauses):
    passages, texts = [passage_text(c) for c in clauses], [c.text for c in clauses]
    assert any(p != t for p, t in zip(passages, texts))  # the heads are really reused
    bm25, wording = index_passages_and_texts(passages, texts)
    queries = QUERIES + [w for c in clauses for w in tokenize(c.text)[:2]]
    _same_answers(bm25, BM25Index(passages), queries)
    _same_answers(wording, BM25Index(texts), queries)


def test_a_passage_not_joined_at_a_separator_is_tokenized_whole():
    # "报告人组成立" ends with "组成立", but the bigram "人组" spans the join.
    passages = ["研究组：成员国", "报告人组成立", "ITU-T", "成员国"]
    texts = ["成员国", "组成立", "T", "成员国"]
    bm25, _ = index_passages_and_texts(passages, texts)
    _same_answers(bm25, BM25Index(passages), ["人组", "研究组", "itu-t", "itu", "成员国", "t"])


def test_scores_are_scipys_column_sums_to_the_bit(clauses):
    bm25, _ = index_passages_and_texts([passage_text(c) for c in clauses], [c.text for c in clauses])
    columns = np.random.default_rng(7).permutation(len(bm25.vocabulary))
    for start in range(0, 600, 6):
        chosen = [int(c) for c in columns[start : start + 1 + start % 13]]  # 1 to 13 columns, in no sorted order
        theirs = np.asarray(bm25.matrix[:, chosen].sum(axis=1), dtype=np.float32).ravel()
        assert np.array_equal(bm25._column_sums(chosen).view(np.int32), theirs.view(np.int32)), chosen
    assert not bm25._column_sums([]).any() and bm25.scores(QUERIES[1]).max() > 0
