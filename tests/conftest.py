"""Session-wide fixtures: the default embedding model, converted and loaded once."""

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from embeddings.model import DEFAULT_MODEL, Embedder
from embeddings.onnx_model import exported_model

_MODEL_CACHE = pytest.StashKey[Path]()


def pytest_collection_finish(session):
    """Prepare the model cache before the first test when any test uses it (one per xdist worker).

    Converting and exporting the default model takes 20-90 s: inside a fixture it would count
    against the timeout of whichever test came first, and the CLI and app processes the tests
    start would otherwise export it within theirs.
    """
    if any("model_cache_dir" in getattr(item, "fixturenames", ()) for item in session.items):
        path = Path(tempfile.mkdtemp(prefix="ra-test-models-"))
        session.config.stash[_MODEL_CACHE] = path
        exported_model(DEFAULT_MODEL, path)


def pytest_sessionfinish(session):
    path = session.config.stash.get(_MODEL_CACHE, None)
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)  # ~950 MB


@pytest.fixture(scope="session")
def model_cache_dir(pytestconfig):
    """A fresh model cache, converted and exported: tests never depend on (or touch) ~/.cache."""
    return pytestconfig.stash[_MODEL_CACHE]


@pytest.fixture(scope="session")
def embedder(model_cache_dir) -> Embedder:
    """The default multilingual-e5-small Embedder, loaded."""
    embedder = Embedder(cache_dir=model_cache_dir)
    embedder.load()
    return embedder


@pytest.fixture(scope="session")
def assistant(tmp_path_factory, embedder, model_cache_dir):
    """The product over the shipped corpus, with its own embedded index, loaded once."""
    from assistant.core import Assistant
    from assistant.settings import Settings

    settings = replace(Settings(), data_dir=tmp_path_factory.mktemp("assistant-data"), model_cache=model_cache_dir)
    built = Assistant(settings, embedder=embedder)
    built.load()
    return built
