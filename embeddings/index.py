"""The clause index in Chroma: one collection per (corpus, embedding model).

This is the only module that imports chromadb. The index stores vectors and a
content hash per clause id; the clause records themselves always come from the
parsed corpus, so a stale or foreign vector can never be cited.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import urlparse

import numpy as np

from corpus.clause import Clause
from corpus.errors import IndexStateError

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

SCHEMA_VERSION = "1"
_BATCH = 64
_SERVER_TIMEOUT_S = 5.0


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


def index_entries(clauses: Sequence[Clause]) -> list[Clause]:
    """What is indexed: each clause, and each of its language versions as an entry of its own.

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

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DenseHit:
    """A clause id, its cosine similarity to the query, and the language of the text that matched."""

    clause_id: str
    similarity: float
    language: str = ""

    @classmethod
    def of_entry(cls, entry_id: str, similarity: float, language: str = "") -> DenseHit:
        clause_id, _, version = entry_id.partition(VERSION_MARK)
        return cls(clause_id, similarity, version or language)


def collection_name(model_id: str, corpus_name: str) -> str:
    """A Chroma-valid collection name for (corpus, model), readable and unique."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", model_id).strip("-._")[-40:] or "model"
    digest = hashlib.sha1(f"{corpus_name}\0{model_id}".encode()).hexdigest()[:10]
    corpus_slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", corpus_name).strip("-._")[:40] or "corpus"
    return f"clauses-{corpus_slug}-{slug}-{digest}"


def _content_hash(text: str, model_id: str) -> str:
    return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()[:32]


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


class ClauseIndex:
    """Clause vectors in Chroma, embedded (default) or on a `chroma run` server.

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
        self._client = None
        self._collection = None
        self._counted: tuple[object, int] | None = None  # (collection, its count): count() is slow at 100k
        self._lock = threading.RLock()

    @property
    def location(self) -> str:
        """Where the index lives, for status displays."""
        return f"Chroma server {self.chroma_url}" if self.chroma_url else f"embedded Chroma in {self.data_dir / 'chroma'}"

    @property
    def name(self) -> str:
        return collection_name(self.embedder.model_id, self.corpus_name)

    def _connect(self):
        import chromadb

        settings = chromadb.Settings(anonymized_telemetry=False, allow_reset=False)
        if self.chroma_url:
            url = urlparse(self.chroma_url)
            if url.scheme not in ("http", "https") or not url.hostname:
                raise IndexStateError(f"RA_CHROMA_URL={self.chroma_url!r} is not a URL like http://127.0.0.1:8000")
            try:
                client = chromadb.HttpClient(
                    host=url.hostname,
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=settings,
                )
            except Exception as exc:
                raise IndexStateError(self._unreachable(exc)) from None
            self._bound_timeout(client)
            return client
        path = self.data_dir / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        try:
            return chromadb.PersistentClient(path=str(path), settings=settings)
        except Exception as exc:
            _discard_cached_store(path)
            raise IndexStateError(
                f"The index in {path} cannot be opened ({type(exc).__name__}: {exc}); "
                "run `resolution-assistant index --rebuild` to rebuild it"
            ) from None

    @staticmethod
    def _bound_timeout(client) -> None:
        """Chroma's HTTP client waits forever by default; a hung server must fail fast instead."""
        import httpx

        session = getattr(getattr(client, "_server", None), "_session", None)
        if isinstance(session, httpx.Client):
            session.timeout = httpx.Timeout(_SERVER_TIMEOUT_S)

    def _unreachable(self, exc: Exception) -> str:
        return (
            f"The Chroma server at {self.chroma_url} is not reachable ({type(exc).__name__}); "
            "start it with `chroma run --host 127.0.0.1 --port PORT --path DIR` or unset RA_CHROMA_URL"
        )

    def _fail(self, exc: Exception) -> IndexStateError:
        """Turn a Chroma failure into a message that says how to recover, and forget the handle."""
        self._forget()
        if isinstance(exc, IndexStateError):
            return exc
        if self.chroma_url:
            return IndexStateError(self._unreachable(exc))
        if not self._store_file.is_file():
            return IndexStateError(
                f"The index in {self.data_dir / 'chroma'} is missing; run `resolution-assistant index` to build it"
            )
        return IndexStateError(
            f"The index in {self.data_dir / 'chroma'} is damaged ({type(exc).__name__}); "
            "run `resolution-assistant index --rebuild` to rebuild it"
        )

    @property
    def _store_file(self) -> Path:
        return self.data_dir / "chroma" / "chroma.sqlite3"

    def _forget(self) -> None:
        """Drop the handles and close the client.

        Chroma shares one open store per folder within a process; unless it is released, a
        store deleted or damaged on disk keeps being served (or failing) from memory, and
        even a rebuild would reuse it.
        """
        client, self._client, self._collection = self._client, None, None
        if client is not None:
            try:
                client.close()
            except Exception:  # a broken store may fail to close as well; the handle is gone either way
                pass

    def _open(self, *, create: bool):
        if self._collection is not None and not self.chroma_url and not self._store_file.is_file():
            self._forget()  # the folder was deleted under us: start over from what is on disk
        if self._collection is not None:
            return self._collection
        self._client = self._client or self._connect()
        try:
            if create:
                self._collection = self._client.get_or_create_collection(
                    self.name,
                    configuration={"hnsw": {"space": "cosine"}},
                    metadata=self._base_metadata(),
                    embedding_function=None,
                )
            else:
                self._collection = self._client.get_collection(self.name, embedding_function=None)
        except Exception as exc:
            if not create and type(exc).__name__ in ("NotFoundError", "InvalidCollectionException", "ValueError"):
                self._collection = None
                raise IndexStateError(
                    f"No index for model {self.embedder.model_id} yet; run `resolution-assistant index` to build it"
                ) from None
            raise self._fail(exc) from None
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
                meta = dict(col.metadata or {})
                return {"exists": True, "count": col.count(), "location": self.location, **meta}
            except IndexStateError as exc:
                return {"exists": False, "count": 0, "location": self.location, "problem": str(exc)}

    def sync(self, clauses: Sequence[Clause], *, rebuild: bool = False, progress: bool = False) -> SyncReport:
        """Make the index hold exactly these clauses: embed only what is new or changed.

        The collection is marked incomplete before any write and complete after the
        last one, so a build killed half-way is detected and finished next time.
        """
        started = time.perf_counter()
        clauses = index_entries(clauses)
        with self._lock:
            wanted = {c.id: c for c in clauses}
            if len(wanted) != len(clauses):
                raise IndexStateError("Two clauses share an id; the corpus must be fixed before indexing")
            texts = {cid: self.text_of(c) for cid, c in wanted.items()}
            hashes = {cid: _content_hash(t, self.embedder.model_id) for cid, t in texts.items()}
            fingerprint = _fingerprint(hashes)
            if not rebuild and self._holds(fingerprint, len(wanted)):
                # Checked before anything touches the model: a no-op re-index loads no weights.
                return SyncReport(self.embedder.model_id, 0, 0, 0, len(wanted), time.perf_counter() - started, "unchanged")
            if rebuild:
                self._drop()
            col = self._open(create=True)
            try:
                meta = dict(col.metadata or {})
                was_complete = bool(meta.get("complete")) and not rebuild
                if meta.get("model") not in (None, self.embedder.model_id) or int(
                    meta.get("dimension", self.embedder.dimension)
                ) != int(self.embedder.dimension):
                    raise IndexStateError(f"Collection {self.name} holds vectors of another model; rebuild it")
                if was_complete and meta.get("fingerprint") == fingerprint and col.count() == len(wanted):
                    return SyncReport(self.embedder.model_id, 0, 0, 0, len(wanted), time.perf_counter() - started, "unchanged")
                stored = self._stored_hashes(col)
                stale = sorted(set(stored) - set(wanted))
                new = [cid for cid in wanted if cid not in stored]
                changed = [cid for cid in wanted if cid in stored and stored[cid] != hashes[cid]]
                col.modify(metadata={**meta, **self._base_metadata(), "complete": False, "fingerprint": ""})
                if stale:
                    col.delete(ids=stale)
                self._embed_and_store(col, new + changed, wanted, texts, hashes, progress=progress)
                col.modify(metadata={**self._base_metadata(), "complete": True, "fingerprint": fingerprint})
                self._counted = None
            except IndexStateError:
                raise
            except Exception as exc:
                raise self._fail(exc) from None
        if rebuild:
            action = "rebuilt"
        elif not was_complete and stored:
            action = "completed"
        else:
            action = "updated"
        return SyncReport(
            self.embedder.model_id, len(new), len(changed), len(stale), len(wanted), time.perf_counter() - started, action
        )

    def _holds(self, fingerprint: str, count: int) -> bool:
        """Whether a complete collection of exactly these clauses, by this model, is already stored."""
        try:
            col = self._open(create=False)
            meta = col.metadata or {}
            return (
                bool(meta.get("complete"))
                and meta.get("fingerprint") == fingerprint
                and meta.get("model") == self.embedder.model_id
                and col.count() == count
            )
        except IndexStateError:
            return False

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
                vectors = self.embedder.embed_documents([texts[cid] for cid in batch])
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
        """Delete this collection (or, embedded and unreadable, the whole folder)."""
        self._collection = None
        try:
            self._client = self._client or self._connect()
            names = {getattr(c, "name", c) for c in self._client.list_collections()}
            if self.name in names:
                self._client.delete_collection(self.name)
        except Exception:
            if self.chroma_url:
                raise
            self._forget()
            shutil.rmtree(self.data_dir / "chroma", ignore_errors=True)

    def search(self, query_vector: np.ndarray, *, k: int = 20, where: dict | None = None) -> list[DenseHit]:
        """The k clauses nearest to the query vector, most similar first."""
        with self._lock:
            col = self._open(create=False)
            try:
                if not (col.metadata or {}).get("complete"):
                    raise IndexStateError("The index build did not finish; run `resolution-assistant index` to complete it")
                if self._counted is None or self._counted[0] is not col:
                    self._counted = (col, col.count())
                n = min(k, self._counted[1])
                if n == 0:
                    return []
                result = col.query(
                    query_embeddings=[np.asarray(query_vector, dtype=np.float32)],
                    n_results=n,
                    where=where,
                    include=["distances"],
                )
            except IndexStateError:
                raise
            except Exception as exc:
                raise self._fail(exc) from None
        return [DenseHit.of_entry(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0])]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by id (for tests and baselines)."""
        with self._lock:
            col = self._open(create=False)
            try:
                got = col.get(ids=list(ids), include=["embeddings"])
            except Exception as exc:
                raise self._fail(exc) from None
        return {cid: np.asarray(v, dtype=np.float32) for cid, v in zip(got["ids"], got["embeddings"])}
