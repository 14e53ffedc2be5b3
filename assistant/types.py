"""Records that flow out of retrieval and answer composition."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from corpus.clause import Clause
from corpus.mandates import Mandate

__all__ = ["Answer", "Citation", "Clause", "Document", "Hit", "Mandate", "Status"]


@dataclass(frozen=True)
class Hit:
    """A retrieved clause with its fused score and the rank it had in each retriever."""

    clause: Clause
    score: float
    ranks: dict = field(default_factory=dict)  # e.g. {"dense": 0, "lexical": 3, "route": 0}
    similarity: float = 0.0  # dense cosine similarity to the question
    lexical: float = 0.0  # BM25 score of the expanded question

    def to_dict(self) -> dict:
        return {
            "clause": self.clause.to_dict(),
            "score": self.score,
            "ranks": dict(self.ranks),
            "similarity": self.similarity,
            "lexical": self.lexical,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Hit:
        return cls(
            Clause.from_dict(data["clause"]),
            float(data["score"]),
            dict(data.get("ranks", {})),
            float(data.get("similarity", 0.0)),
            float(data.get("lexical", 0.0)),
        )


@dataclass(frozen=True)
class Citation:
    """A numbered marker tied to one clause and a verbatim quote from it."""

    marker: int
    clause_id: str
    label: str  # in the answer's language
    quote: str  # always a substring of the clause text
    text: str = ""  # the clause's full text
    labels: dict = field(default_factory=dict)  # both languages
    # The same citation in other language versions: {"en": {"text", "quote", "official"}};
    # each quote is a substring of its version's text. `text`/`quote` stay the original's.
    versions: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "marker": self.marker,
            "clause_id": self.clause_id,
            "label": self.label,
            "labels": dict(self.labels),
            "quote": self.quote,
            "text": self.text,
            "versions": {lang: dict(v) for lang, v in self.versions.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> Citation:
        return cls(
            marker=int(data["marker"]),
            clause_id=data["clause_id"],
            label=data["label"],
            quote=data["quote"],
            text=data.get("text", ""),
            labels=dict(data.get("labels", {})),
            versions={lang: dict(v) for lang, v in data.get("versions", {}).items()},
        )

    def quote_in(self, language: str) -> str:
        """The quote in `language` when a version carries one, else the original's."""
        version = self.versions.get(language)
        return version["quote"] if version else self.quote


@dataclass(frozen=True)
class Answer:
    """What `Assistant.ask` returns."""

    text: str
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    language: str = "en"
    timings: dict = field(default_factory=dict)  # milliseconds per stage
    hits: tuple[Hit, ...] = ()  # the ranked retrieval, for evaluation and "related" display
    notice: str = ""  # e.g. "LLM unavailable, extractive answer shown"
    related: tuple[Clause, ...] = ()  # an abstention's nearest clauses, named as related only

    def to_dict(self) -> dict:
        """The public JSON shape of `ask --json` and the `/ask` API."""
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "language": self.language,
            "citations": [c.to_dict() for c in self.citations],
            "notice": self.notice,
            "latency_ms": round(sum(self.timings.values()), 2),
            "timings_ms": {k: round(v, 2) for k, v in self.timings.items()},
        }


@dataclass(frozen=True)
class Document:
    """One resolution of the corpus as readers see it: its name and title in both languages, its clauses."""

    id: str
    names: dict  # {"en": "Resolution 106 (New Delhi, 2024)", "zh": "第106号决议（2024年，新德里）"}
    titles: dict  # {"en": ..., "zh": ...} from the corpus manifest; empty when it has none
    clauses: tuple[Clause, ...] = ()
    sections: dict = field(default_factory=dict)  # section key -> {"en": "resolves to instruct TSAG", "zh": ...}

    def to_dict(self) -> dict:
        return {"id": self.id, "names": dict(self.names), "titles": dict(self.titles),
                "clauses": [c.id for c in self.clauses], "sections": {k: dict(v) for k, v in self.sections.items()}}


@dataclass(frozen=True)
class Status:
    """What a status line shows: model, corpus size, where the index is, how answers are made (no secrets)."""

    embedding_model: str
    documents: int
    clauses: int
    ready: bool
    chroma_server: str = ""  # "host:port" of a Chroma server; "" for the embedded index
    llm_model: str = ""  # the chat model's name when an LLM writes answers; "" for extractive answers
    llm: bool = False
    skipped: tuple[str, ...] = ()  # one line per corpus file left out, naming the file and why
    notice: str = ""  # e.g. the index was damaged, set aside and rebuilt

    def to_dict(self) -> dict:
        return asdict(self)
