"""BM25 over clause texts as a sparse matrix, so a query costs a few column sums.

A per-query Python loop over the corpus is what makes the usual BM25 slow at
100k clauses; here the BM25 weight of every (term, clause) pair is precomputed.
"""

from __future__ import annotations

from array import array
from collections import Counter
from typing import Sequence

import numpy as np
from scipy import sparse

from assistant.text import normalize, tokenize

# Marks no term runs across (none is a letter, digit, CJK character or a -/. joiner, before or
# after NFKC), so the terms of "head：text" are those of "head" and of "text".
_SEPARATORS = frozenset("：:；;，,。")


class BM25Index:
    """Okapi BM25 over tokenized documents.

    >>> bm25 = BM25Index(["做出决议 鼓励成员", "责成研究组 制定建议书"])
    >>> int(bm25.scores("研究组").argmax())
    1
    """

    def __init__(
        self,
        texts: Sequence[str],
        *,
        terms: Sequence[Sequence[str]] | None = None,
        tokenizer=tokenize,
        k1: float = 1.2,
        b: float = 0.75,
    ):
        """`terms`: each text's `tokenizer(text)`, when the caller has them already (saves tokenizing twice).

        `tokenizer(text, stopwords=...)` makes the terms of texts and queries alike (e.g. stemmed English).
        """
        if terms is not None and len(terms) != len(texts):
            raise ValueError(f"{len(terms)} term lists for {len(texts)} texts")
        self._tokenize = tokenizer
        self.size = len(texts)
        self.texts = [normalize(t) for t in texts]
        self.vocabulary: dict[str, int] = {}
        cols, counts = array("q"), array("f")  # flat, row after row: a Python int per pair costs 4x the memory
        distinct = np.zeros(self.size, dtype=np.int64)
        lengths = np.zeros(self.size, dtype=np.float32)
        for row, document in enumerate(terms if terms is not None else map(tokenizer, texts)):
            counted = Counter(document)
            distinct[row], lengths[row] = len(counted), len(document)
            new = [term for term in counted if term not in self.vocabulary]
            self.vocabulary.update(zip(new, range(len(self.vocabulary), len(self.vocabulary) + len(new))))
            cols.extend(map(self.vocabulary.__getitem__, counted))
            counts.extend(counted.values())
        cols_np = np.frombuffer(cols, dtype=np.int64) if cols else np.zeros(0, dtype=np.int64)
        tf = np.frombuffer(counts, dtype=np.float32) if counts else np.zeros(0, dtype=np.float32)
        doc_freq = np.bincount(cols_np, minlength=len(self.vocabulary)).astype(np.float32)
        self.idf = np.log1p((self.size - doc_freq + 0.5) / (doc_freq + 0.5)).astype(np.float32)
        avg = float(lengths.mean()) if self.size else 1.0
        norm = k1 * (1 - b + b * np.repeat(lengths, distinct) / max(avg, 1e-9))
        weights = self.idf[cols_np] * tf * (k1 + 1) / (tf + norm)
        indptr = np.concatenate(([0], np.cumsum(distinct)))
        # Rows arrive in order, so the CSR arrays are already built; CSC is what column sums want.
        self.matrix = sparse.csr_matrix(
            (weights, cols_np, indptr), shape=(self.size, len(self.vocabulary)), dtype=np.float32
        ).tocsc()
        self.matrix.sort_indices()
        self._doc_freq = np.diff(self.matrix.indptr)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for the query (zeros when no term matches)."""
        cols = [self.vocabulary[t] for t in set(self._tokenize(query, stopwords=True)) if t in self.vocabulary]
        return self._column_sums(cols)

    def _column_sums(self, cols: Sequence[int]) -> np.ndarray:
        """The rows' sums over these columns, in float32, added column after column.

        The same additions in the same order as `self.matrix[:, cols].sum(axis=1)` (scipy multiplies
        by a vector of ones, column by column), so the same bits, without building a submatrix (~10x
        the time of the sums on a small corpus, every query).
        """
        total = np.zeros(self.size, dtype=np.float32)
        indptr, rows, weights = self.matrix.indptr, self.matrix.indices, self.matrix.data
        for col in cols:
            start, end = indptr[col], indptr[col + 1]
            total[rows[start:end]] += weights[start:end]  # a column's rows are unique: no lost additions
        return total

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        """Row indices and scores of the k best documents with a positive score."""
        scores = self.scores(query)
        positive = np.flatnonzero(scores > 0)
        if positive.size == 0:
            return []
        if positive.size > k:
            part = positive[np.argpartition(-scores[positive], k - 1)[:k]]
        else:
            part = positive
        order = part[np.argsort(-scores[part], kind="stable")]
        return [(int(i), float(scores[i])) for i in order]

    def knows(self, term: str) -> bool:
        """Whether a term occurs anywhere in the indexed texts."""
        return term in self.vocabulary

    def document_frequency(self, term: str) -> int:
        """How many texts hold the term (0 for an unknown one)."""
        col = self.vocabulary.get(term)
        return 0 if col is None else int(self._doc_freq[col])

    def containing(self, phrase: str) -> list[int]:
        """Rows whose text contains the phrase verbatim (after normalization), in order.

        Candidates come from the postings of the phrase's terms, so only a few texts
        are scanned, not the whole corpus.
        """
        needle = normalize(phrase)
        if not needle:
            return []
        terms = [t for t in set(self._tokenize(needle)) if t]
        if not terms or any(t not in self.vocabulary for t in terms):
            return []
        # Rarest term first: its postings bound the work, however common the others are.
        columns = sorted((self.vocabulary[t] for t in terms), key=lambda col: self._doc_freq[col])
        rows = self.matrix.indices[self.matrix.indptr[columns[0]] : self.matrix.indptr[columns[0] + 1]]
        for col in columns[1:]:
            if rows.size == 0:
                return []
            postings = self.matrix.indices[self.matrix.indptr[col] : self.matrix.indptr[col + 1]]
            rows = np.intersect1d(rows, postings, assume_unique=True)  # a column's rows are unique
        return [int(r) for r in np.sort(rows) if needle in self.texts[r]]


def index_passages_and_texts(
    passages: Sequence[str], texts: Sequence[str]
) -> tuple[BM25Index, BM25Index]:
    """BM25 over each passage and over the text it ends with, tokenizing every text once.

    A passage that is a head, a separator and its text (as `embeddings.index.passage_text`
    writes it) reuses the text's terms; any other passage is tokenized whole. The passage
    index has the same terms and scores as `BM25Index(passages)`.
    """
    text_terms = [tokenize(text) for text in texts]
    heads: dict[str, list[str]] = {}  # a section's clauses share their heading
    passage_terms = [
        _joined_terms(p, t, terms, heads) for p, t, terms in zip(passages, texts, text_terms, strict=True)
    ]
    return BM25Index(passages, terms=passage_terms), BM25Index(texts, terms=text_terms)


def _joined_terms(passage: str, text: str, text_terms: list[str], heads: dict[str, list[str]]) -> list[str]:
    """tokenize(passage), reusing `text_terms` when the passage is the text alone or "head：text"."""
    if passage == text:
        return text_terms
    head = passage[: len(passage) - len(text)]
    if not (text and passage.endswith(text) and head[-1] in _SEPARATORS):
        return tokenize(passage)
    if head not in heads:
        heads[head] = tokenize(head)
    return [*heads[head], *text_terms]
