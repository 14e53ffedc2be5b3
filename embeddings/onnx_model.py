"""The embedding model on onnxruntime: exported once from sentence-transformers, then run without torch.

sentence-transformers stays the model format and the reference. The export wraps the model's
own modules (transformer, pooling, normalization) in one ONNX graph and keeps it only if its
vectors match `SentenceTransformer.encode`. Running it needs onnxruntime, `tokenizers` (or, for
multilingual-e5's tokenizer, sentencepiece: `sentencepiece_ids`) and numpy: a query takes about half of
torch's time, and the process that answers never imports torch, transformers or sentence-transformers
(seconds of start-up, hundreds of MB).

The export itself needs torch, so it runs once, in a child process, into the model cache:

    python -m embeddings.onnx_model MODEL CACHE_DIR OUT_DIR   # started by OnnxEmbedder, not by hand
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from corpus.errors import ModelError
from embeddings.options import BACKENDS, DEFAULT_BACKEND
from embeddings.model import (
    DEFAULT_MODEL,
    DEFAULT_MODEL_DIR,
    Embedder,
    TextEmbedder,
    default_model_stamp,
    first_line,
    materialize,
    materialize_default_model,
    missing_model,
)

_EXPORTER_VERSION = 1  # bump when the files written by _export change
_OPSET = 17
_CONFIG = "embedder.json"
_GRAPH = "model.onnx"
_WEIGHTS = "model.onnx.data"  # beside the graph, so onnxruntime maps it instead of copying (0.4 s, +140 MB vs 3 s, +870 MB)
_TOLERANCE = 1e-5  # largest difference from SentenceTransformer.encode in any coordinate
_MAX_DOCUMENT_THREADS = 4
_ROOT = Path(__file__).resolve().parent.parent
_CHECK_TEXTS = [
    "What is TSAG instructed to do?",
    "电信标准化顾问组需要做什么？",
    "混合 mixed 语言 sentence with numbers 12345 and ＦＵＬＬＷＩＤＴＨ letters",
    "Résumé naïve café — ﬁnance ① Ⅻ",
    "tabs\tand  double  spaces\nand newlines",
    "x",
    " ".join(["第106号决议 Resolution 106 strengthens standardization activities"] * 80),  # past the length limit
]


def make_embedder(
    model_name: str = DEFAULT_MODEL, *, cache_dir: Path, backend: str = DEFAULT_BACKEND, query_cache_size: int = 1024
) -> TextEmbedder:
    """The embedder for `backend`, "onnx" (`OnnxEmbedder`) or "torch" (`Embedder`)."""
    if backend == "onnx":
        return OnnxEmbedder(model_name, cache_dir=cache_dir, query_cache_size=query_cache_size)
    if backend == "torch":
        return Embedder(model_name, cache_dir=cache_dir, query_cache_size=query_cache_size)
    raise ModelError(f"Unknown embedding backend {backend!r}; use one of: {', '.join(BACKENDS)}")


class OnnxEmbedder(TextEmbedder):
    """An `Embedder` on onnxruntime: the same vectors (to 1e-5), no torch in this process.

    On first use the model is exported into the cache (~20 s, in a child process); if that
    fails, this embedder says so in one line and runs the model on torch instead.

    >>> embedder = make_embedder(cache_dir=DEFAULT_CACHE_DIR)  # backend="onnx"
    >>> embedder.embed_query("What is TSAG instructed to do?").shape, embedder.backend
    ((384,), 'onnx')
    """

    def __init__(self, model_name: str = DEFAULT_MODEL, *, cache_dir: Path, query_cache_size: int = 1024):
        super().__init__(query_cache_size=query_cache_size)
        self._model_name = model_name
        self._cache_dir = Path(cache_dir).expanduser()
        self._runtime: _Runtime | Embedder | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self._model_name

    @property
    def dimension(self) -> int:
        return self._loaded().dimension

    @property
    def backend(self) -> str:
        """"onnx", or "torch" once the export has failed and this embedder fell back to it."""
        return "torch" if isinstance(self._loaded(), Embedder) else "onnx"

    def load(self) -> None:
        """Export (first use only) and load the model now instead of on first use."""
        self._loaded()

    def _encode(self, texts: list[str], *, query: bool, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        runtime = self._loaded()
        if isinstance(runtime, Embedder):
            return runtime.embed_queries(texts) if query else runtime.embed_documents(texts, batch_size=batch_size, progress=progress)
        return runtime.encode(texts, query=query, batch_size=batch_size, progress=progress)

    def _loaded(self) -> _Runtime | Embedder:
        if self._runtime is None:
            with self._lock:
                if self._runtime is None:
                    self._runtime = self._open()
        return self._runtime

    def _open(self) -> _Runtime | Embedder:
        target, stamp = _export_target(self._model_name, self._cache_dir)
        failed = target.with_name(target.name + ".failed")
        try:
            if _read_json(failed).get("stamp") == json.loads(json.dumps(stamp)):
                # The same model failed to export before: say so, and do not spend ~20 s again.
                raise _ExportFailed(_read_json(failed).get("reason", "The ONNX export failed before."))
            return _Runtime(exported_model(self._model_name, self._cache_dir))
        except _ExportFailed as exc:
            _remember_failure(failed, stamp, str(exc))
            print(f"{exc} Using torch for the embedding model instead.", file=sys.stderr, flush=True)
            fallback = Embedder(self._model_name, cache_dir=self._cache_dir, query_cache_size=1)
            fallback.load()
            return fallback


class _ExportFailed(ModelError):
    """The model loads with sentence-transformers but could not be exported, or its export does not match."""


def exported_model(model_name: str, cache_dir: Path) -> Path:
    """The ONNX folder of `model_name` in `cache_dir`, exported on first use and checked on every load.

    Raises _ExportFailed when the export fails, ModelError when the model itself cannot load.
    """
    missing = missing_model(model_name)
    if missing:
        raise ModelError(missing)  # before the notice that an export is starting
    target, stamp = _export_target(model_name, cache_dir)
    notice = f"Exporting the embedding model {model_name} to ONNX (first use only, ~20 s)..."
    return materialize(target, stamp, lambda work: _export_in_child(model_name, cache_dir, work), notice=notice)


def _export_target(model_name: str, cache_dir: Path) -> tuple[Path, dict]:
    """Where a model's export lives, and the stamp that says which model and exporter made it."""
    cache_dir = Path(cache_dir).expanduser()
    if model_name == DEFAULT_MODEL:
        # Beside the converted model, which is only read (and checked) when an export needs it.
        target = cache_dir / f"{DEFAULT_MODEL_DIR}.onnx"
        model_stamp: object = default_model_stamp()
    else:
        local = Path(model_name).expanduser()
        source = str(local.resolve()) if local.is_dir() else model_name
        slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", model_name).strip("-._")[-40:] or "model"
        target = cache_dir / f"{slug}-{hashlib.sha1(source.encode()).hexdigest()[:10]}.onnx"
        model_stamp = _folder_stamp(local) if local.is_dir() else model_name
    return target, {"exporter": _EXPORTER_VERSION, "opset": _OPSET, "model": model_stamp}


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _remember_failure(path: Path, stamp: dict, reason: str) -> None:
    """Note that this model could not be exported, so later starts go to torch at once (best effort)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"stamp": stamp, "reason": reason}), encoding="utf-8")
    except OSError:
        pass  # a read-only cache only costs the export attempt next time


def _folder_stamp(folder: Path) -> list:
    """Names, sizes and mtimes of a user's model folder: a changed model is exported again."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and ".cache" not in p.parts)
    return [[p.relative_to(folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns] for p in files]


def _export_in_child(model_name: str, cache_dir: Path, out: Path) -> None:
    if model_name == DEFAULT_MODEL:
        materialize_default_model(cache_dir)  # here, where it needs no torch: the child finds it ready
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
    command = [sys.executable, "-m", "embeddings.onnx_model", model_name, str(cache_dir), str(out)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=_ROOT)
    except OSError as exc:
        raise _ExportFailed(f"Could not start the ONNX export: {exc}.") from exc
    if done.returncode == 0:
        return
    last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
    kind, _, message = last.partition(": ")
    if kind == "model-error":
        raise ModelError(message)
    raise _ExportFailed(f"Could not export {model_name} to ONNX ({message if kind == 'export-error' else last}).")


# At most this many queries of one call run side by side (each on one thread).
_MAX_QUERIES_SIDE_BY_SIDE = 2


class _Runtime:
    """An exported folder loaded into onnxruntime: prompts, tokenizer, one session per thread count."""

    def __init__(self, folder: Path):
        import onnxruntime

        config = json.loads((folder / _CONFIG).read_text(encoding="utf-8"))
        self.dimension = int(config["dimension"])
        self._prompts = config["prompts"]
        self._pad_id = int(config["pad_id"])
        max_length = int(config["max_seq_length"])
        self._ids = sentencepiece_ids(folder, max_length) or _tokenizer_json_encoder(folder / "tokenizer.json", max_length)
        self._ort = onnxruntime
        self._graph = folder / _GRAPH
        self._sessions: dict[int, object] = {}
        self._lock = threading.Lock()
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        # One thread per query, as on torch (embeddings.model explains); passages on up to four,
        # in a second session opened only when passages are embedded.
        self._threads = {True: 1, False: min(_MAX_DOCUMENT_THREADS, cores)}
        # A few queries at once (an English question and its expansion) run side by side, one
        # thread each: onnxruntime lets go of the GIL while it runs.
        self._side_by_side = min(_MAX_QUERIES_SIDE_BY_SIDE, cores)
        self._pool = None
        self._session(1)

    def encode(self, texts: list[str], *, query: bool, batch_size: int, progress: bool) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return vectors
        prompt = self._prompts["query" if query else "document"]
        encodings = [self._ids(prompt + text) for text in texts]
        order = np.argsort([-len(e) for e in encodings], kind="stable")  # little padding per batch
        batches = [order[start : start + batch_size] for start in range(0, len(texts), batch_size)]
        session = self._session(self._threads[query])
        if query and len(texts) > 1 and not progress:
            # Side by side on the one-thread session (no second copy of the weights): an English question
            # and its expansion a text each, the intent examples at a first start batch by batch.
            groups = [[i] for i in range(len(texts))] if len(texts) <= self._side_by_side else batches
            runs = [self._queries().submit(self._run, session, [encodings[i] for i in group]) for group in groups]
            for group, run in zip(groups, runs):
                vectors[group] = run.result()
            return vectors
        if progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="Batches")
        for batch in batches:
            vectors[batch] = self._run(session, [encodings[i] for i in batch])
        return vectors

    def _run(self, session, encodings: list) -> np.ndarray:
        """One padded batch through the graph: a vector per encoding."""
        width = max(len(e) for e in encodings)
        ids = np.full((len(encodings), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding)] = encoding
            mask[row, : len(encoding)] = 1
        return session.run(None, {"input_ids": ids, "attention_mask": mask})[0]

    def _queries(self):
        """The threads that run queries side by side (started on first use)."""
        with self._lock:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(max_workers=self._side_by_side, thread_name_prefix="query")
            return self._pool

    def _session(self, threads: int):
        with self._lock:
            if threads not in self._sessions:
                options = self._ort.SessionOptions()
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
                options.log_severity_level = 3
                # Threads that spin while they wait fight every other process for the cores
                # (see OMP_WAIT_POLICY in embeddings.model).
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                try:
                    self._sessions[threads] = self._ort.InferenceSession(
                        str(self._graph), options, providers=["CPUExecutionProvider"]
                    )
                except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
                    raise ModelError(f"Cannot load {self._graph}: {first_line(exc)}") from exc
            return self._sessions[threads]


