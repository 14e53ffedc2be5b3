"""Settings from the environment: defaults, and a clear error for a value that cannot work."""

import pytest

from assistant.settings import ENVIRONMENT, Settings
from corpus.errors import AssistantError


def test_the_app_loads_the_model_in_a_separate_process_by_default():
    assert Settings.from_env({}).separate_embedding_process is True
    assert Settings.from_env({"RA_EMBEDDING_PROCESS": " Same "}).separate_embedding_process is False
    assert Settings.from_env({"RA_EMBEDDING_PROCESS": "separate"}).separate_embedding_process is True
    assert Settings.from_env({}).embedding_niceness == 10
    assert Settings.from_env({"RA_EMBEDDING_NICENESS": "0"}).embedding_niceness == 0


@pytest.mark.parametrize("name, value, says", [
    ("RA_EMBEDDING_PROCESS", "thread", "'separate' (default) or 'same'"),
    ("RA_EMBEDDING_NICENESS", "-5", "from 0 to 19"),
    ("RA_EMBEDDING_NICENESS", "20", "from 0 to 19"),
    ("RA_LLM_TIMEOUT", "soon", "not a number of seconds"),
    ("RA_LLM_TIMEOUT", "-3", "above 0"),
    ("RA_LLM_TIMEOUT", "nan", "above 0"),
    ("RA_LLM_TIMEOUT", "0", "above 0"),
    ("RA_EMBEDDING_BACKEND", "openvino", "one of: onnx, torch"),
])  # fmt: skip
def test_a_value_that_cannot_work_is_named_with_the_fix(name, value, says):
    with pytest.raises(AssistantError, match=name) as raised:
        Settings.from_env({name: value})
    assert says in str(raised.value)


def test_every_setting_read_is_documented():
    assert {"RA_EMBEDDING_PROCESS", "RA_EMBEDDING_NICENESS", "RA_LLM_TIMEOUT", "RA_EMBEDDING_MODEL",
            "RA_EMBEDDING_BACKEND"} <= set(ENVIRONMENT)


def test_the_model_runs_on_onnx_unless_torch_is_asked_for():
    assert Settings.from_env({}).embedding_backend == "onnx"
    assert Settings.from_env({"RA_EMBEDDING_BACKEND": " Torch "}).embedding_backend == "torch"


def test_folders_named_relative_or_with_a_tilde_are_made_absolute(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    settings = Settings.from_env({"RA_DATA_DIR": ".data", "RA_MODEL_CACHE": "~/models", "RA_CORPUS_DIR": "texts"})
    assert settings.data_dir == tmp_path / ".data"  # a child process started in another folder finds the same one
    assert settings.model_cache == tmp_path / "home" / "models"
    assert settings.corpus_dir == tmp_path / "texts"


@pytest.mark.parametrize("name", ["RA_CHROMA_URL", "RA_LLM_BASE_URL"])
@pytest.mark.parametrize("value, says", [
    ("http://[::1", "Invalid IPv6 URL"),  # was a traceback from urlparse
    ("http://localhost:99999", "Port out of range"),  # was a traceback from .port
    ("ftp://example.org", "is not a URL like http"),
    ("localhost:8000", "is not a URL like http"),
])  # fmt: skip
def test_a_server_url_that_cannot_work_is_one_line_with_an_example(name, value, says):
    with pytest.raises(AssistantError, match=name) as raised:
        Settings.from_env({name: value})
    assert says in str(raised.value) and "\n" not in str(raised.value)
    field = "chroma_url" if name == "RA_CHROMA_URL" else "llm_base_url"
    assert getattr(Settings.from_env({name: " http://127.0.0.1:8000 "}), field) == "http://127.0.0.1:8000"
