"""Mandates: what each actor is instructed, invited or requested to do, clause by clause.

>>> from corpus.library import load_corpus
>>> clauses = load_corpus("corpus/texts")
>>> [m.clause_id for m in list_mandates(clauses, actor="电信标准化顾问组")]
['wtsa-res106-2024/resolves-to-instruct-tsag/1']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from corpus.actors import actor_mentions, actor_names, resolve_actor
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


# A plain "resolves" clause can address someone itself: "4 鼓励成员，特别是学术界和发展中国家参与…"
# ("to encourage Members … to take part"). It is a mandate when the addressee follows the verb
# at once; the verb and the addressee come from the text, not from a heading.
_OPENING_VERBS = (
    ("鼓励", "encourages"), ("请", "invites"), ("责成", "instructs"), ("要求", "requests"),
    ("to encourage ", "encourages"), ("to invite ", "invites"), ("to instruct ", "instructs"),
    ("to request ", "requests"), ("encourages ", "encourages"), ("invites ", "invites"),
)  # fmt: skip
_MEMBERSHIP = ("成员", "members", "ITU-T members", "ITU-T成员")  # all of the membership: "members"


def list_mandates(clauses: Iterable[Clause], *, actor: str | None = None) -> list[Mandate]:
    """Addressed operative clauses, grouped by actor (first mentioned first), each group in document order.

    A clause is addressed by its heading ("做出决议，责成电信标准化顾问组") or, in a plain
    "resolves" section, by its opening words ("鼓励成员…"). `actor` (a key or a name in either
    language: "tsag", "TSAG", "电信标准化顾问组") keeps one actor; an unknown name raises
    AssistantError listing the known actors.
    """
    wanted = resolve_actor(actor) if actor is not None else None
    groups: dict[str, list[Mandate]] = {}
    for clause in clauses:
        mandate = _mandate(clause) if clause.kind == "operative" else None
        if mandate is not None and wanted in (None, mandate.actor):
            groups.setdefault(mandate.actor, []).append(mandate)
    return [mandate for group in groups.values() for mandate in group]


def _mandate(clause: Clause) -> Mandate | None:
    """The mandate an operative clause gives, if it is addressed; None otherwise."""
    if clause.actor:  # the verb is the heading's section key without the actor
        return _made(clause, clause.actor, clause.section.partition(f"-{clause.actor}")[0])
    addressed = _opening_address(clause.text)
    return _made(clause, *addressed) if addressed else None


def _opening_address(text: str) -> tuple[str, str] | None:
    """(actor, verb) when the text opens with an addressing verb and, right after it, an actor."""
    opening = text.lstrip()
    for word, verb in _OPENING_VERBS:
        if opening[: len(word)].casefold() != word.casefold():
            continue
        rest = opening[len(word) :].lstrip()
        if rest[:4].casefold() == "the ":
            rest = rest[4:]
        mentions = [key for start, _, key in actor_mentions(rest[:80]) if start == 0]
        if mentions:
            return mentions[0], verb
        if any(rest[: len(name)].casefold() == name.casefold() for name in _MEMBERSHIP):
            return "members", verb
        return None
    return None


def _made(clause: Clause, actor: str, verb: str) -> Mandate:
    return Mandate(
        actor=actor,
        actor_names=actor_names(actor),
        verb=verb,
        clause_id=clause.id,
        labels=dict(clause.labels),
        text=clause.text,
    )
