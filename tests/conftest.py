"""Session-wide fixtures: the default embedding model, converted and loaded once."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from filelock import FileLock

from embeddings.model import DEFAULT_MODEL, MINILM, Embedder, TextEmbedder, materialize_default_model
from embeddings.onnx_model import OnnxEmbedder, exported_model

_MODEL_CACHE = pytest.StashKey[Path]()
_SHARED = pytest.StashKey[Path]()  # where the shipped indexes and the derived model files are shared
ROOT = Path(__file__).resolve().parent.parent


# The edit loop's settings (make test-fast sets them; CI's make test does not):
# RA_TEST_FAST_LOOP=1 shortens the tests that run for a fixed time or repeat a fault (the load
# tests, the killed builds), each still able to fail; RA_TEST_MODEL_STORE=DIR keeps the converted
# and exported models in DIR across runs (checked against their markers and checksums, prepared
# again when damaged) instead of preparing them in each run's fresh cache; what is built from them and the
# code (the shipped corpus's indexes, the derived model files) is kept there too, under a digest of that
# code (`_code_key`), so that a run reads only what the same code built.
# RA_TEST_DURATIONS=FILE records each test file's time in FILE at the end of a run, and the next
# run starts the files that took longest first: with --dist loadfile the two workers then end
# together, instead of one running a slow file (the load test) alone at the end.
FAST_LOOP = os.environ.get("RA_TEST_FAST_LOOP") == "1"
MODEL_STORE = os.environ.get("RA_TEST_MODEL_STORE", "")
DURATIONS = os.environ.get("RA_TEST_DURATIONS", "")
_file_seconds: dict[str, float] = defaultdict(float)  # this run's, by file


def pytest_report_header(config):
    shown = []
    if FAST_LOOP:
        shown.append("fast loop: the load tests and the killed builds are shortened (make test runs them in full)")
    if MODEL_STORE:
        shown.append(f"models kept in {MODEL_STORE}")
    if DURATIONS:
        shown.append(f"files run longest first, as timed in {DURATIONS}")
    return shown


def _file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _recorded_durations() -> dict[str, float]:
    try:
        recorded = json.loads(Path(DURATIONS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # the first run, or a damaged record: collection order
    return recorded if isinstance(recorded, dict) else {}


def pytest_configure(config):
    """With a record of durations, xdist keeps the collection's order (its default puts files with many tests first)."""
    if DURATIONS and hasattr(config.option, "loadscopereorder") and _recorded_durations():
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config, items):
    """With RA_TEST_DURATIONS, files in order of their last run's time, longest first (new files before all).

    Every worker reads the same record, so all collect the same order; a file's tests keep theirs.
    """
    if not DURATIONS:
        return
    recorded = _recorded_durations()
    files = list(dict.fromkeys(_file_of(item.nodeid) for item in items))
    # The files of one xdist unit (_unit_of) run together, ranked by the longest of them: by their sum, the
    # torch unit went first, beside the app tests, and starved the app's niced Assistant process as it built
    # its index (the first question waits at most 120 s for it).
    units: dict[str, float] = defaultdict(float)
    for name in files:
        units[_unit_of(name)] = max(units[_unit_of(name)], float(recorded.get(name, float("inf"))))
    rank = {name: (-units[_unit_of(name)], _unit_of(name), i) for i, name in enumerate(files)}
    items.sort(key=lambda item: rank[_file_of(item.nodeid)])


# The files that load the default model on torch (the `embedder` fixture, ~20 CPU-s and ~1 GB per process):
# under `--dist loadfile` they are one unit of work, so one xdist worker loads torch, not both.
TORCH_REFERENCE_FILES = frozenset(f"tests/embeddings/{name}.py" for name in ("test_model", "test_model_files", "test_onnx_model"))


def _unit_of(file: str) -> str:
    return "tests/embeddings/[torch reference]" if file in TORCH_REFERENCE_FILES else file


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, with the files of one `_unit_of` unit sent to the same worker."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class LoadFileUnitScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit_of(super()._split_scope(nodeid))

    return LoadFileUnitScheduling(config, log)


def pytest_runtest_logreport(report):
    """Add up each file's setup, call and teardown time (in the controller, from every worker's reports)."""
    if DURATIONS:
        _file_seconds[_file_of(report.nodeid)] += report.duration