# --- the tokenizer as sentencepiece ---------------------------------------------------------

_SPM = "tokenizer.spm"  # derived from tokenizer.json on first use, beside it
_SPM_FAILED = "tokenizer.spm.failed"  # its ids differed from tokenizer.json's on a probe: not used
# Texts whose ids the derived model must give exactly as tokenizer.json does before it is used.
_PROBES = (
    "query: What is TSAG instructed to do?", "passage: 做出决议，责成电信标准化顾问组：采取一切必要措施",
    "query: 研究组的任务是什么？那成员国呢", "query: ITU-T SG13, WTDC-22 Res. 89 (Rev. Kigali, 2022) 2024–2027",
    "query:   two  spaces\tand a tab ", "query: ＦＵＬＬ　ｗｉｄｔｈ １２３ ＡＢＣ", "query: café naïve Ωμέγα русский हिन्दी",
    "query: emoji 😀 and <mask> and </s> end", "query: ", "passage: <s> x <pad> <unk>", "query: " + "长" * 600,
    "query: l'ITU-T doit-il agir? ¿Qué? 「引号」『书名』【括号】",
)


def sentencepiece_ids(folder: Path, max_length: int):
    """A function from text to the model's token ids, read by sentencepiece, or None to use tokenizer.json.

    XLM-R's tokenizer (multilingual-e5's) is a sentencepiece unigram model; `tokenizers` holds its
    250,000 pieces in ~300 MB and reads them in ~0.8 s at every start, sentencepiece in ~70 MB and
    ~0.4 s. The sentencepiece model is derived once from tokenizer.json (its pieces, scores and
    normalization) and used only if it gives the same ids as tokenizer.json on `_PROBES`; any other
    tokenizer, or one that differs, keeps tokenizer.json. (Measured over the 35 gold files' 5,389
    questions and passages: the same ids but for pieces of equal score split the other way round,
    "```" as "``" + "`", once.)
    """
    spm_file, failed = folder / _SPM, folder / _SPM_FAILED
    if failed.exists():
        return None
    if not spm_file.is_file():
        try:
            blob = _derived_sentencepiece(folder / "tokenizer.json")
        except (OSError, ImportError):
            return None  # unreadable now, or no sentencepiece: tried again at the next start
        except (ValueError, KeyError, TypeError):
            blob = None  # a tokenizer.json of another shape
        if blob is None:
            _write_atomically(failed, b"not a sentencepiece unigram tokenizer\n")
            return None
        probe = _sentencepiece_encoder(blob, max_length)
        reference = _tokenizer_json_encoder(folder / "tokenizer.json", max_length)
        if any(probe(text) != reference(text) for text in _PROBES):
            _write_atomically(failed, b"its ids differ from tokenizer.json's\n")
            return None
        _write_atomically(spm_file, blob)
    try:
        return _sentencepiece_encoder(spm_file.read_bytes(), max_length)
    except (OSError, RuntimeError, ImportError):
        return None


