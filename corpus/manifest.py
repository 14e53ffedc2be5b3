"""Document metadata, given in a corpus folder's manifest.json or inferred from the text.

>>> meta = DocumentMeta.from_dict({"file": "wtsa-res106-2024.zh.txt", "id": "wtsa-res106-2024"})
>>> meta.id
'wtsa-res106-2024'
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from corpus.errors import CorpusFormatError

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class DocumentMeta:
    """What identifies a resolution: id, number, adopting assembly, place, year, language, title."""

    file: str = ""  # file name inside the corpus folder
    id: str = ""  # e.g. "wtsa-res106-2024"
    resolution: str = ""  # e.g. "106"
    assembly: str = ""  # e.g. "WTSA"
    place: str = ""  # as written in the text, e.g. "新德里"
    place_en: str = ""  # e.g. "New Delhi"
    year: str = ""
    language: str = ""  # "zh" or "en"
    title: str = ""
    title_en: str = ""
    # False for a rendering made for convenience (e.g. an unofficial English translation); the
    # document in another language with the same id then stays the authoritative text.
    official: bool = True
    # A JSON file beside it with plain-language descriptions of its clauses (corpus.gists): searched,
    # never quoted. On any entry of the document's id.
    gists: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict, *, where: str = "metadata") -> DocumentMeta:
        """Build from a manifest entry, rejecting unknown keys and values of the wrong type."""
        known = {f.name for f in fields(cls)}
        if not isinstance(data, dict):
            raise CorpusFormatError(f"{where}: expected an object with keys {sorted(known)}, got {data!r}")
        unknown = sorted(set(data) - known)
        if unknown:
            raise CorpusFormatError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(known)}")
        for key, value in data.items():
            wanted = bool if key == "official" else str
            if not isinstance(value, wanted):
                kind = "true or false" if wanted is bool else "a string"
                raise CorpusFormatError(f"{where}: {key!r} must be {kind}, got {value!r}")
        return cls(**data)

    def completed(self, inferred: DocumentMeta) -> DocumentMeta:
        """These values, with the empty strings taken from `inferred` (`official` is never inferred)."""
        texts = [f.name for f in fields(self) if isinstance(getattr(self, f.name), str)]
        return replace(self, **{name: getattr(self, name) or getattr(inferred, name) for name in texts})


def load_manifest(folder: Path) -> tuple[DocumentMeta, ...]:
    """The documents listed in `folder`/manifest.json, in order; () when there is no manifest."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return ()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusFormatError(f"{path}: cannot read the manifest ({exc}); fix or remove it") from exc
    documents = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, list):
        raise CorpusFormatError(f'{path}: expected {{"documents": [{{"file": …, "id": …}}, …]}}')
    entries = tuple(DocumentMeta.from_dict(d, where=f"{path}: documents[{i}]") for i, d in enumerate(documents))
    for index, entry in enumerate(entries):
        if not entry.file:
            raise CorpusFormatError(f"{path}: documents[{index}] has no \"file\"")
        # A manifest names files inside its own folder; a path would let it read anywhere.
        for key in ("file", "gists"):
            name = getattr(entry, key)
            if name and (name in (".", "..") or Path(name).name != name):
                raise CorpusFormatError(
                    f"{path}: documents[{index}] \"{key}\" {name!r} must be a file name in {Path(folder)}, not a path"
                )
    return entries


def manifest_entry(path: Path) -> DocumentMeta | None:
    """The manifest entry for a resolution file, from the manifest.json beside it, if listed."""
    path = Path(path)
    return next((e for e in load_manifest(path.parent) if e.file == path.name), None)
