"""The clause index in Chroma: one collection per (corpus, embedding model).

This is the only module that imports chromadb. The index stores vectors and a
content hash per clause id; the clause records themselves always come from the
parsed corpus, so a stale or foreign vector can never be cited.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import struct
import threading
import time
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import urlparse

import numpy as np

from corpus.clause import Clause
from corpus.errors import AssistantError, IndexStateError
from embeddings.options import CHROMA_URL_EXAMPLE, url_complaint

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

SCHEMA_VERSION = "2"  # 2: one entry per clause and language, "language" in the metadata
_BATCH = 64
_SERVER_TIMEOUT_S = 5.0
_CONNECT_PROBE_S = 1.0  # a server that is down is reported within this, before any model loads
_log = logging.getLogger(__name__)


def passage_text(clause: Clause) -> str:
    """What is embedded for a clause: its section heading, English local label and text.

    The actor of an operative clause is named only in its heading, and the English
    label ("resolves to instruct TSAG", "recalling b)") gives English questions an
    anchor in a Chinese clause (dev set: English recall@1 0.61 -> 0.70).
    """
    local = _local_label(clause.labels.get("en", "")) if clause.labels else ""
    head = " ".join(part for part in (clause.heading, f"({local})" if local else "") if part)
    return f"{head}：{clause.text}" if head else clause.text


VERSION_MARK = "@"  # an English version of clause X is stored as "X@en"
GIST_PREFIX = "gist-"  # its English gists (corpus.gists) as "X@gist-en", language "gist-en"


def index_entries(clauses: Sequence[Clause]) -> list[Clause]:
    """What is indexed: each clause, each of its language versions and its gists in each language
    as an entry of its own.

    A version entry has the id "<clause id>@<language>", that language, and its section named in
    that language as its heading, so an English question meets English text in the same
    collection (the "language" metadata tells the entries apart).
    """
    entries: list[Clause] = []
    for clause in clauses:
        entries.append(clause)
        for language, version in sorted(clause.versions.items()):
            local = _local_label(clause.labels.get(language, ""))
            entries.append(
                replace(
                    clause, id=f"{clause.id}{VERSION_MARK}{language}", text=version["text"], language=language,
                    heading=local, labels={}, versions={},
                )
            )
        for language, gists in sorted(clause.gists.items()):
            # The clause's plain-language descriptions, together, as "<clause id>@gist-<language>".
            entries.append(
                replace(
                    clause, id=f"{clause.id}{VERSION_MARK}{GIST_PREFIX}{language}", text=" ".join(gists),
                    language=f"{GIST_PREFIX}{language}", heading="", labels={}, versions={}, gists={},
                )
            )
    return entries


def _local_label(label: str) -> str:
    """ "Resolution 106 (New Delhi, 2024), resolves 4" -> "resolves 4" (the document part dropped)."""
    document, sep, local = label.partition("), ")
    return local if sep else label


@dataclass(frozen=True)
class SyncReport:
    """What `ClauseIndex.sync` did."""

    model: str
    added: int
    updated: int
    removed: int
    total: int
    seconds: float
    action: str  # "unchanged", "updated", "rebuilt", "completed" (an interrupted build finished)
    notice: str = ""  # one line when a damaged store was moved aside and rebuilt

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DenseHit:
    """A clause id and its cosine similarity to the query (whichever of its language entries matched)."""

    clause_id: str
    similarity: float
    version: str = ""  # the language of the version entry that matched ("en"), "" for the original

    @classmethod
    def of_entry(cls, entry_id: str, similarity: float) -> DenseHit:
        """The hit of an index entry: "X@en", the English entry of clause X, is a hit of X."""
        clause_id, _, version = entry_id.partition(VERSION_MARK)
        return cls(clause_id, similarity, version)


def collection_name(model_id: str, corpus_name: str) -> str:
    """A Chroma-valid collection name for (corpus, model), readable and unique."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", model_id).strip("-._")[-40:] or "model"
    digest = hashlib.sha1(f"{corpus_name}\0{model_id}".encode()).hexdigest()[:10]
    corpus_slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", corpus_name).strip("-._")[:40] or "corpus"
    return f"clauses-{corpus_slug}-{slug}-{digest}"


