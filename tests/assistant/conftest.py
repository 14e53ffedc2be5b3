from dataclasses import replace

import pytest

from assistant.core import Assistant
from assistant.settings import Settings


@pytest.fixture(scope="session")
def assistant(tmp_path_factory, embedder, model_cache_dir):
    """The product over the shipped corpus, with its own embedded index."""
    settings = replace(Settings(), data_dir=tmp_path_factory.mktemp("assistant-data"), model_cache=model_cache_dir)
    built = Assistant(settings, embedder=embedder)
    built.load()
    return built
