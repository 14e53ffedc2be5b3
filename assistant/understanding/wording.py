"""What a question's words name of the text: its topics, whether they are only the text's own
subject or asking words, and `read_wording`, what the classifier weighs beside the vector.

Topics are read against the corpus (`CorpusView`, which `HybridSearch` provides), never a list.
"""

from __future__ import annotations

from typing import Protocol, Sequence

from assistant import calibration as cal
from assistant.text import content_terms, outside_pasted, stem
from assistant.types import Hit
from assistant.understanding.asks import (
    assembly_session, codes_named, focus_concepts, read_asks, topic_terms, without_who_words,
)
from assistant.understanding.intents import Wording, asking_terms
from assistant.understanding.routing import Route, route_question
from corpus.assemblies import body_mentions
from corpus.clause import Clause
from corpus.mandates import list_mandates
from corpus.sections import parts_named, verbs_named, without_part_names, without_verbs


class CorpusView(Protocol):
    """What selection needs to know about the whole corpus (HybridSearch provides it)."""

    def knows(self, term: str) -> bool: ...

    def knows_word(self, word: str) -> bool: ...

    def addresses(self, actor: str) -> bool: ...

    def mentioning(self, concepts: Sequence[Sequence[str]]) -> list[Clause]: ...

    def knows_resolution(self, number: str) -> bool: ...

    def abbreviates(self, acronym: str) -> bool | None: ...

    def holds_resolution(self, number: str) -> bool: ...

    def footnote_anchors(self) -> Sequence[tuple[str, Clause]]: ...

    def citing(self, footnote_id: str) -> list[Clause]: ...

    def document_clauses(self, document: str) -> list[Clause]: ...


def read_wording(question: str, hits: Sequence[Hit], route: Route, corpus: CorpusView) -> Wording:
    """What the question's words alone say of the text (`Wording`; the classifier decides what follows).

    Pasted: code or markup with nothing outside it, or words outside it that name nothing of the text
    ("```python …``` what does this do in terms of res 106?"). The operative part: named, with no topic
    the text holds beside it ("what's in the operative part? first week here": chatty words the text
    lacks name no topic). Why of the subject: every other word counts as a topic, even one the text lacks:
    "why must standards be made quickly?" asks about speed, and the classifier rightly sends it to a lookup.
    """
    outside = outside_pasted(question)
    asks = read_asks(question)
    clauses = corpus.document_clauses(document_of(hits, route, corpus)) if hits else []
    own = clauses[0].assembly if clauses else ""
    return Wording(
        other_body=bool(own) and (_names_only_other_bodies(question, own) or _names_another_session(question, clauses[0])),
        pasted=outside is not None and _names_nothing_of_the_text(outside, corpus),
        why_of_subject=bool(clauses) and asks.why
        and is_generic(question, None, asking=purpose_words(clauses)),
        topics=_topics(question, clauses, corpus) if clauses else None,
        asker=asks.asker,
        # A verb of the text's own mandates: "要求" (requests) addresses no one in a text that only
        # instructs, invites and encourages ("决议对6G标准化提出了哪些具体要求？" asks about 6G).
        addressing=_names_a_mandate_verb(question, clauses),
        asks_who=asks.who_acts and not asks.who_did,
        # "Who is instructed in the operative part?" asks who acts there, not for the part.
        operative_part="operative" in parts_named(question) and not asks.who_acts
        and is_generic(without_verbs(without_part_names(question)), corpus, asking=asking_terms("overview")),
    )


def _names_a_mandate_verb(question: str, clauses: Sequence[Clause]) -> bool:
    """Whether the question names a verb of the text's own mandates (its clauses listed only when it names a verb:
    at 100,000 clauses, listing every mandate for each question took 1.5 of 6.6 s over the dev questions)."""
    verbs = verbs_named(question)
    return bool(verbs) and bool(verbs & {m.verb for m in list_mandates(clauses)})


def naming_few(forms: Sequence[str], operative: Sequence[Clause], corpus: CorpusView) -> set[str]:
    """The operative clauses naming a term, or none when most of them do ("ITU-T", 电信: no one's topic)."""
    naming = _naming(forms, operative, corpus)
    return set() if _many(naming, operative) else naming


def _naming(forms: Sequence[str], operative: Sequence[Clause], corpus: CorpusView) -> set[str]:
    ids = {c.id for c in operative}
    return {c.id for c in corpus.mentioning([forms]) if c.id in ids}


def _many(naming: set[str], operative: Sequence[Clause]) -> bool:
    """More than `TOPIC_MAX_SHARE` of the operative clauses ("ITU" is in 4 of 10, "ITU-T" in 6)."""
    return len(naming) > len(operative) * cal.TOPIC_MAX_SHARE


