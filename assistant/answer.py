"""Extractive, grounded answers: choose the clauses, quote them, frame them, cite them.

No LLM and no network: every statement is a verbatim quote followed by a marker
tied to a citation record, and nothing is said that no clause supports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from corpus.actors import actor_mentions, actor_vocabulary
from corpus.clause import Clause
from assistant import calibration as cal
from assistant.glossary import known_english_terms, translate_terms
from assistant.routing import Route
from assistant.text import content_terms, normalize
from assistant.types import Answer, Citation, Hit

_TRAILING = "；;，,。.、 "
_TASK_WORDS = frozenset(
    """instructed invited asked tasked encouraged requested required told called mandate mandated mandates task tasks
    role roles job duty duties responsibility responsibilities do doing supposed expected need needs
    责成 请 要求 任务 职责 工作 作用 角色 应该 需要 负责 做出 决议 鼓励 被 干 做 邀请 哪些 什么""".split()
)


@dataclass(frozen=True)
class Selection:
    """The clauses an answer cites, or an abstention with the nearest clauses."""

    clauses: tuple[Clause, ...]
    abstained: bool
    reason: str = ""


def _is_generic(question: str, route: Route) -> bool:
    """True when the question only names who/what section, not a specific topic inside it."""
    actor_words = actor_vocabulary()
    residue = [
        t for t in content_terms(_without_actors(question))
        if t not in _TASK_WORDS and t not in actor_words and len(t) > 1
    ]
    return len(residue) <= cal.GENERIC_MAX_TERMS


def _without_actors(question: str) -> str:
    """The question with actor names cut out, so "study groups" is not read as a topic."""
    kept, last = [], 0
    for start, end, _ in actor_mentions(question):
        kept.append(question[last:start])
        last = end
    return " ".join(kept + [question[last:]])


def _asks_unsupported_fact(question: str, cited: Sequence[Clause]) -> bool:
    """The question asks for a kind of fact (date, amount, count, person) no cited clause contains."""
    norm = normalize(question)
    text = " ".join(c.text for c in cited)
    for pattern, evidence in cal.FACT_TYPES:
        if re.search(pattern, norm) and not re.search(evidence, text):
            return True
    return False


def _unknown_focus(question: str, known) -> list[str]:
    """Content words of the question that appear nowhere in the corpus nor in the glossary."""
    english = known_english_terms()
    unknown = []
    for term in content_terms(question):
        if term in _TASK_WORDS or len(term) < 2:
            continue
        if term.isascii():
            if term in english or known(term) or term.rstrip("s") in english:
                continue
        elif known(term) or any(known(term[i : i + 2]) for i in range(len(term) - 1)) and len(term) <= 2:
            continue
        unknown.append(term)
    return unknown


def select_clauses(question: str, hits: Sequence[Hit], route: Route, *, known=lambda term: True) -> Selection:
    """Cite as few clauses as answer the question; abstain when none does."""
    if not hits:
        return Selection((), True, "nothing retrieved")
    named = [h for h in hits if h.ranks.get("route") is not None and route.items]
    if named:
        return Selection(tuple(sorted((h.clause for h in named), key=lambda c: c.order)), False, "named")
    grouped = [h for h in hits if h.ranks.get("route") is not None]
    top = hits[0]
    if grouped and (route.wants_list or _is_generic(question, route)):
        chosen = tuple(sorted((h.clause for h in grouped), key=lambda c: c.order))
        return Selection(chosen, False, "group")
    pool = grouped or list(hits)
    best = max(pool, key=lambda h: h.score) if grouped else top
    if not grouped:
        if best.similarity < cal.MIN_SIMILARITY and best.lexical < cal.MIN_LEXICAL:
            return Selection((), True, "weak match")
        unknown = _unknown_focus(question, known)
        if len(unknown) >= cal.MAX_UNKNOWN_TERMS and best.similarity < cal.CONFIDENT_SIMILARITY:
            return Selection((), True, f"not in the text: {', '.join(unknown)}")
    chosen = [best]
    for hit in pool:
        if hit is best or len(chosen) >= cal.MAX_CITATIONS:
            continue
        if hit.score >= best.score * cal.SCORE_RATIO and hit.similarity >= best.similarity - cal.SIMILARITY_MARGIN:
            chosen.append(hit)
    clauses = tuple(sorted((h.clause for h in chosen), key=lambda c: c.order))
    if _asks_unsupported_fact(question, clauses):
        return Selection((), True, "asks for a fact the text does not give")
    return Selection(clauses, False, "ranked")


def choose_quote(clause: Clause, question: str) -> str:
    """The clause's words that answer: the whole clause when short, else its best sentence."""
    text = clause.text.strip()
    if len(text) <= cal.QUOTE_MAX_CHARS:
        return text.rstrip(_TRAILING) or text
    pieces = [p for p in re.split(r"(?<=[。；;])", text) if p.strip()]
    terms = set(content_terms(question)) | set(translate_terms(question))
    best = max(pieces, key=lambda p: (sum(t in p for t in terms), -abs(len(p) - 80)))
    return best.strip().rstrip(_TRAILING) or best.strip()


def _frame(language: str, selection: Selection, citations: Sequence[Citation]) -> str:
    if language == "zh":
        if len(citations) == 1:
            c = citations[0]
            return f"根据{c.label}：“{c.quote}”[{c.marker}]"
        lines = [f"共有{len(citations)}条相关条款："]
        lines += [f"{c.marker}. {c.label}：“{c.quote}”[{c.marker}]" for c in citations]
        return "\n".join(lines)
    if len(citations) == 1:
        c = citations[0]
        return f"According to {c.label}: “{c.quote}” [{c.marker}]"
    lines = [f"{len(citations)} clauses answer this:"]
    lines += [f"{c.marker}. {c.label}: “{c.quote}” [{c.marker}]" for c in citations]
    return "\n".join(lines)


def abstention_text(language: str, related: Sequence[Clause]) -> str:
    """Says plainly that the text does not answer, naming the nearest clauses as related only."""
    if language == "zh":
        text = "本决议没有对此作出规定，无法根据决议文本回答。"
        if related:
            text += "\n相关但不构成答案的条款：" + "；".join(c.label("zh") for c in related)
        return text
    text = "The resolution does not say this, so it cannot be answered from its text."
    if related:
        text += "\nRelated, not an answer: " + "; ".join(c.label("en") for c in related)
    return text


def compose_answer(question: str, language: str, selection: Selection, hits: Sequence[Hit]) -> Answer:
    """An Answer whose every citation quotes its clause verbatim."""
    if selection.abstained:
        related = tuple(h.clause for h in hits[: cal.RELATED_SHOWN])
        return Answer(text=abstention_text(language, related), abstained=True, language=language, hits=tuple(hits))
    citations = tuple(
        Citation(
            marker=i,
            clause_id=clause.id,
            label=clause.label(language),
            quote=choose_quote(clause, question),
            text=clause.text,
            labels=dict(clause.labels),
        )
        for i, clause in enumerate(selection.clauses, start=1)
    )
    return Answer(
        text=_frame(language, selection, citations),
        citations=citations,
        abstained=False,
        language=language,
        hits=tuple(hits),
    )
