"""Mandates: what each actor is instructed, invited or requested to do, clause by clause.

>>> from corpus.library import load_corpus
>>> clauses = load_corpus("corpus/texts")
>>> [m.clause_id for m in list_mandates(clauses, actor="电信标准化顾问组")]
['wtsa-res106-2024/resolves-to-instruct-tsag/1']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from corpus.actors import actor_names, resolve_actor
from corpus.clause import Clause


@dataclass(frozen=True)
class Mandate:
    """One addressed operative clause seen from its actor: who, which verb, which clause, what text."""

    actor: str  # canonical key, e.g. "tsag"
    actor_names: dict  # {"zh": "电信标准化顾问组", "en": "TSAG"}
    verb: str  # "resolves-to-instruct", "instructs", "invites", "encourages" or "requests"
    clause_id: str
    labels: dict = field(default_factory=dict)  # the clause's labels, both languages
    text: str = ""

    def to_dict(self) -> dict:
        return {
            "actor": self.actor,
            "actor_names": dict(self.actor_names),
            "verb": self.verb,
            "clause_id": self.clause_id,
            "labels": dict(self.labels),
            "text": self.text,
        }


def list_mandates(clauses: Iterable[Clause], *, actor: str | None = None) -> list[Mandate]:
    """Addressed operative clauses, grouped by actor (first mentioned first), each group in document order.

    `actor` (a key or a name in either language: "tsag", "TSAG", "电信标准化顾问组") keeps one actor;
    an unknown name raises AssistantError listing the known actors.
    """
    wanted = resolve_actor(actor) if actor is not None else None
    addressed = [c for c in clauses if c.kind == "operative" and c.actor and wanted in (None, c.actor)]
    groups: dict[str, list[Mandate]] = {}
    for clause in addressed:
        groups.setdefault(clause.actor, []).append(_mandate(clause))
    return [mandate for group in groups.values() for mandate in group]


def _mandate(clause: Clause) -> Mandate:
    """The mandate an addressed clause gives; the verb is its section key without the actor."""
    return Mandate(
        actor=clause.actor,
        actor_names=actor_names(clause.actor),
        verb=clause.section.partition(f"-{clause.actor}")[0],
        clause_id=clause.id,
        labels=dict(clause.labels),
        text=clause.text,
    )
