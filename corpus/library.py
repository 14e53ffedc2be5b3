"""The corpus: every resolution of a folder (and extra files) as one list of clauses.

>>> clauses = load_corpus("corpus/texts")
>>> clauses[0].id, len(corpus_fingerprint(clauses))
('wtsa-res106-2024/foreword/1', 64)
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterable
from pathlib import Path

from corpus.clause import Clause
from corpus.errors import CorpusFormatError, CorpusWarning
from corpus.manifest import MANIFEST, DocumentMeta, load_manifest
from corpus.parse import ParsedDocument, parse_file
from corpus.sources import SUFFIXES


def load_corpus(corpus_dir: str | Path, *, extra_paths: Iterable[str | Path] = ()) -> list[Clause]:
    """Clauses of the manifest's documents in order, then other .txt/.docx files by name, then `extra_paths`.

    Parser warnings (unknown headings, dangling footnote marks) are emitted as `CorpusWarning`s.
    """
    documents = [parse_file(path, metadata=meta) for path, meta in _sources(Path(corpus_dir), extra_paths)]
    _check_unique_ids(documents)
    for document in documents:
        for message in document.warnings:
            warnings.warn(message, CorpusWarning, stacklevel=2)
    return [clause for document in documents for clause in document.clauses]


def corpus_fingerprint(clauses: Iterable[Clause]) -> str:
    """SHA-256 of the canonical JSON of all clauses: changes whenever any clause does."""
    canonical = json.dumps(
        [clause.to_dict() for clause in clauses], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def source_files(corpus_dir: str | Path) -> list[Path]:
    """The resolution files `load_corpus` reads from a folder, in the same order."""
    return [path for path, _ in _sources(Path(corpus_dir), ())]


def _sources(folder: Path, extra_paths: Iterable[str | Path]) -> list[tuple[Path, DocumentMeta | None]]:
    """(path, manifest entry) of every file to load, in corpus order, each file once."""
    if not folder.is_dir():
        raise CorpusFormatError(f"{folder}: no such corpus folder; set RA_CORPUS_DIR to a folder of resolutions")
    listed = [(folder / entry.file, entry) for entry in load_manifest(folder)]
    for path, _ in listed:
        if not path.is_file():
            raise CorpusFormatError(f"{folder / MANIFEST}: lists {path.name!r}, which is not in {folder}")
    names = {path.name for path, _ in listed}
    unlisted = [(p, None) for p in sorted(folder.iterdir()) if _is_resolution_file(p) and p.name not in names]
    extras = [(Path(path), None) for path in extra_paths]
    sources, seen = [], set()
    for path, meta in [*listed, *unlisted, *extras]:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            sources.append((path, meta))
    if not sources:
        raise CorpusFormatError(f"{folder}: no .txt or .docx resolutions in the corpus folder")
    return sources


def _is_resolution_file(path: Path) -> bool:
    """A .txt/.docx file that is not hidden nor a Word lock file ("~$name.docx")."""
    return path.suffix.lower() in SUFFIXES and path.is_file() and not path.name.startswith((".", "~$"))


def _check_unique_ids(documents: list[ParsedDocument]) -> None:
    """Two files claiming one document id would make clause ids ambiguous."""
    first: dict[str, str] = {}
    for document in documents:
        if document.meta.id in first:
            raise CorpusFormatError(
                f"{first[document.meta.id]} and {document.source} both have document id {document.meta.id!r}; "
                "remove one or give one a different \"id\" in manifest.json"
            )
        first[document.meta.id] = document.source
