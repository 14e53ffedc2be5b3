"""Helpers for the eval tests: a reading of the seed, hand-made clauses and citations, a fake clock."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from assistant.types import Citation
from corpus.clause import Clause

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEED = PROJECT_ROOT / "corpus" / "texts" / "wtsa-res106-2024.zh.txt"
DOCUMENT = "wtsa-res106-2024"

# The clause-id contract: each clause and the seed line it comes from.
SEED_LINES = {
    "foreword/1": 2, "foreword/2": 3, "foreword/3": 4, "foreword/4": 5,
    "recalling/a": 11, "recalling/b": 12, "recalling/c": 14, "recalling/d": 15, "recalling/e": 16,
    "considering/a": 18, "considering/b": 19, "considering/c": 20,
    "considering-further/1": 24,
    "noting/1": 26,
    "bearing-in-mind/a": 28, "bearing-in-mind/b": 29, "bearing-in-mind/c": 30,
    "resolves/1": 32, "resolves/2": 33, "resolves/3": 34, "resolves/4": 35,
    "resolves-to-instruct-tsag/1": 37,
    "resolves-to-instruct-tsb-director/1": 39,
    "instructs-study-groups/1": 43, "instructs-study-groups/2": 44, "instructs-study-groups/3": 45,
    "invites-members/1": 47,
    "footnotes/1": 12,
}
CONTRACT_IDS = tuple(f"{DOCUMENT}/{key}" for key in SEED_LINES)


def read_seed() -> list[Clause]:
    """A tiny reading of the seed by the line numbers of the contract, for when the parser is not there yet."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    clauses = []
    for order, (key, number) in enumerate(SEED_LINES.items()):
        line = lines[number - 1]
        if key == "footnotes/1":
            text = line.split("[1: 1\t", 1)[1].rsplit("]", 1)[0]
        else:
            text = line.split(" [1:", 1)[0].replace("[footnoteRef:1]1", "¹")
            text = re.sub(r"^(?:[a-z]\)|\d)\t", "", text)
        section, item = key.split("/")
        clauses.append(
            Clause(
                id=f"{DOCUMENT}/{key}",
                document=DOCUMENT,
                section=section,
                item=item,
                kind="footnote" if section == "footnotes" else "preambular",
                text=text.strip(),
                language="zh",
                order=order,
                labels={"en": f"Resolution 106 (New Delhi, 2024), {section} {item}"},
            )
        )
    return clauses


def make_clause(item: str, text: str, *, section: str = "resolves") -> Clause:
    return Clause(
        id=f"doc/{section}/{item}",
        document="doc",
        section=section,
        item=item,
        kind="operative",
        text=text,
        language="zh",
        labels={"zh": f"做出决议第{item}段", "en": f"Doc, {section} {item}"},
    )


def cite(clause: Clause, quote: str, marker: int = 1) -> Citation:
    return Citation(marker=marker, clause_id=clause.id, label=clause.label("en"), quote=quote)


def fake_clock():
    """A clock that advances 10 ms a call, so every answer takes exactly 10 ms."""
    ticks = itertools.count()
    return lambda: next(ticks) * 0.01