def _content_hash(text: str, model_id: str) -> str:
    """What a stored entry was made from: its text, the model and the layout of its metadata."""
    return hashlib.sha256(f"{SCHEMA_VERSION}\0{model_id}\0{text}".encode()).hexdigest()[:32]


def _fingerprint(hashes: dict[str, str]) -> str:
    joined = "\n".join(f"{cid}\t{h}" for cid, h in sorted(hashes.items()))
    return hashlib.sha256(joined.encode()).hexdigest()[:32]


def _discard_cached_store(path: Path) -> None:
    """Forget the store Chroma cached for `path` although opening it failed.

    Chroma caches one store per folder per process before starting it and keeps it when the
    start fails, so every later open, even after the folder is rebuilt, would reuse the
    broken one.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    getattr(SharedSystemClient, "_identifier_to_system", {}).pop(str(path), None)


def _is_panic(exc: BaseException) -> bool:
    """Whether `exc` is a panic of Chroma's Rust core: pyo3_runtime.PanicException, a BaseException."""
    kind = type(exc)
    return kind.__name__ == "PanicException" and kind.__module__ == "pyo3_runtime"


class _StoreFailure(Exception):
    """Chroma could not open or read the store; `cause` is what it raised, `reason` says it in a few words."""

    def __init__(self, cause: BaseException, reason: str = ""):
        self.cause = cause
        self.reason = reason or type(cause).__name__
        super().__init__(self.reason)


@contextmanager
def _chroma_calls():
    """Chroma's failures, Rust panics included, as _StoreFailure.

    A panic is matched by type name rather than by catching BaseException, so that
    KeyboardInterrupt and SystemExit still stop the program.
    """
    try:
        yield
    except (AssistantError, _StoreFailure):
        raise
    except Exception as exc:
        raise _StoreFailure(exc) from None
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        raise _StoreFailure(exc) from None


def _integrity_problem(store_file: Path) -> str:
    """SQLite's quick check of the store file: "" when it is sound (or cannot be checked), else the complaint.

    Run before Chroma opens the file: on a malformed page Chroma's Rust core panics and
    prints its own backtrace, and may only meet the damage later, in the middle of a query.
    """
    import sqlite3

    if not store_file.is_file():
        return ""
    try:
        with closing(sqlite3.connect(f"{store_file.absolute().as_uri()}?mode=ro", uri=True)) as db:
            rows = db.execute("PRAGMA quick_check(1)").fetchall()
    except sqlite3.OperationalError:
        return ""  # locked or unreadable, not shown to be damaged: Chroma's own open decides
    except sqlite3.DatabaseError as exc:
        return f"SQLite check: {exc}"
    verdict = rows[0][0] if rows else "no result"
    return "" if verdict == "ok" else f"SQLite check: {verdict.splitlines()[-1]}"


# header.bin of a persisted HNSW segment (Chroma's hnswlib): a format version, then hnswlib's header.
_HNSW_HEADER = np.dtype(
    [
        ("version", "<u4"), ("offset_level0", "<u8"), ("max_elements", "<u8"), ("count", "<u8"),
        ("record_size", "<u8"), ("label_offset", "<u8"), ("offset_data", "<u8"), ("max_level", "<i4"),
        ("entry_point", "<u4"), ("max_m", "<u8"), ("max_m0", "<u8"), ("m", "<u8"), ("mult", "<f8"), ("ef", "<u8"),
    ]
)  # fmt: skip


def _neighbour_lists_problem(blocks: np.ndarray, width: int, count: int) -> bool:
    """Whether any hnswlib neighbour list (uint16 length, then `width` uint32 ids) is out of bounds."""
    if not len(blocks):
        return False
    lengths = blocks[:, :2].copy().view("<u2")[:, 0]
    ids = blocks[:, 4 : 4 + 4 * width].copy().view("<u4")
    used = np.arange(width)[None, :] < np.minimum(lengths, width)[:, None]
    return bool((lengths > width).any() or (ids[used] >= count).any())


