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