def pytest_collection_finish(session):
    """Prepare the model cache before the first test when any test uses it (one per xdist worker).

    Converting and exporting the default model takes 20-90 s: inside a fixture it would count
    against the timeout of whichever test came first, and the CLI and app processes the tests
    start would otherwise export it within theirs.
    """
    if any("model_cache_dir" in getattr(item, "fixturenames", ()) for item in session.items):
        path = Path(tempfile.mkdtemp(prefix="ra-test-models-"))
        session.config.stash[_MODEL_CACHE] = path
        run_dir = session.config._tmp_path_factory.getbasetemp()
        if os.environ.get("PYTEST_XDIST_WORKER"):
            run_dir = run_dir.parent  # this run's, shared by its workers (each has a folder of its own inside)
        if MODEL_STORE:
            store = Path(MODEL_STORE).resolve()
            _link_stored_models(store, path)
            shared = session.config.stash[_SHARED] = _kept_for_this_code(store)
            _share_derived_files(path, shared)
        else:
            exported_model(DEFAULT_MODEL, path)
            session.config.stash[_SHARED] = run_dir
            if os.environ.get("PYTEST_XDIST_WORKER"):
                _share_derived_files(path, run_dir)


def _link_stored_models(store: Path, cache: Path) -> None:
    """Links in `cache` to the model folders in `store`, each prepared there first unless its marker and files match.

    Only those folders are linked: what is derived from them (intent vectors, the word index) is
    copied into `cache` from the store's folder for this code (`_share_derived_files`), so a run never
    reads what other code wrote. A folder a test finds damaged through its link is prepared again in
    `cache`; the store's copy heals at the next run's start.
    """
    kept = (exported_model(DEFAULT_MODEL, store), materialize_default_model(store), exported_model(MINILM, store))
    for folder in kept:
        (cache / folder.name).symlink_to(folder, target_is_directory=True)


# What an Assistant's first load derives from the models into their cache: the English-Chinese word index
# and each model's intent-example vectors (~16 CPU-s for the default model). Computed in a child process,
# so that nothing of it is loaded in the test process.
_DERIVE = """
import sys
from pathlib import Path
from assistant.core import IntentClassifier, dictionary  # as the Assistant's load has them
from embeddings.model import DEFAULT_MODEL, MINILM
from embeddings.onnx_model import OnnxEmbedder
cache = Path(sys.argv[1])
dictionary.load(cache)
for model in (DEFAULT_MODEL, MINILM):
    IntentClassifier.build(OnnxEmbedder(model, cache_dir=cache), cache_dir=cache)
"""


def _share_derived_files(cache: Path, shared_dir: Path) -> None:
    """What the product derives from the models is computed once per run (under xdist, not once per worker),
    or once per version of the code with RA_TEST_MODEL_STORE.

    The first worker computes it in its cache (as the product would at its first load) and leaves a copy
    in `shared_dir` (this run's, or `_kept_for_this_code`'s); the others copy it into theirs. A run never
    reads what other code wrote.
    """
    shared = shared_dir / "derived-model-files"
    with FileLock(f"{shared}.lock"):
        if _intact(shared, ".complete") is not True:
            shutil.rmtree(shared, ignore_errors=True)  # what a worker that failed left, or damaged files
            before = {p.name for p in cache.iterdir()}
            derived = subprocess.run([sys.executable, "-c", _DERIVE, str(cache)], cwd=ROOT, capture_output=True,
                                     text=True, timeout=600)
            if derived.returncode != 0:  # only a cost: each worker's first load computes what is missing
                print(f"tests/conftest.py: could not derive the model files ahead:\n{derived.stderr[-2000:]}",
                      file=sys.stderr)
                return  # nothing kept: the next worker or run tries again
            shared.mkdir(parents=True)
            for new in cache.iterdir():
                if new.name not in before and new.is_file():
                    shutil.copy2(new, shared / new.name)
            _mark_intact(shared, ".complete")
            return
    for path in shared.iterdir():
        if path.name != ".complete" and not (cache / path.name).exists():
            shutil.copy2(path, cache / path.name)