def _topics(question: str, clauses: Sequence[Clause], corpus: CorpusView) -> tuple[str, ...]:
    """The question's topic words: not the text's own subject (its title's words), nor an addressing verb,
    nor a word most of its operative clauses hold, which names no particular one ("I'm new to ITU, give me
    the gist": ITU is in 4 of the 10)."""
    operative = [c for c in clauses if c.kind == "operative"]
    # The addressing verbs ("instructed", "请") and the words for who ("bodies", "机构") say who is asked,
    # not about what.
    words = topic_terms(without_who_words(without_verbs(question)), corpus, asking=title_words(clauses))
    return _naming_few_clauses(words, operative, corpus)


def document_of(hits: Sequence[Hit], route: Route, corpus: CorpusView) -> str:
    """The document a whole-resolution question is about: the one it names, else the best hit's."""
    for hit in hits:
        if not route.references or hit.clause.resolution in route.references:
            return hit.clause.document
    return hits[0].clause.document


def known_topics(question: str, corpus: CorpusView) -> list[tuple[str, ...]]:
    """The question's topics that some clause names ("deal with" is none)."""
    return [forms for forms in focus_concepts(question) if corpus.mentioning([forms])]


def is_generic(
    question: str, corpus: CorpusView | None = None, *, asking: frozenset[str] = frozenset(),
    operative: Sequence[Clause] = (),
) -> bool:
    """True when the question names only who or which section, not a topic inside it.

    With `corpus`, a word no clause holds in any language ("rapporteur", "expect") names no topic of it;
    with the text's `operative` clauses too, a word most of them hold ("ITU-T各个SG要干啥": ITU-T is in 6
    of the 10) names none either.
    """
    terms = topic_terms(question, corpus, asking=asking)
    if operative and corpus is not None:
        terms = _naming_few_clauses(terms, operative, corpus)
    return len(terms) <= cal.GENERIC_MAX_TERMS


def _naming_few_clauses(terms: Sequence[str], operative: Sequence[Clause], corpus: CorpusView) -> tuple[str, ...]:
    """The terms that not most of the operative clauses name."""
    return tuple(t for t in terms if not _many(_naming((t,), operative, corpus), operative))


def purpose_words(clauses: Sequence[Clause]) -> frozenset[str]:
    """Words that name no topic in a question about why a text was adopted: those purpose questions
    ask with ("理由", "rationale"), and the text's own subject, its title's words in every language
    with their English stems ("why bother with digital transformation standards?" asks why the
    resolution on "standardization for … digital transformation" exists)."""
    return asking_terms("purpose") | title_words(clauses)


def title_words(clauses: Sequence[Clause]) -> frozenset[str]:
    """The words of the text's own subject: its title's words in every language, with their English stems."""
    title = [text for c in clauses if c.kind == "title" for text in (c.text, *(v["text"] for v in c.versions.values()))]
    words = {term for text in title for term in content_terms(text)}
    return frozenset(words | {stem(word) for word in words} | {a for text in title for a in _initialisms(text)})


def _initialisms(text: str) -> set[str]:
    """What a run of two to four consecutive English words of the title proper shortens to: "DT" for
    "digital transformation", "SDT" for "sustainable digital transformation", as users write the subject.
    (The lines with a number or a year name the resolution and its assembly, not its subject.)"""
    found = set()
    for line in text.splitlines():
        if any(ch.isdigit() for ch in line):
            continue
        terms = [t for t in content_terms(line) if t.isascii() and t.isalpha()]
        for size in range(2, 5):
            found.update("".join(t[0] for t in terms[i:i + size]) for i in range(len(terms) - size + 1))
    return found


def _names_nothing_of_the_text(words: str, corpus: CorpusView) -> bool:
    """No actor, section, paragraph or topic of the text in these words (a resolution's number aside:
    "in terms of res 106" says which text, not what in it)."""
    route = route_question(words)
    return not (route.actors or route.sections or route.items or known_topics(words, corpus))


def _names_another_session(question: str, clause: Clause) -> bool:
    """The question names the text's own assembly at another session ("Which city hosted WTSA-20?" of a
    WTSA-24 text), and not at the text's own."""
    sessions = [assembly_session(code) for code in codes_named(question)]
    years = {year for body, year in sessions if body and body == clause.assembly.casefold()}
    return bool(years) and clause.year not in years


def _names_only_other_bodies(question: str, own: str) -> bool:
    """The question names an assembly, and not the one that adopted the text ("WTSA or WTDC?" names it)."""
    named = {body for _, _, body in body_mentions(question, own=own)}
    return bool(named) and own not in named