def _tokenizer_json_encoder(path: Path, max_length: int):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    return lambda text: tokenizer.encode(text).ids


def _derived_sentencepiece(path: Path) -> bytes | None:
    """A sentencepiece model with tokenizer.json's pieces in its id order, or None if it is not of that kind."""
    import base64

    from sentencepiece import sentencepiece_model_pb2 as model_pb2

    spec = json.loads(path.read_text(encoding="utf-8"))
    model, normalizer, pre = spec["model"], spec.get("normalizer") or {}, spec.get("pre_tokenizer") or {}
    steps = normalizer.get("normalizers", [normalizer]) if normalizer.get("type") == "Sequence" else [normalizer]
    charsmap = [n["precompiled_charsmap"] for n in steps if n.get("type") == "Precompiled"]
    others = [n for n in steps if n.get("type") != "Precompiled"]
    collapses = [{"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]
    single = [next(iter(part.values()))["id"] for part in spec.get("post_processor", {}).get("single", [])]
    if (model.get("type") != "Unigram" or model.get("byte_fallback") or len(charsmap) != 1 or others not in ([], collapses)
            or pre.get("type") != "Metaspace" or pre.get("replacement") != "\u2581" or pre.get("prepend_scheme") != "always"
            or single != ["<s>", "A", "</s>"]):
        return None
    proto = model_pb2.ModelProto()
    proto.trainer_spec.model_type = model_pb2.TrainerSpec.UNIGRAM
    proto.trainer_spec.vocab_size = len(model["vocab"])
    proto.trainer_spec.byte_fallback = False
    specials = {token["content"]: token for token in spec.get("added_tokens", []) if token.get("special")}
    pieces = [piece for piece, _ in model["vocab"]]
    for name, field in (("<s>", "bos_id"), ("</s>", "eos_id"), ("<pad>", "pad_id"), ("<unk>", "unk_id")):
        setattr(proto.trainer_spec, field, pieces.index(name) if name in pieces else -1)
    proto.normalizer_spec.name = "identity"
    proto.normalizer_spec.precompiled_charsmap = base64.b64decode(charsmap[0])
    proto.normalizer_spec.add_dummy_prefix = True
    proto.normalizer_spec.remove_extra_whitespaces = True
    proto.normalizer_spec.escape_whitespaces = True
    kinds = model_pb2.ModelProto.SentencePiece
    for index, (piece, score) in enumerate(model["vocab"]):
        entry = proto.pieces.add()
        entry.piece, entry.score = piece, score
        entry.type = (kinds.UNKNOWN if index == model.get("unk_id") else kinds.CONTROL if piece in specials
                      else kinds.NORMAL)  # fmt: skip
    return proto.SerializeToString()


def _sentencepiece_encoder(blob: bytes, max_length: int):
    """Text -> ids as tokenizer.json gives them: special tokens split out first (`<mask>` taking the
    spaces before it), a final space kept as "▁", `<s>` … `</s>` around, truncated to `max_length`."""
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(model_proto=blob)
    bos, eos, space = processor.bos_id(), processor.eos_id(), processor.piece_to_id("\u2581")
    # The special pieces sit at either end of the vocabulary (the derivation keeps tokenizer.json's order).
    size = processor.get_piece_size()
    ends = {*range(min(size, 16)), *range(max(0, size - 16), size)}
    controls = {processor.id_to_piece(i): i for i in ends if processor.is_control(i) or processor.is_unknown(i)}
    if processor.piece_to_id("<mask>") != processor.unk_id():
        controls["<mask>"] = processor.piece_to_id("<mask>")
    controls = {k: v for k, v in controls.items() if k}
    split = re.compile(r"(\s*<mask>|" + "|".join(re.escape(k) for k in controls if k != "<mask>") + ")") if controls else None

    def encode(text: str) -> list[int]:
        ids: list[int] = []
        for part in (split.split(text) if split else [text]):
            if not part:
                continue
            if split and split.fullmatch(part):
                ids.append(controls[part.strip()])
                continue
            ids.extend(processor.encode(part))
            if part[-1].isspace():
                ids.append(space)
        return [bos, *ids[: max_length - 2], eos]

    return encode


def _write_atomically(path: Path, data: bytes) -> None:
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.name, suffix=".tmp", delete=False) as partial:
            partial.write(data)
        Path(partial.name).replace(path)
    except OSError:
        pass  # a read-only cache: derived again next time


# --- the export (in the child, with torch) ------------------------------------------------


def _export(model_name: str, cache_dir: Path, out: Path) -> None:
    """Write graph, weights, tokenizer.json and embedder.json for `model_name` into `out`, checked against encode."""
    import torch

    from embeddings.model import _load_sentence_transformer

    source = Embedder(model_name, cache_dir=cache_dir).source
    model = _load_sentence_transformer(source, model_name).eval()  # a ModelError: the model itself is bad
    try:
        tokenizer = model.tokenizer.backend_tokenizer
    except AttributeError as exc:
        raise _ExportFailed("it has no fast tokenizer") from exc
    prompts = model.prompts or {}
    config = {
        "dimension": int(model.get_embedding_dimension()),
        "max_seq_length": int(model.max_seq_length),
        "pad_id": int(model.tokenizer.pad_token_id or 0),
        "prompts": {task: prompts.get(task, "") for task in ("query", "document")},
    }
    tokenizer.save(str(out / "tokenizer.json"))
    (out / _CONFIG).write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    class Pipeline(torch.nn.Module):
        """input_ids, attention_mask -> the model's own modules -> L2-normalized sentence embedding."""

        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            features = self.model({"input_ids": input_ids, "attention_mask": attention_mask})
            return torch.nn.functional.normalize(features["sentence_embedding"], dim=-1)

    # Two rows of different lengths, so the traced graph pads and masks.
    sample = model.tokenizer(["query: 示例 sample", "x"], padding=True, return_tensors="pt")
    graph = out / "full.onnx"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's warnings are about shapes that do not vary here
        torch.onnx.export(
            Pipeline(), (sample["input_ids"], sample["attention_mask"]), str(graph), dynamo=False,
            opset_version=_OPSET, input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                          "sentence_embedding": {0: "batch"}},
        )  # fmt: skip
    import onnx

    onnx.save_model(onnx.load(str(graph)), str(out / _GRAPH), save_as_external_data=True,
                    all_tensors_to_one_file=True, location=_WEIGHTS, size_threshold=1024)  # fmt: skip
    graph.unlink()
    (out / _WEIGHTS).chmod(0o644)
    _check_export(model, out)


def _check_export(model, out: Path) -> None:
    runtime = _Runtime(out)
    for query in (True, False):
        theirs = (model.encode_query if query else model.encode_document)(
            _CHECK_TEXTS, batch_size=4, convert_to_numpy=True, normalize_embeddings=True
        )
        ours = runtime.encode(_CHECK_TEXTS, query=query, batch_size=4, progress=False)
        worst = float(np.abs(ours - theirs).max())
        if worst > _TOLERANCE:
            raise _ExportFailed(f"its vectors differ from sentence-transformers' by up to {worst:.1e}")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 3:
        print("usage: python -m embeddings.onnx_model MODEL CACHE_DIR OUT_DIR (started by OnnxEmbedder)", file=sys.stderr)
        return 2
    try:
        _export(args[0], Path(args[1]), Path(args[2]))
    except _ExportFailed as exc:
        print(f"export-error: {exc}", file=sys.stderr)
        return 1
    except ModelError as exc:
        print(f"model-error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # anything torch.onnx or onnx raise: the parent falls back to torch
        print(f"export-error: {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
