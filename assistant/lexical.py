"""BM25 over clause texts as a sparse matrix, so a query costs a few column sums.

A per-query Python loop over the corpus is what makes the usual BM25 slow at
100k clauses; here the BM25 weight of every (term, clause) pair is precomputed.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np
from scipy import sparse

from assistant.text import normalize, tokenize


class BM25Index:
    """Okapi BM25 over tokenized documents.

    >>> bm25 = BM25Index(["做出决议 鼓励成员", "责成研究组 制定建议书"])
    >>> bm25.scores("研究组").argmax()
    1
    """

    def __init__(self, texts: Sequence[str], *, k1: float = 1.2, b: float = 0.75):
        self.size = len(texts)
        self.texts = [normalize(t) for t in texts]
        self.vocabulary: dict[str, int] = {}
        rows, cols, counts = [], [], []
        lengths = np.zeros(self.size, dtype=np.float32)
        for row, text in enumerate(texts):
            terms = Counter(tokenize(text))
            lengths[row] = sum(terms.values())
            for term, count in terms.items():
                col = self.vocabulary.setdefault(term, len(self.vocabulary))
                rows.append(row)
                cols.append(col)
                counts.append(count)
        tf = np.asarray(counts, dtype=np.float32)
        doc_freq = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(self.vocabulary)).astype(np.float32)
        self.idf = np.log1p((self.size - doc_freq + 0.5) / (doc_freq + 0.5)).astype(np.float32)
        avg = float(lengths.mean()) if self.size else 1.0
        norm = k1 * (1 - b + b * lengths[np.asarray(rows, dtype=np.int64)] / max(avg, 1e-9))
        weights = self.idf[np.asarray(cols, dtype=np.int64)] * tf * (k1 + 1) / (tf + norm) if counts else tf
        self.matrix = sparse.csc_matrix(
            (weights, (rows, cols)), shape=(self.size, len(self.vocabulary)), dtype=np.float32
        )
        self.matrix.sort_indices()
        self._doc_freq = np.diff(self.matrix.indptr)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for the query (zeros when no term matches)."""
        cols = [self.vocabulary[t] for t in set(tokenize(query, stopwords=True)) if t in self.vocabulary]
        if not cols:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.matrix[:, cols].sum(axis=1), dtype=np.float32).ravel()

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
        terms = [t for t in set(tokenize(needle)) if t]
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
