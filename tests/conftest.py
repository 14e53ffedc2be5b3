"""Session-wide fixtures: the default embedding model, converted and loaded once."""

import shutil

import pytest

from embeddings.model import Embedder


@pytest.fixture(scope="session")
def model_cache_dir(tmp_path_factory):
    """A fresh model cache, so tests never depend on (or touch) ~/.cache; removed at the end (~470 MB)."""
    path = tmp_path_factory.mktemp("models")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def embedder(model_cache_dir) -> Embedder:
    """The default multilingual-e5-small Embedder, loaded."""
    embedder = Embedder(cache_dir=model_cache_dir)
    embedder.load()
    return embedder