def _hnsw_problem(segment: Path) -> str:
    """"" when a persisted HNSW segment's graph is consistent, else what is wrong with it.

    Chroma's hnswlib follows neighbour ids without bounds checks, so a graph with random
    bytes in it crashes the whole process (SIGSEGV) instead of raising; the ids are checked
    here, vectorized, before Chroma loads them (about 1 ms per MB).
    """
    files = {name: segment / name for name in ("header.bin", "data_level0.bin", "link_lists.bin")}
    if not files["header.bin"].is_file():
        return ""
    raw = files["header.bin"].read_bytes()
    if len(raw) != _HNSW_HEADER.itemsize or not all(f.is_file() for f in files.values()):
        return f"{segment.name}: incomplete HNSW files"
    head = np.frombuffer(raw, dtype=_HNSW_HEADER)[0]
    count, size, max_m0, max_m = (int(head[k]) for k in ("count", "record_size", "max_m0", "max_m"))
    level0 = np.fromfile(files["data_level0.bin"], dtype=np.uint8)
    if (
        head["offset_level0"] != 0
        or not 0 < max_m <= max_m0 <= 4096
        or int(head["offset_data"]) != 4 + 4 * max_m0
        or not int(head["offset_data"]) < int(head["label_offset"]) < size
        or count > int(head["max_elements"])
        or len(level0) < count * size
        or (count and not 0 <= int(head["entry_point"]) < count)
    ):
        return f"{segment.name}: inconsistent HNSW header"
    if _neighbour_lists_problem(level0[: count * size].reshape(count, size), max_m0, count):
        return f"{segment.name}: HNSW neighbour ids out of range"
    upper = _upper_levels(files["link_lists.bin"].read_bytes(), count, max_m, int(head["max_level"]))
    if _neighbour_lists_problem(upper, max_m, count):
        return f"{segment.name}: HNSW upper levels damaged"
    return ""


def _upper_levels(raw: bytes, count: int, max_m: int, max_level: int) -> np.ndarray:
    """The upper-level neighbour lists of link_lists.bin (per element: a uint32 byte size, then lists).

    A size that does not fit the file comes back as one list whose length is out of range.
    """
    block, offset, blocks = 4 + 4 * max_m, 0, []
    broken = np.full((1, block), 255, dtype=np.uint8)
    for _ in range(count):
        if offset + 4 > len(raw):
            return broken
        (size,) = struct.unpack_from("<I", raw, offset)
        if size % block or size > block * max(max_level, 0) or offset + 4 + size > len(raw):
            return broken
        if size:
            blocks.append(np.frombuffer(raw, np.uint8, size, offset + 4).reshape(-1, block))
        offset += 4 + size
    if offset != len(raw):
        return broken
    return np.concatenate(blocks) if blocks else np.zeros((0, block), dtype=np.uint8)


def _sound_store_problem(exc: BaseException) -> str:
    """What stopped a store that is not damaged (another process writing it, a full disk), or ""."""
    text = str(exc).lower()
    if "database is locked" in text or "database is busy" in text:
        return "is busy: another process is writing it; try again shortly"
    if "disk is full" in text or "no space left" in text:
        return "cannot grow: the disk is full; free some space or set RA_DATA_DIR to another disk"
    return ""


def _is_unreachable(exc: BaseException) -> bool:
    """Whether a server-mode failure means no server answered (rather than a server that failed)."""
    import httpx

    if isinstance(exc, (httpx.TransportError, ConnectionError, TimeoutError)):
        return True
    return isinstance(exc, ValueError) and "connect" in str(exc).lower()  # chromadb's own "Could not connect"


