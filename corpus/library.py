"""The corpus: every resolution of a folder (and extra files) as one list of clauses.

A file that cannot be read is skipped with its reason rather than taking the corpus down, and
language versions of one document (same id, another language) are aligned into its clauses.

>>> library = load_library("corpus/texts")
>>> library.clauses[0].id, sorted(library.clauses[0].versions), library.skipped
('wtsa-res106-2024/foreword/1', ['en'], ())
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from corpus.clause import Clause
from corpus.errors import CorpusFormatError, CorpusWarning
from corpus.gists import read_gists, with_gists
from corpus.manifest import MANIFEST, DocumentMeta, load_manifest, manifest_entry
from corpus.parse import ParsedDocument, parse_file
from corpus.sources import SUFFIXES


@dataclass(frozen=True)
class Skipped:
    """A corpus file that was left out, and the one-line reason."""

    file: str
    error: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Library:
    """The clauses of every document that loaded, and the files that were skipped.

    >>> library = load_library("corpus/texts")
    >>> len(library.clauses), [s.file for s in library.skipped]
    (29, [])
    """

    clauses: tuple[Clause, ...]
    skipped: tuple[Skipped, ...] = ()


def load_library(
    corpus_dir: str | Path, *, extra_paths: Iterable[str | Path] = (), strict: bool = False
) -> Library:
    """Clauses of the manifest's documents in order, then other .txt/.docx files by name, then `extra_paths`.

    A bad file (unreadable, not a resolution, a version that does not align) is skipped and
    named in `skipped`; with `strict` it raises instead. A folder in which nothing loads raises.
    """
    return _assemble(_sources(Path(corpus_dir), extra_paths), strict=strict)


def load_files(paths: Iterable[str | Path]) -> Library:
    """The clauses of the files given, versions aligned; any bad file raises (the user named it)."""
    return _assemble([(Path(path), manifest_entry(Path(path))) for path in paths], strict=True)


def load_corpus(
    corpus_dir: str | Path, *, extra_paths: Iterable[str | Path] = (), strict: bool = False
) -> list[Clause]:
    """The clauses of `load_library`; each skipped file is also emitted as a `CorpusWarning`."""
    library = load_library(corpus_dir, extra_paths=extra_paths, strict=strict)
    for skipped in library.skipped:
        warnings.warn(f"skipped: {skipped.error}", CorpusWarning, stacklevel=2)  # the error names the file
    return list(library.clauses)


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


def _assemble(sources: list[tuple[Path, DocumentMeta | None]], *, strict: bool) -> Library:
    """Parse every source, align versions, and collect the files left out (or raise, when `strict`)."""
    documents: list[ParsedDocument] = []
    skipped: list[Skipped] = []

    def skip(file: str, error: CorpusFormatError) -> None:
        if strict:
            raise error
        skipped.append(Skipped(file=file, error=str(error)))

    for path, meta in sources:
        try:
            documents.append(_parse(path, meta))
        except CorpusFormatError as error:
            skip(str(path), error)
    clauses: list[Clause] = []
    for group in _groups(documents):
        original, versions, refused = _versions(group)
        for document, error in refused:
            skip(document.source, error)
        aligned = _aligned(original, versions)
        for document in (original, *versions):  # the gists file may be named on any entry of the id
            if document.meta.gists:
                path = Path(document.source).parent / document.meta.gists
                try:
                    aligned = with_gists(aligned, read_gists(path, aligned))
                except CorpusFormatError as error:
                    skip(str(path), error)  # the clauses stay, without these gists
        clauses.extend(aligned)
        for document in (original, *versions):
            for message in document.warnings:
                warnings.warn(message, CorpusWarning, stacklevel=3)
    if not clauses and not skipped:
        raise CorpusFormatError("no resolution files were given; name .txt or .docx files, or a corpus folder")
    if not clauses:
        first = skipped[0]
        more = f" (and {len(skipped) - 1} more file(s))" if len(skipped) > 1 else ""
        raise CorpusFormatError(f"{first.error}{more}; no resolution in the corpus could be loaded")
    return Library(clauses=tuple(clauses), skipped=tuple(skipped))


def _parse(path: Path, meta: DocumentMeta | None) -> ParsedDocument:
    """One file parsed; a manifest entry whose file is missing is that file's error."""
    if meta is not None and not path.exists():
        raise CorpusFormatError(f"{path.parent / MANIFEST}: lists {path.name!r}, which is not in {path.parent}")
    return parse_file(path, metadata=meta)


