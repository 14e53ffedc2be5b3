"""Stand-ins for the embedder when indexing at scale: vectors without running the model.

`ClauseIndex.sync` needs only `model_id`, `dimension` and `embed_documents`, so an index
of 100,000 clauses can be filled with random unit vectors (or with vectors an earlier
build already computed) and then searched by the real Assistant, whose query vectors do
come from the model. Search cost depends on the number and size of vectors, not on what
they mean; answers over such an index are not meaningful, its latency is.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np


class RandomEmbedder:
    """Random unit vectors, seeded, under the name of the model they stand in for.

    >>> stand_in = RandomEmbedder("intfloat/multilingual-e5-small", dimension=384)
    >>> ClauseIndex(stand_in, data_dir=path).sync(clauses)  # no model run
    """

    def __init__(self, model_id: str, *, dimension: int, seed: int = 106):
        self.model_id = model_id
        self.dimension = dimension
        self._rng = np.random.default_rng(seed)

    def embed_documents(self, texts: Sequence[str], **_) -> np.ndarray:
        vectors = self._rng.standard_normal((len(texts), self.dimension)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


class ReplayEmbedder:
    """Vectors an earlier build computed, looked up by passage text; others come from `fallback`.

    `replayed` and `embedded` count where the vectors came from.
    """

    def __init__(self, known: Mapping[str, np.ndarray], *, fallback):
        self.known = dict(known)
        self.fallback = fallback
        self.model_id = fallback.model_id
        self.replayed = 0
        self.embedded = 0

    @property
    def dimension(self) -> int:
        return len(next(iter(self.known.values()))) if self.known else self.fallback.dimension

    def embed_documents(self, texts: Sequence[str], **_) -> np.ndarray:
        missing = [t for t in texts if t not in self.known]
        if missing:
            self.known.update(zip(missing, self.fallback.embed_documents(missing)))
        self.embedded += len(missing)
        self.replayed += len(texts) - len(missing)
        return np.stack([np.asarray(self.known[t], dtype=np.float32) for t in texts])
