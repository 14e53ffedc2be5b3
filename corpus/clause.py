"""The clause record: the unit that is indexed, retrieved and cited."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

KINDS = ("foreword", "title", "preambular", "operative", "footnote")


@dataclass(frozen=True)
class Reference:
    """A cross-reference to another resolution, e.g. 第71号决议（2022年，布加勒斯特，修订版）."""

    number: str
    body: str = ""  # e.g. "PP", "WTSA", "WTDC" ("" when the text does not say)
    year: str = ""
    place: str = ""
    revised: bool = False
    text: str = ""  # the reference as written

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Reference:
        return cls(**data)


@dataclass(frozen=True)
class Clause:
    """One citable paragraph of a resolution.

    >>> clause.id
    'wtsa-res106-2024/resolves/1'
    >>> clause.labels["en"]
    'Resolution 106 (New Delhi, 2024), resolves 1'
    """

    id: str  # document + "/" + section + "/" + item; stable, structure-only
    document: str  # document id, e.g. "wtsa-res106-2024"
    section: str  # canonical English section key, e.g. "resolves", "resolves-to-instruct-tsag"
    item: str  # item label as written without ")" : "a", "1"; "1" for an unlabelled paragraph
    kind: str  # one of KINDS
    text: str  # clean text, artefacts removed
    language: str  # "zh" or "en"
    heading: str = ""  # section heading as written, e.g. "做出决议，责成电信标准化顾问组"
    actor: str = ""  # canonical actor key for operative clauses ("tsag", "tsb-director", "study-groups", "members"), else ""
    resolution: str = ""  # resolution number, e.g. "106"
    assembly: str = ""  # e.g. "WTSA"
    place: str = ""  # as written, e.g. "新德里"
    year: str = ""
    order: int = 0  # position in the document, 0-based
    span: tuple[int, int] = (0, 0)  # 1-based first and last source line
    labels: dict = field(default_factory=dict)  # {"zh": ..., "en": ...}
    refs: tuple[Reference, ...] = ()
    footnotes: tuple[str, ...] = ()  # ids of footnote clauses this clause links to
    # Other language versions of the same clause, aligned on structure:
    # {"en": {"text": "...", "official": False}}. `text` above stays the authoritative original.
    versions: dict = field(default_factory=dict)
    # Plain-language descriptions written for this project, by language: {"en": ("…", …)}. They
    # help a question in everyday words find the clause; they are searched, never quoted or cited.
    gists: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["span"] = list(self.span)
        data["refs"] = [r.to_dict() for r in self.refs]
        data["footnotes"] = list(self.footnotes)
        data["gists"] = {lang: list(texts) for lang, texts in self.gists.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Clause:
        data = dict(data)
        data["span"] = tuple(data.get("span", (0, 0)))
        data["refs"] = tuple(Reference.from_dict(r) for r in data.get("refs", ()))
        data["footnotes"] = tuple(data.get("footnotes", ()))
        data["labels"] = dict(data.get("labels", {}))
        data["versions"] = {lang: dict(v) for lang, v in data.get("versions", {}).items()}
        data["gists"] = {lang: tuple(texts) for lang, texts in data.get("gists", {}).items()}
        return cls(**data)

    def label(self, language: str) -> str:
        """The human label in `language`, falling back to the other one."""
        return self.labels.get(language) or next(iter(self.labels.values()), self.id)

    def text_in(self, language: str) -> str:
        """The clause's text in `language`: its own, a version's, or the original when there is none.

        >>> clause.text_in("zh") == clause.text
        True
        """
        if language == self.language:
            return self.text
        version = self.versions.get(language)
        return version["text"] if version else self.text

    @property
    def context_text(self) -> str:
        """Heading and text together: what is embedded and matched lexically.

        Actors live only in the heading (做出决议，责成电信标准化顾问组), so a clause
        indexed without it cannot be found by a question about its actor.
        """
        return f"{self.heading}：{self.text}" if self.heading else self.text
