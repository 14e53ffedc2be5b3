"""What the page shows, as data: the corpus by id and section, source cards, readings, the saved conversation.

Plain Python, no gradio: the renderers and handlers build on it, and tests use it with hand-made clauses.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Sequence

from assistant.types import Clause, Document

MAX_SAVED_TURNS = 30  # a conversation restored after a reload keeps its last turns
MAX_SAVED_CHARS = 2_000_000  # a saved conversation larger than this is dropped, not parsed
SAVED_VERSION = 1


def clause_anchor(clause_id: str) -> str:
    """An HTML id for a clause: "wtsa-res106-2024/resolves/1" -> "clause-wtsa-res106-2024__resolves__1"."""
    return "clause-" + re.sub(r"[^A-Za-z0-9_-]", "-", clause_id.replace("/", "__"))


class Corpus:
    """The corpus as the page shows it: clauses by id and section, documents with names, short labels."""

    def __init__(self, documents: Sequence[Document]):
        self.documents = list(documents)
        self.clauses = [c for doc in self.documents for c in doc.clauses]
        self.by_id = {c.id: c for c in self.clauses}
        self._documents = {doc.id: doc for doc in self.documents}
        self.sections: dict[tuple[str, str], list[Clause]] = {}
        for clause in self.clauses:
            self.sections.setdefault((clause.document, clause.section), []).append(clause)

    def short_label(self, clause: Clause, lang: str) -> str:
        """The clause label without its document part: "resolves 1", "做出决议 第1段"."""
        label = clause.label(lang)
        prefix = self._documents[clause.document].names.get(lang, "")
        short = label[len(prefix):].lstrip(" ,，") if prefix and label.startswith(prefix) else label
        return short or label

    def table_label(self, clause_id: str, lang: str) -> str:
        """The short label when the corpus is one document (its name is on the page), else the full one."""
        clause = self.by_id.get(clause_id)
        if clause is None:
            return clause_id
        return self.short_label(clause, lang) if len(self.documents) == 1 else clause.label(lang)

    def section_name(self, clause: Clause, lang: str) -> str:
        """The clause's section in `lang`, from the corpus's section table."""
        names = self._documents[clause.document].sections.get(clause.section, {})
        return names.get(lang) or clause.heading

    def neighbours(self, clause: Clause) -> list[Clause]:
        """The clause with the ones just before and after it in its section."""
        section = self.sections[(clause.document, clause.section)]
        i = section.index(clause)
        return section[max(0, i - 1) : i + 2]

    def item_mark(self, clause: Clause) -> str:
        """The item label as printed in the text: "a)", "1", or nothing for an unlabelled paragraph."""
        if clause.kind == "foreword" or len(self.sections[(clause.document, clause.section)]) == 1:
            return ""
        if clause.kind == "footnote" or not clause.item.isalpha():
            return clause.item
        return f"{clause.item})"


@dataclass(frozen=True)
class Reading:
    """A clause text as the interface shows it: a language version with the original one click away, or the original."""

    text: str
    quote: str = ""
    original: str = ""  # the authoritative original, when `text` is a version of it
    original_quote: str = ""
    official: bool = True


def reading(text: str, quote: str, language: str, versions: dict, lang: str) -> Reading:
    """The English version in the English interface when there is one; the original otherwise."""
    version = versions.get(lang) if lang == "en" and language != "en" else None
    if not version or not version.get("text"):
        return Reading(text, quote)
    return Reading(version["text"], version.get("quote", ""), text, quote, bool(version.get("official", False)))


@dataclass(frozen=True)
class SourceCard:
    """One clause the Sources panel can open: a citation of an answer, or a related clause of an abstention."""

    turn: int  # which reply of the conversation it belongs to
    key: str  # the marker ("1") or, for a related clause, "r1"
    clause_id: str
    text: str  # what the answer carried, shown if the corpus no longer has the clause
    language: str  # the answer's language
    quote: str = ""
    related: bool = False
    versions: dict = field(default_factory=dict)  # the citation's {"en": {"text", "quote", "official"}}

    @property
    def anchor(self) -> str:
        return f"ra-src-{self.turn}-{self.key}"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SourceCard:
        return cls(**{**data, "turn": int(data["turn"]), "versions": dict(data.get("versions") or {})})


@dataclass(frozen=True)
class Turn:
    """One exchange of the conversation: the question, the reply's HTML, its source cards."""

    question: str
    reply: str
    cards: tuple[SourceCard, ...] = ()
    answered: bool = True  # False for an error reply: not part of the history follow-ups lean on

    def to_dict(self) -> dict:
        return {"question": self.question, "reply": self.reply, "cards": [c.to_dict() for c in self.cards],
                "answered": self.answered}

    @classmethod
    def from_dict(cls, data: dict) -> Turn:
        if not isinstance(data["question"], str) or not isinstance(data["reply"], str):
            raise TypeError("question and reply must be text")
        return cls(data["question"], data["reply"], tuple(SourceCard.from_dict(c) for c in data["cards"]),
                   bool(data.get("answered", True)))


def save(turns: Sequence[Turn]) -> dict:
    """The conversation as the browser keeps it: its last MAX_SAVED_TURNS turns."""
    return {"version": SAVED_VERSION, "turns": [t.to_dict() for t in list(turns)[-MAX_SAVED_TURNS:]]}


def restore(saved: object) -> tuple[list[Turn], bool]:
    """The turns of a saved conversation, and whether it was unreadable or too large (and so dropped)."""
    if saved in (None, "", {}, []):
        return [], False
    try:
        if len(json.dumps(saved, ensure_ascii=False)) > MAX_SAVED_CHARS:
            return [], True
        if saved.get("version") != SAVED_VERSION or len(saved["turns"]) > MAX_SAVED_TURNS:
            return [], True
        return [Turn.from_dict(t) for t in saved["turns"]], False
    except (AttributeError, KeyError, TypeError, ValueError):
        return [], True