def _code_key(store: Path) -> str:
    """A digest of what the shipped indexes and the derived model files are made from: the source and data of
    assistant/, corpus/ and embeddings/, pyproject.toml, the Python version and installed distributions, and
    the stored models' markers (which hold their files' checksums). Any change to them makes another key."""
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(p for top in ("assistant", "corpus", "embeddings") for p in (ROOT / top).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(f"\0{path.relative_to(ROOT).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    # The installed distributions, named with their versions (not importlib.metadata's view: it follows sys.path,
    # which differs between a plain run and an xdist worker).
    installed = {Path(sysconfig.get_paths()[kind]) for kind in ("purelib", "platlib")}
    for distribution in sorted(p.name for folder in installed for p in folder.glob("*.dist-info")):
        digest.update(f"\0{distribution}".encode())
    for marker in sorted(store.glob("*/.complete")):
        if not marker.parent.name.startswith("built-"):
            digest.update(marker.read_bytes())
    return digest.hexdigest()[:16]


_STALE_AFTER_S = 3600  # another code's kept folder, unused this long, is no run's any more


def _kept_for_this_code(store: Path) -> Path:
    """The folder in `store` for what this code builds (`_code_key`); other codes' folders, unused for an hour, go.

    Building the shipped index (~20 CPU-s) and deriving the model files (~25 CPU-s) at every run's start
    held both workers up for half a minute; with the same code they give the same files.
    """
    kept = store / f"built-{_code_key(store)}"
    kept.mkdir(parents=True, exist_ok=True)
    os.utime(kept)  # in use: not stale for another run's prune
    for other in store.glob("built-*"):
        if other != kept and other.is_dir() and time.time() - other.stat().st_mtime > _STALE_AFTER_S:
            shutil.rmtree(other, ignore_errors=True)
    return kept


def _digests(folder: Path, marker: str) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file() and path.name != marker}


def _mark_intact(folder: Path, marker: str) -> None:
    """Write `marker` in `folder`, last: the checksums of every other file there."""
    (folder / marker).write_text(json.dumps(_digests(folder, marker), indent=1), encoding="utf-8")


def _intact(folder: Path, marker: str) -> bool | None:
    """True when `folder`'s files match its marker, None when it has none (unfinished), False when damaged."""
    try:
        recorded = json.loads((folder / marker).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return recorded == _digests(folder, marker)


def pytest_sessionfinish(session):
    path = session.config.stash.get(_MODEL_CACHE, None)
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)  # ~950 MB
    if DURATIONS and _file_seconds and not hasattr(session.config, "workerinput"):
        # Merged into the record: a run of a few files keeps the others' times.
        record = Path(DURATIONS)
        timed = _recorded_durations() | {name: round(seconds, 2) for name, seconds in _file_seconds.items()}
        record.parent.mkdir(parents=True, exist_ok=True)
        temporary = record.with_name(f"{record.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(timed, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, record)


@pytest.fixture(scope="session")
def fast_loop() -> bool:
    """True under `make test-fast` (RA_TEST_FAST_LOOP=1): fixed-length and repeated fault runs are shortened."""
    return FAST_LOOP


@pytest.fixture(scope="session")
def model_cache_dir(pytestconfig):
    """A fresh model cache, converted and exported (or linked to RA_TEST_MODEL_STORE): tests never depend on (or touch) ~/.cache."""
    return pytestconfig.stash[_MODEL_CACHE]


@pytest.fixture(scope="session")
def embedder(model_cache_dir) -> Embedder:
    """The default multilingual-e5-small on torch, loaded (~20 CPU-s): for the tests of the torch backend and
    the reference the ONNX export is checked against. Others use `onnx_embedder`, as the product does."""
    embedder = Embedder(cache_dir=model_cache_dir)
    embedder.load()
    return embedder


@pytest.fixture(scope="session")
def onnx_embedder(model_cache_dir) -> TextEmbedder:
    """The default multilingual-e5-small on onnxruntime, the backend the product serves with, loaded (~3 CPU-s)."""
    loaded = OnnxEmbedder(cache_dir=model_cache_dir)
    loaded.load()
    return loaded


class PassageRememberingEmbedder(OnnxEmbedder):
    """An OnnxEmbedder that runs the model once per passage text in this process and then hands back the
    vector it got: the tests that build, break and rebuild indexes embed the same corpus again and again
    (~7 CPU-s each time), and what they check is the index, not the model. Every call still goes through
    `embed_documents` as before (the counting wrappers see the same calls); queries are not remembered here
    (TextEmbedder already keeps recent ones). The tests of the model itself use `embedder`/`onnx_embedder`.

    With `kept` (a file in `_kept_for_this_code`'s folder, so only vectors of the same model files and code),
    the vectors are also read from and added to that file: the first build of each corpus in a run took
    ~8 CPU-s per worker (the shipped corpus's 114 passages, the killed builds' 314)."""

    def __init__(self, *args, kept: Path | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._passages: dict[str, np.ndarray] = _read_passages(kept) if kept else {}
        self._kept, self._computed = kept, 0
        self._passages_lock = threading.Lock()

    def _encode(self, texts: list[str], *, query: bool, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if query or not texts:
            return super()._encode(texts, query=query, batch_size=batch_size, progress=progress)
        with self._passages_lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._passages]
        if missing:
            vectors = super()._encode(missing, query=False, batch_size=batch_size, progress=progress)
            with self._passages_lock:
                self._passages.update((text, np.array(vector, dtype=np.float32)) for text, vector in zip(missing, vectors))
                self._computed += len(missing)
        with self._passages_lock:
            return np.stack([self._passages[t] for t in texts])

    def keep(self) -> None:
        """Add what this process computed to the `kept` file (merged with what other workers added meanwhile)."""
        if self._kept is None or not self._computed:
            return
        with FileLock(f"{self._kept}.lock"), self._passages_lock:
            passages = _read_passages(self._kept) | self._passages
            temporary = self._kept.with_name(f"{self._kept.stem}.{os.getpid()}.tmp.npz")
            np.savez(temporary, texts=np.array(list(passages)), vectors=np.stack(list(passages.values())))
            digest = self._kept.with_name(f"{self._kept.name}.sha256")
            digest.with_suffix(".tmp").write_text(hashlib.sha256(temporary.read_bytes()).hexdigest(), encoding="utf-8")
            os.replace(temporary, self._kept)
            os.replace(digest.with_suffix(".tmp"), digest)  # a crash before this leaves a file that does not match


def _read_passages(kept: Path) -> dict[str, np.ndarray]:
    """The vectors `PassageRememberingEmbedder.keep` wrote, by text; none when the file is absent or does not
    match its checksum."""
    try:
        data = kept.read_bytes()
        if hashlib.sha256(data).hexdigest() != kept.with_name(f"{kept.name}.sha256").read_text(encoding="utf-8"):
            return {}
    except OSError:
        return {}
    with np.load(kept) as saved:
        return dict(zip(saved["texts"].tolist(), saved["vectors"]))


@pytest.fixture(scope="session")
def minilm(pytestconfig, model_cache_dir) -> TextEmbedder:
    """The small English MiniLM on onnxruntime, loaded (~1 CPU-s; on torch, ~16): cheap indexes for the tests
    that build, break and rebuild them. Each passage is embedded once per process (PassageRememberingEmbedder),
    with RA_TEST_MODEL_STORE once per version of the code."""
    kept = pytestconfig.stash[_SHARED] / "minilm-passages.npz" if MODEL_STORE else None
    loaded = PassageRememberingEmbedder(MINILM, cache_dir=model_cache_dir, kept=kept)
    loaded.load()
    yield loaded
    loaded.keep()


@pytest.fixture(scope="session")
def shipped_index(pytestconfig, model_cache_dir):
    """`shipped_index(folder)` puts a copy of one built index of the shipped corpus in the data folder `folder`
    and returns it (`model=` another model's; the default model's otherwise). Each model's index is built once
    per run (with RA_TEST_MODEL_STORE, once per version of the code: `_code_key`), by the `index` command as a
    user would, by the first xdist worker that needs it (the others wait for it and copy it); a product started
    on the shipped corpus over a copy finds it current and embeds nothing, where building its own takes 10-20 s.
    Tests of building, healing or rebuilding an index build their own."""
    templates: dict[str, Path] = {}
    shared_dir = pytestconfig.stash[_SHARED]

    def template_of(model: str) -> Path:
        if model not in templates:
            folder = shared_dir / f"shipped-index-{re.sub(r'[^a-zA-Z0-9]+', '-', model)}"
            with FileLock(f"{folder}.lock"):
                if _intact(folder, "built") is not True:
                    shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed left, or damaged files
                    env = {k: v for k, v in os.environ.items() if not k.startswith("RA_")}  # the shipped corpus
                    env.update(RA_DATA_DIR=str(folder), RA_MODEL_CACHE=str(model_cache_dir), RA_EMBEDDING_MODEL=model)
                    built = subprocess.run([sys.executable, "-m", "assistant", "index"], cwd=ROOT, env=env,
                                           capture_output=True, text=True, timeout=900)
                    assert built.returncode == 0, built.stderr[-3000:]
                    _mark_intact(folder, "built")
            templates[model] = folder
        return templates[model]

    def copy_to(folder: Path, model: str = DEFAULT_MODEL) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copytree(template_of(model) / "chroma", folder / "chroma")
        return folder

    return copy_to


@pytest.fixture(scope="session")
def assistant(tmp_path_factory, onnx_embedder, model_cache_dir, shipped_index):
    """The product over the shipped corpus, with its own embedded index (a copy of `shipped_index`), loaded once,
    on the default backend (onnx)."""
    from assistant.core import Assistant
    from assistant.settings import Settings

    settings = replace(Settings(), data_dir=shipped_index(tmp_path_factory.mktemp("assistant-data")), model_cache=model_cache_dir)
    built = Assistant(settings, embedder=onnx_embedder)
    built.load()
    return built
