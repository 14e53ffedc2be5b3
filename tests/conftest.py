"""Session-wide fixtures: the default embedding model, converted and loaded once."""

import shutil
from dataclasses import replace

import pytest

from embeddings.model import DEFAULT_MODEL, Embedder
from embeddings.onnx_model import exported_model


@pytest.fixture(scope="session")
def model_cache_dir(tmp_path_factory):
    """A fresh model cache, so tests never depend on (or touch) ~/.cache; removed at the end (~950 MB).

    The default model is converted and exported to ONNX here, once, so the CLI and app
    processes the tests start find it ready instead of exporting within their timeouts.
    """
    path = tmp_path_factory.mktemp("models")
    exported_model(DEFAULT_MODEL, path)
    yield path
    shutil.rmtree(path, ignore_errors=True)


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