def _groups(documents: list[ParsedDocument]) -> list[list[ParsedDocument]]:
    """Documents by id, in the order each id first appears."""
    groups: dict[str, list[ParsedDocument]] = {}
    for document in documents:
        groups.setdefault(document.meta.id, []).append(document)
    return list(groups.values())


def _versions(
    group: list[ParsedDocument],
) -> tuple[ParsedDocument, list[ParsedDocument], list[tuple[ParsedDocument, CorpusFormatError]]]:
    """(original, versions to align, refused documents with why) among the documents of one id.

    The original is the first official document; one version per other language, an official one
    taking the place of an unofficial rendering.
    """
    original = next((d for d in group if d.meta.official), group[0])
    chosen: dict[str, ParsedDocument] = {}
    refused: list[tuple[ParsedDocument, CorpusFormatError]] = []
    for document in group:
        if document is original:
            continue
        language = document.meta.language
        if language == original.meta.language:
            refused.append((document, _same_id(original, document)))
            continue
        try:
            _check_alignment(original, document)
        except CorpusFormatError as error:
            refused.append((document, error))
            continue
        earlier = chosen.get(language)
        if earlier is None:
            chosen[language] = document
        elif document.meta.official and not earlier.meta.official:
            chosen[language] = document
            refused.append((earlier, _superseded(earlier, document)))
        elif earlier.meta.official and not document.meta.official:
            refused.append((document, _superseded(document, earlier)))
        else:
            refused.append((document, _same_id(earlier, document)))
    return original, list(chosen.values()), refused


def _same_id(first: ParsedDocument, second: ParsedDocument) -> CorpusFormatError:
    return CorpusFormatError(
        f"{first.source} and {second.source} both have document id {first.meta.id!r} in language "
        f"{second.meta.language!r}; remove one or give one a different \"id\" in manifest.json"
    )


def _superseded(unofficial: ParsedDocument, official: ParsedDocument) -> CorpusFormatError:
    return CorpusFormatError(
        f"{unofficial.source}: an unofficial {unofficial.meta.language!r} rendering of {unofficial.meta.id!r}; "
        f"the official text in {official.source} is used instead"
    )


def _check_alignment(original: ParsedDocument, version: ParsedDocument) -> None:
    """Refuse a version whose resolution or clause structure differs, naming the first difference."""
    where = f"{version.source}: not aligned with {original.source}"
    for key in ("resolution", "assembly", "year"):
        mine, theirs = getattr(version.meta, key), getattr(original.meta, key)
        if mine != theirs:
            raise CorpusFormatError(f"{where}: {key} {mine!r} where the original has {theirs!r}")
    mine = [_structure(c) for c in version.clauses]
    theirs = [_structure(c) for c in original.clauses]
    for index in range(max(len(mine), len(theirs))):
        have = mine[index] if index < len(mine) else None
        want = theirs[index] if index < len(theirs) else None
        if have == want:
            continue
        if want is not None and want not in mine:
            found = f"; it has {have} there" if have else ""
            raise CorpusFormatError(f"{where}: {want} is missing{found}")
        if have is not None and have not in theirs:
            line = version.clauses[index].span[0]
            raise CorpusFormatError(f"{where}: {have} (line {line}) is not in the original")
        raise CorpusFormatError(f"{where}: {have} comes where the original has {want}")


def _structure(clause: Clause) -> str:
    """How alignment names a clause: the structural part of its id, e.g. 'resolves/4', 'footnotes/1'."""
    return f"'{clause.section}/{clause.item}'"


def _aligned(original: ParsedDocument, versions: list[ParsedDocument]) -> list[Clause]:
    """The original's clauses, each carrying the text of every version in `Clause.versions`."""
    return [
        replace(clause, versions={v.meta.language: _version(v, index) for v in versions}) if versions else clause
        for index, clause in enumerate(original.clauses)
    ]


def _version(document: ParsedDocument, index: int) -> dict:
    """Clause `index` of a version, as `Clause.versions` holds it."""
    return {"text": document.clauses[index].text, "official": document.meta.official}