class ClauseIndex:
    """Clause vectors in Chroma, embedded (default) or on a `chroma run` server.

    The index is derived data: an embedded store that cannot be opened or read is moved
    aside (never deleted) and rebuilt from the corpus, and `notice` says so in one line.

    >>> index = ClauseIndex(embedder, data_dir=Path(".data"))
    >>> index.sync(clauses).added
    28
    >>> index.search(embedder.embed_query("What is TSAG asked to do?"), k=5)[0].clause_id
    'wtsa-res106-2024/resolves-to-instruct-tsag/1'
    """

    def __init__(
        self,
        embedder,
        *,
        data_dir: Path,
        chroma_url: str = "",
        corpus_name: str = "default",
        text_of: Callable[[Clause], str] = passage_text,
    ):
        self.embedder = embedder
        self.data_dir = Path(data_dir)
        self.chroma_url = chroma_url
        self.corpus_name = corpus_name
        self.text_of = text_of
        self.notice = ""  # the last self-heal, in one line, for the caller to show
        self._client = None
        self._collection = None
        self._counted: tuple[object, int] | None = None  # (collection, its count): count() is slow at 100k
        self._synced: tuple[Clause, ...] | None = None  # what to rebuild from when the store fails under us
        self._lock = threading.RLock()

    @property
    def location(self) -> str:
        """Where the index lives, for status displays."""
        return f"Chroma server {self.chroma_url}" if self.chroma_url else f"embedded Chroma in {self._store_dir}"

    @property
    def name(self) -> str:
        return collection_name(self.embedder.model_id, self.corpus_name)

    @property
    def _store_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def _store_file(self) -> Path:
        return self._store_dir / "chroma.sqlite3"

    def check_server(self) -> None:
        """In server mode, connect now: a server that is down is reported within a second.

        Call it before anything slow (loading the model), so the user does not wait for it
        only to learn that the server is not running. Embedded stores need no check.
        """
        if self.chroma_url:
            with self._lock:
                self._client = self._client or self._connect()

    def _connect(self):
        if self.chroma_url:
            return self._connect_server()
        import chromadb

        settings = chromadb.Settings(anonymized_telemetry=False, allow_reset=False)
        try:
            self._store_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IndexStateError(self._read_only_remedy(exc.strerror or str(exc))) from None
        damage = _integrity_problem(self._store_file) or next(
            filter(None, (_hnsw_problem(d) for d in sorted(self._store_dir.iterdir()) if d.is_dir())), ""
        )
        if damage:
            raise _StoreFailure(ValueError(damage), damage)
        try:
            with _chroma_calls():
                return chromadb.PersistentClient(path=str(self._store_dir), settings=settings)
        except _StoreFailure:
            _discard_cached_store(self._store_dir)
            raise

    def _connect_server(self):
        """An HttpClient, once a plain TCP connect with a short timeout has found the server.

        The probe comes before importing chromadb and httpx, which take seconds on a busy
        machine, so a server that is down is reported at once.
        """
        complaint = url_complaint("RA_CHROMA_URL", self.chroma_url, CHROMA_URL_EXAMPLE)
        if complaint:
            raise IndexStateError(complaint)
        url = urlparse(self.chroma_url)
        port = url.port or (443 if url.scheme == "https" else 8000)
        try:
            socket.create_connection((url.hostname, port), timeout=_CONNECT_PROBE_S).close()
        except OSError as exc:
            raise IndexStateError(self._unreachable(exc)) from None
        import chromadb

        settings = chromadb.Settings(anonymized_telemetry=False, allow_reset=False)
        try:
            client = chromadb.HttpClient(host=url.hostname, port=port, ssl=url.scheme == "https", settings=settings)
        except Exception as exc:
            raise IndexStateError(self._unreachable(exc)) from None
        self._bound_timeout(client)
        return client

    @staticmethod
    def _bound_timeout(client) -> None:
        """Chroma's HTTP client waits forever by default; a hung server must fail fast instead."""
        import httpx

        session = getattr(getattr(client, "_server", None), "_session", None)
        if isinstance(session, httpx.Client):
            session.timeout = httpx.Timeout(_SERVER_TIMEOUT_S)

    def _unreachable(self, exc: BaseException) -> str:
        return (
            f"The Chroma server at {self.chroma_url} is not reachable ({type(exc).__name__}); "
            "start it with `chroma run --host 127.0.0.1 --port PORT --path DIR` or unset RA_CHROMA_URL"
        )

    def _read_only_remedy(self, reason: str = "") -> str:
        because = f" ({reason})" if reason else ""
        return (
            f"The index folder {self._store_dir} is not writable{because}; make it writable "
            f"(chmod -R u+w {self.data_dir}) or set RA_DATA_DIR to a writable folder"
        )

    def _read_only(self, failure: _StoreFailure) -> bool:
        """Whether the store failed because it cannot be written, which rebuilding would not fix."""
        if "readonly" in str(failure.cause).replace("-", "").replace(" ", "").lower():
            return True
        return any(p.exists() and not os.access(p, os.W_OK) for p in (self.data_dir, self._store_dir, self._store_file))

    def _problem(self, failure: _StoreFailure) -> IndexStateError:
        """What to tell the user about a store that failed and was not healed."""
        self._forget()
        cause = failure.cause
        if self.chroma_url:
            if _is_unreachable(cause):
                return IndexStateError(self._unreachable(cause))
            return IndexStateError(
                f"The Chroma server at {self.chroma_url} failed to read its store ({failure.reason}); "
                "it may be damaged: repair or rebuild it on the server, then run `resolution-assistant index`"
            )
        if self._read_only(failure):
            return IndexStateError(self._read_only_remedy())
        if _sound_store_problem(cause):
            return IndexStateError(f"The index in {self._store_dir} {_sound_store_problem(cause)}")
        return IndexStateError(
            f"The index in {self._store_dir} is damaged ({failure.reason}); "
            "run `resolution-assistant index --rebuild` to move it aside and rebuild it"
        )

    def _set_aside(self, failure: _StoreFailure) -> Path:
        """Move the damaged embedded store to a timestamped sibling folder; its path.

        Raises the user-facing error instead when moving would not help (a server's store,
        a read-only folder) or is impossible.
        """
        problem = self._problem(failure)  # also drops the handles
        if self.chroma_url or self._read_only(failure) or _sound_store_problem(failure.cause):
            raise problem
        _discard_cached_store(self._store_dir)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self._store_dir.with_name(f"chroma.damaged-{stamp}")
        number = 1
        while aside.exists():
            number += 1
            aside = self._store_dir.with_name(f"chroma.damaged-{stamp}-{number}")
        try:
            self._store_dir.rename(aside)
        except OSError as exc:
            raise IndexStateError(
                f"The index in {self._store_dir} is damaged ({failure.reason}) and could not be moved aside "
                f"({exc.strerror or exc}); move it away by hand, then run `resolution-assistant index`"
            ) from None
        return aside

    def _healed(self, failure: _StoreFailure, aside: Path) -> str:
        """Record and log the one-line notice of a store moved aside and rebuilt."""
        self.notice = (
            f"The index in {self._store_dir} was damaged ({failure.reason}); "
            f"it was moved to {aside} and rebuilt from the corpus."
        )
        _log.warning(self.notice)
        return self.notice

    def _forget(self) -> None:
        """Drop the handles and close the client.

        Chroma shares one open store per folder within a process; unless it is released, a
        store deleted or damaged on disk keeps being served (or failing) from memory, and
        even a rebuild would reuse it.
        """
        client, self._client, self._collection, self._counted = self._client, None, None, None
        if client is not None:
            try:
                with _chroma_calls():
                    client.close()
            except _StoreFailure:  # a broken store may fail to close as well; the handle is gone either way
                pass

    def _open(self, *, create: bool):
        if self._collection is not None and not self.chroma_url and not self._store_file.is_file():
            self._forget()  # the folder was deleted under us: start over from what is on disk
        if self._collection is not None:
            return self._collection
        self._client = self._client or self._connect()
        try:
            with _chroma_calls():
                if create:
                    self._collection = self._client.get_or_create_collection(
                        self.name,
                        configuration={"hnsw": {"space": "cosine"}},
                        metadata=self._base_metadata(),
                        embedding_function=None,
                    )
                else:
                    self._collection = self._client.get_collection(self.name, embedding_function=None)
        except _StoreFailure as failure:
            if not create and type(failure.cause).__name__ in ("NotFoundError", "InvalidCollectionException", "ValueError"):
                self._collection = None
                raise IndexStateError(
                    f"No index for model {self.embedder.model_id} yet; run `resolution-assistant index` to build it"
                ) from None
            raise
        return self._collection

    def _base_metadata(self) -> dict:
        return {
            "schema": SCHEMA_VERSION,
            "model": self.embedder.model_id,
            "dimension": int(self.embedder.dimension),
            "corpus": self.corpus_name,
            "complete": False,
            "fingerprint": "",
        }

    def status(self) -> dict:
        """Model, dimension, count and completeness of the stored index (no embedding)."""
        with self._lock:
            try:
                col = self._open(create=False)
                with _chroma_calls():
                    meta = dict(col.metadata or {})
                    return {"exists": True, "count": col.count(), "location": self.location, **meta}
            except _StoreFailure as failure:
                problem = self._problem(failure)
                return {"exists": False, "count": 0, "location": self.location, "problem": str(problem)}
            except IndexStateError as exc:
                return {"exists": False, "count": 0, "location": self.location, "problem": str(exc)}

    def sync(self, clauses: Sequence[Clause], *, rebuild: bool = False, progress: bool = False) -> SyncReport:
        """Make the index hold exactly these clauses: embed only what is new or changed.

        The collection is marked incomplete before any write and complete after the
        last one, so a build killed half-way is detected and finished next time. An
        embedded store that cannot be opened or read is moved aside and rebuilt.
        """
        started = time.perf_counter()
        entries = index_entries(clauses)
        with self._lock:
            wanted = {c.id: c for c in entries}
            if len(wanted) != len(entries):
                raise IndexStateError("Two clauses share an id; the corpus must be fixed before indexing")
            try:
                report = self._sync(wanted, rebuild=rebuild, progress=progress)
            except _StoreFailure as failure:
                aside = self._set_aside(failure)
                try:
                    report = self._sync(wanted, rebuild=False, progress=progress)
                except _StoreFailure as again:
                    raise self._problem(again) from None
                report = replace(report, action="rebuilt", notice=self._healed(failure, aside))
            self._synced = tuple(clauses)
        return replace(report, seconds=time.perf_counter() - started)

    def _sync(self, wanted: dict[str, Clause], *, rebuild: bool, progress: bool) -> SyncReport:
        texts = {cid: self.text_of(c) for cid, c in wanted.items()}
        hashes = {cid: _content_hash(t, self.embedder.model_id) for cid, t in texts.items()}
        fingerprint = _fingerprint(hashes)
        if not rebuild and self._holds(fingerprint, len(wanted)):
            # Checked before anything touches the model: a no-op re-index loads no weights.
            return SyncReport(self.embedder.model_id, 0, 0, 0, len(wanted), 0.0, "unchanged")
        # The store first: a folder that cannot be written is reported before a model is prepared.
        if rebuild:
            self._drop()
        col = self._open(create=True)
        dimension = int(self.embedder.dimension)  # may load the model: read outside the store's guard
        with _chroma_calls():
            meta = dict(col.metadata or {})
            was_complete = bool(meta.get("complete")) and not rebuild
            stored_dimension = int(meta.get("dimension", dimension))
            if meta.get("model") not in (None, self.embedder.model_id) or stored_dimension != dimension:
                raise IndexStateError(f"Collection {self.name} holds vectors of another model; rebuild it")
            if was_complete and meta.get("fingerprint") == fingerprint and col.count() == len(wanted):
                return SyncReport(self.embedder.model_id, 0, 0, 0, len(wanted), 0.0, "unchanged")
            stored = self._stored_hashes(col)
            stale = sorted(set(stored) - set(wanted))
            new = [cid for cid in wanted if cid not in stored]
            changed = [cid for cid in wanted if cid in stored and stored[cid] != hashes[cid]]
            col.modify(metadata={**meta, **self._base_metadata(), "complete": False, "fingerprint": ""})
            if stale:
                col.delete(ids=stale)
        self._embed_and_store(col, new + changed, wanted, texts, hashes, progress=progress)
        with _chroma_calls():
            col.modify(metadata={**self._base_metadata(), "complete": True, "fingerprint": fingerprint})
        self._counted = None
        if rebuild:
            action = "rebuilt"
        elif not was_complete and stored:
            action = "completed"
        else:
            action = "updated"
        return SyncReport(self.embedder.model_id, len(new), len(changed), len(stale), len(wanted), 0.0, action)

    def _holds(self, fingerprint: str, count: int) -> bool:
        """Whether a complete collection of exactly these clauses, by this model, is already stored."""
        try:
            col = self._open(create=False)
        except IndexStateError:
            if self._client is None:
                raise  # no store to ask at all (a server that is down, a folder that cannot be made)
            return False
        with _chroma_calls():
            meta = col.metadata or {}
            holds = (
                bool(meta.get("complete"))
                and meta.get("fingerprint") == fingerprint
                and meta.get("model") == self.embedder.model_id
                and col.count() == count
            )
            if holds and count:
                # One nearest neighbour reads the vector segment, which the checks above never
                # touch: a damaged one is found here, and healed, rather than at the first question.
                col.query(query_embeddings=[np.ones(int(meta["dimension"]), dtype=np.float32)], n_results=1, include=[])
            return holds

    def _stored_hashes(self, col) -> dict[str, str]:
        got = col.get(include=["metadatas"])
        return {cid: (meta or {}).get("hash", "") for cid, meta in zip(got["ids"], got["metadatas"])}

    def _embed_and_store(self, col, ids, wanted, texts, hashes, *, progress: bool) -> None:
        if not ids:
            return
        bar = None
        if progress and len(ids) > 48:
            from tqdm import tqdm

            bar = tqdm(total=len(ids), desc="Embedding clauses", unit="clause")
        try:
            for start in range(0, len(ids), _BATCH):
                batch = ids[start : start + _BATCH]
                vectors = self.embedder.embed_documents([texts[cid] for cid in batch])  # its errors are not the store's
                with _chroma_calls():
                    col.upsert(
                        ids=batch,
                        embeddings=np.asarray(vectors, dtype=np.float32),
                        metadatas=[self._item_metadata(wanted[cid], hashes[cid]) for cid in batch],
                    )
                if bar is not None:
                    bar.update(len(batch))
        finally:
            if bar is not None:
                bar.close()

    @staticmethod
    def _item_metadata(clause: Clause, content_hash: str) -> dict:
        return {
            "hash": content_hash,
            "document": clause.document,
            "language": clause.language,
            "section": clause.section,
            "kind": clause.kind,
            "actor": clause.actor,
            "order": clause.order,
        }

    def _drop(self) -> None:
        """Delete this collection; a store that cannot even list its collections fails as _StoreFailure."""
        self._collection = None
        self._client = self._client or self._connect()
        with _chroma_calls():
            names = {getattr(c, "name", c) for c in self._client.list_collections()}
            if self.name in names:
                self._client.delete_collection(self.name)

    def search(self, query_vector: np.ndarray, *, k: int = 20, where: dict | None = None) -> list[DenseHit]:
        """The k clauses nearest to the query vector, most similar first.

        When the embedded store fails or disappears under an index that was synced in this
        process, it is rebuilt from those clauses and the search is run again.
        """
        return self.search_each([query_vector], k=k, where=where)[0]

    def search_each(self, query_vectors: Sequence[np.ndarray], *, k: int = 20, where: dict | None = None) -> list[list[DenseHit]]:
        """`search` for several query vectors in one call to the store (one filter for all)."""
        with self._lock:
            if self._synced is not None and not self.chroma_url and not self._store_file.is_file():
                self._forget()
                self.sync(self._synced)
                self.notice = f"The index in {self._store_dir} had been deleted; it was rebuilt from the corpus."
                _log.warning(self.notice)
            try:
                return self._search(query_vectors, k=k, where=where)
            except _StoreFailure as failure:
                if self._synced is None or self.chroma_url:
                    raise self._problem(failure) from None
                aside = self._set_aside(failure)
                try:
                    self._sync({c.id: c for c in index_entries(self._synced)}, rebuild=False, progress=False)
                    self._healed(failure, aside)
                    return self._search(query_vectors, k=k, where=where)
                except _StoreFailure as again:
                    raise self._problem(again) from None

    def _count(self, col) -> int:
        if self._counted is None or self._counted[0] is not col:
            self._counted = (col, col.count())
        return self._counted[1]

    def _search(self, query_vectors: Sequence[np.ndarray], *, k: int, where: dict | None) -> list[list[DenseHit]]:
        col = self._open(create=False)
        with _chroma_calls():
            if not (col.metadata or {}).get("complete"):
                raise IndexStateError("The index build did not finish; run `resolution-assistant index` to complete it")
            n = min(k, self._count(col))
            if n == 0:
                return [[] for _ in query_vectors]
            result = col.query(
                query_embeddings=[np.asarray(v, dtype=np.float32) for v in query_vectors],
                n_results=n,
                where=where,
                include=["distances"],
            )
        return [
            [DenseHit.of_entry(cid, 1.0 - float(d)) for cid, d in zip(ids, distances)]
            for ids, distances in zip(result["ids"], result["distances"])
        ]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by id (for tests and baselines)."""
        with self._lock:
            try:
                col = self._open(create=False)
                with _chroma_calls():
                    got = col.get(ids=list(ids), include=["embeddings"])
            except _StoreFailure as failure:
                raise self._problem(failure) from None
        return {cid: np.asarray(v, dtype=np.float32) for cid, v in zip(got["ids"], got["embeddings"])}
