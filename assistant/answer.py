"""Extractive, grounded answers: choose the clauses, quote them, frame them, cite them.

No LLM and no network: every statement is a verbatim quote followed by a marker
tied to a citation record, and nothing is said that no clause supports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

from assistant import calibration as cal
from assistant.abbreviations import spelled_within
from assistant.glossary import concepts, formal_terms, leftover, topics_named, translate_terms
from assistant.understanding.intents import Intent, asking_terms
from assistant.understanding.asks import (
    assembly_session, codes_named, is_study_group_code, read_asks, resolution_follows,
    study_group_numbers, without_provision_words, without_this_text, without_who_words, years_named,
)
from assistant.understanding.wording import CorpusView, document_of, is_generic, known_topics, naming_few, purpose_words
from assistant.understanding.routing import RESOLUTION_NUMBER, Route
from assistant.text import acronyms, content_terms, normalize, proper_names, stemmed_terms
from assistant.types import Answer, Citation, Hit
from corpus.actors import actor_forms, actor_mentions, actor_vocabulary, english_name, without_actors
from corpus.assemblies import ASSEMBLY_NAMES, body_mentions
from corpus.clause import Clause
from corpus.labels import document_labels
from corpus.mandates import list_mandates
from corpus.places import PLACES_ZH_EN, place_en, place_zh
from corpus.sections import verbs_named, without_verbs

_TRAILING = "；;，,。.、 "


@dataclass(frozen=True)
class Selection:
    """The clauses an answer cites, or an abstention with the reason."""

    clauses: tuple[Clause, ...]
    abstained: bool
    reason: str = ""
    intent: str = ""  # the intent whose answer this is, when it shapes the framing
    title: Clause | None = None  # the document's title block, for answers about the whole resolution


def _unsupported(question: str, corpus: CorpusView) -> str:
    """Why the text cannot answer the question, or "" when it may."""
    for token in codes_named(question):
        # "res106" names a resolution (the references were checked before), not a code the text lacks;
        # "WTSA-24" is an assembly and its year, known when the text has the year.
        _, year = assembly_session(token)
        if year and corpus.knows(year):
            continue
        if is_study_group_code(token):
            continue  # "SG2": a study group by number, checked below as the text writes it (第2研究组)
        if not corpus.knows(token) and not RESOLUTION_NUMBER.fullmatch(token):
            return f"the text never mentions {token}"
    for number in study_group_numbers(question):
        # "ITU-D Study Group 1", "SG-13", "第3研究组": a study group by number is named only if the text
        # numbers it so (it names ITU-D's Study Group 2); the number elsewhere in the text is not it.
        if not any(corpus.knows(form) for form in (f"第{number}研究组", f"Study Group {number}", f"SG{number}")):
            return f"the text never mentions Study Group {number}"
    for start, end, key in actor_mentions(question):
        # Named in a clause's words, or addressed by one (in its heading: "做出决议，责成电信标准化局主任").
        if not corpus.mentioning([actor_forms(key)]) and not corpus.addresses(key):
            return f"the text never mentions {question[start:end]}"
    for names in topics_named(question):
        if not corpus.mentioning([names]):
            return f"the text never mentions {names[0]}"
    # "Explain the AAP timelines": an abbreviation that neither the text, its glossary, its actors
    # nor the initials of its English words spell out ("LDCs" are its least developed countries).
    # An abbreviation the glossary does not wholly translate ("ITU-R": it knows "ITU", not "-R") is checked.
    # ("RES 106" names a resolution: "RES" is no abbreviation of the text's.)
    named = [a for a in acronyms(RESOLUTION_NUMBER.sub(" ", question)) if leftover(a).strip(" -")]
    for name in _unknown_names(question, corpus, named):
        if corpus.abbreviates(name) is False:
            return f"the text never mentions {name}"
    return ""


def _mentioning_known(question: str, corpus: CorpusView, within: set[str] | None = None) -> list[Clause]:
    """Clauses naming the question's known topics: all of them, or any when they are joined by "or" (或者)."""
    known = known_topics(question, corpus)
    if not known:
        return []
    if read_asks(question).either:
        found = {c.id: c for forms in known for c in corpus.mentioning([forms])}
        clauses = list(found.values())
    else:
        clauses = corpus.mentioning(known)
    return [c for c in clauses if within is None or c.id in within]


def _headings_naming(question: str, hits: Sequence[Hit], corpus: CorpusView) -> list[Clause]:
    """Clauses whose heading names every one of the question's known topics. Even when they are joined by
    "or": "ITU-D or its study groups" asks about ITU-D's, not the ITU-T study groups a heading names."""
    known = known_topics(question, corpus)
    if not known:
        return []
    documents = dict.fromkeys(h.clause.document for h in hits)
    return [
        c for document in documents for c in corpus.document_clauses(document)
        if c.heading and all(any(form in c.heading for form in forms) for forms in known)
    ]


def _most_topical(question: str, group: Sequence[Clause], corpus: CorpusView, *, specific: bool = False) -> list[Clause]:
    """The clauses of `group` naming the most of the question's topics (none when no clause names any).

    The actor's own name ("ITU-T study groups") is who, not what. With `specific`, a word most of
    the operative clauses share ("ITU", "ITU-T") is no topic either: "Which ITU organs are instructed?"
    asks for every organ, not the mandates that happen to say "ITU".
    """
    known = known_topics(without_actors(question), corpus)
    if specific and group:
        operative = [c for c in corpus.document_clauses(group[0].document) if c.kind == "operative"]
        known = [forms for forms in known if naming_few(forms, operative, corpus)]
    ids = {c.id for c in group}
    counts = {c.id: 0 for c in group}
    for forms in known:
        for clause in corpus.mentioning([forms]):
            if clause.id in ids:
                counts[clause.id] += 1
    best = max(counts.values(), default=0)
    return [c for c in group if best and counts[c.id] == best]


def _asks_unsupported_fact(question: str, cited: Sequence[Clause]) -> bool:
    """The question asks for a kind of fact (date, amount, count, person) no cited clause contains."""
    text = " ".join(c.text for c in cited)
    return any(not re.search(evidence, text) for evidence in read_asks(question).facts)


def _footnote_selection(
    question: str, hits: Sequence[Hit], route: Route, corpus: CorpusView, given: Sequence[str] = ()
) -> Selection | None:
    """A question about a footnote's anchor, or about the meaning of a term a footnote defines."""
    norm = normalize(question)
    asks = read_asks(question)
    marking = [h.clause for h in hits if h.ranks.get("route") is not None and h.clause.kind != "footnote" and h.clause.footnotes]
    if marking and route.items and ("footnotes" in route.sections or asks.anchor):
        # "What does the footnote attached to recalling b) say?", "the note attached to recalling b) — which
        # countries does it list?": the anchor is given, what is attached to it asked.
        marked = {f for c in marking for f in c.footnotes}
        return Selection(_by_order(c for c in corpus.document_clauses(marking[0].document) if c.id in marked), False, "footnote of")
    if asks.anchor:
        footnotes = [h.clause for h in hits if h.clause.kind == "footnote" and (
            h.ranks.get("route") is not None or h.clause.id in route.context)]
        citing = [c for f in footnotes[:1] for c in corpus.citing(f.id)]
        if citing:
            # "What's the footnote attached to?" is answered by the anchor and the footnote it asks about;
            # only when the conversation has already shown the footnote ("What does footnote 1 say?" then
            # "Which clause is it attached to?") is the anchor alone new.
            also = [] if footnotes[0].id in given and not asks.also_its_words else footnotes[:1]
            return Selection(_by_order([*citing, *also]), False, "footnote anchor")
    if asks.definition:
        terms = {norm, *(form for forms in concepts(question) for form in forms)}
        # The marked term is the end of the anchor text: 发展中国家¹ is named by 发展中国家. In a
        # library the same term may be defined by footnotes of several resolutions: cite each.
        defining = {
            footnote.id: footnote
            for anchor, footnote in corpus.footnote_anchors()
            if any(_names_anchor(term, anchor) for term in terms)
        }
        if 0 < len(defining) <= cal.MAX_CITATIONS:
            return Selection(_by_order(defining.values()), False, "footnote definition")
    return None


def _names_anchor(text: str, anchor: str) -> bool:
    """Whether text contains a tail of the anchor of at least three characters."""
    return any(anchor[-size:] in text for size in range(3, len(anchor) + 1))


def _formal_actor_names(question: str) -> list[tuple[str, ...]]:
    """The resolution's own names for an actor a Chinese question calls by an everyday word: 大学 -> 学术界."""
    vocabulary = actor_vocabulary()
    names = tuple(t for t in formal_terms(question) if t.casefold() in vocabulary)
    return [names] if names else []


def _by_order(clauses) -> tuple[Clause, ...]:
    return tuple(sorted(clauses, key=lambda c: c.order))


def _whole_document_selection(intent: Intent, question: str, hits: Sequence[Hit], corpus: CorpusView) -> Selection | None:
    """Answers about the resolution as a whole: who must act, an overview, its facts, its references, its purpose."""
    clauses = corpus.document_clauses(document_of(hits, intent.route, corpus))
    if intent.name == "who-acts":
        # Who must act are the actors of every mandate the Mandates view lists: those a heading
        # addresses ("resolves to instruct TSAG", "invites Member States") and a resolves clause
        # that opens on its actor ("resolves 4: to encourage members … to participate").
        every = list_mandates(clauses)
        actor_of = {m.clause_id: m.actor for m in every}
        # In the Mandates view's order, grouped by actor: the members' resolves 4 beside their invitation.
        rank = {m.clause_id: i for i, m in enumerate(every)}
        chosen = [c for c in clauses if c.id in actor_of]
        # "除了TSAG，还有谁…", "apart from TSAG, who else…": the others.
        excluded = set(intent.route.excluded)
        chosen = [c for c in chosen if actor_of[c.id] not in excluded] or chosen
        verbs = verbs_named(question)
        if verbs:
            # "决议请哪几类成员出力？", "Who is invited to contribute?": the actors of that verb, from every
            # mandate the Mandates view lists ("Who is encouraged…?" is resolves 4); one asking for tasks
            # or that verb ("布置了任务、或者发出了邀请") wants every actor and those.
            named = {m.clause_id for m in every if m.verb in verbs}
            asks = read_asks(question)
            if asks.any_task and asks.either:
                named |= {c.id for c in chosen}
            chosen = [c for c in clauses if c.id in named and actor_of[c.id] not in excluded] or chosen
        # "which bodies or members" is the who, "instructed, invited or encouraged" how: not a topic.
        asked = without_who_words(normalize(without_verbs(question)))
        # The words who-acts questions are asked with ("implementing", "落实") name no topic.
        if not verbs and not is_generic(asked, corpus, asking=asking_terms("who-acts")):
            # "Who is responsible for continuing RG-DT's work?": the mandates on that topic.
            chosen = _most_topical(asked, chosen, corpus, specific=True) or chosen
    elif intent.name == "overview":
        chosen = [c for c in clauses if c.kind == "operative"]
    elif intent.name == "document":
        chosen = [c for c in clauses if c.kind == "title"]
    elif intent.name == "references" and not set(intent.route.references) - {c.resolution for c in clauses}:
        # "Which resolutions does Res 106 recall?" names the resolution itself, not one it cites.
        chosen = [c for c in clauses if c.kind != "foreword" and _matching_refs(question, c)]
        named = {body for _, _, body in body_mentions(question, own="") if body}
        if not chosen and named:
            # "ITU-R在数字化转型方面通过了哪些决议？": the text cites none of that body's resolutions.
            return Selection((), True, f"the text cites no resolution of {sorted(named)[0]}")
        if not named and not is_generic(question, corpus, asking=asking_terms("references")):
            # "Does it cite anything on climate change?": the references on that topic.
            chosen = _most_topical(question, chosen, corpus) or chosen
    elif intent.name == "purpose" and is_generic(question, corpus, asking=purpose_words(clauses)):
        # "Why was it adopted?"; a why-question about a topic ("why cooperate with SDOs?") is a
        # lookup (measured on the dev set: narrowing it to the considering paragraphs lost a case).
        # The words purpose questions ask with ("制定这份决议的理由", "背后的考虑") name no topic.
        chosen = [c for c in clauses if c.section in PURPOSE_SECTIONS]
    elif intent.name == "role":
        chosen = _role_clauses(question, clauses, corpus, intent.route.actors)
    else:
        return None
    if not chosen:
        return None
    title = next((c for c in clauses if c.kind == "title"), None)
    ordered = _by_order(chosen)
    if intent.name == "who-acts":
        ordered = tuple(sorted(ordered, key=lambda c: rank[c.id]))
    return Selection(ordered, False, intent.name, intent.name, title)


def _citing_the_named_body(question: str, group: Sequence[Clause]) -> list[Clause]:
    """Of a group, the clauses citing a resolution of the body the question names: "this assembly"
    (本届全会), "WTSA-24", "the Plenipotentiary"; none when it names none. "WTSA Res 106" names the
    text itself, not the resolutions it cites."""
    named = {body for _, end, body in body_mentions(question, own="") if not resolution_follows(question, end)}
    return [c for c in group if any(ref.body in named or (ref.body == c.assembly and "" in named) for ref in c.refs)]


def _matching_refs(question: str, clause: Clause) -> list:
    """The clause's references that fit what the question says of them: the body, the year, the place.

    "Which WTDC resolutions…", "本届全会的哪些决议", "New Delhi 2024 resolutions" narrow the list.
    """
    norm = normalize(question)
    bodies = {body for _, _, body in body_mentions(question, own=clause.assembly)}
    years = years_named(question)
    places = {zh for zh, en in PLACES_ZH_EN.items() if zh in norm or en.casefold() in norm}
    return [
        ref for ref in clause.refs
        if (not bodies or ref.body in bodies) and (not years or ref.year in years) and (not places or ref.place in places)
    ]


# Why a resolution was adopted is what its "considering" paragraphs say.
PURPOSE_SECTIONS = ("considering", "considering-further")


def _named_verb_mandates(question: str, clauses: Sequence[Clause], actors: Sequence[str]) -> set[str]:
    """Ids of the actors' mandates whose verb the question names; empty when it names none or none fits."""
    verbs = verbs_named(question)
    if not verbs:
        return set()
    return {m.clause_id for m in list_mandates(clauses) if m.verb in verbs and m.actor in actors}


def _naming_the_member_kind(question: str, group: Sequence[Clause]) -> list[Clause]:
    """Of an actor's clauses, those whose heading or words name the kind of member the question names.

    "Member States" are one of the membership's four kinds: the invites paragraph names them
    in its heading, "encourage members, in particular academia" does not. Unchanged when the
    question names no kind, or no clause names it.
    """
    kinds = []
    for start, end, actor in actor_mentions(question):
        if actor != "members":
            continue  # "ITU-T的SG们" names the study groups; "ITU-T" there is no kind of member
        mention = question[start:end]
        kinds.extend(forms for forms in [*concepts(mention), *_formal_actor_names(mention)] if forms)
    named = [c for c in group if any(form in c.context_text for forms in kinds for form in forms)]
    return named or list(group)


def _role_clauses(question: str, clauses: Sequence[Clause], corpus: CorpusView, actors: Sequence[str] = ()) -> list[Clause]:
    """What the asker's kind of member is asked to do: the clauses addressed to the membership,
    and the operative clauses that name the asker's category (academia, developing countries).

    An asker who names another actor ("I'm a rapporteur in a study group") gets that actor's mandates.
    """
    others = [a for a in actors if a != "members"]
    if others:
        return [c for c in clauses if c.id in {m.clause_id for m in list_mandates(clauses) if m.actor in others}]
    named_verb = _named_verb_mandates(question, clauses, ("members",))
    if named_verb:
        return [c for c in clauses if c.id in named_verb]  # "What are we invited to do?": the invites clause
    ids = {c.id for c in clauses}
    operative = [c for c in clauses if c.kind == "operative"]
    duties = {m.clause_id for m in list_mandates(clauses) if m.actor == "members"}
    category: set[str] = set()
    for forms in [*concepts(question), *_formal_actor_names(question)]:
        category.update(naming_few(forms, operative, corpus))  # "ITU-T" names no asker's category
    category.update(c.id for c in _footnoted_category(question, clauses, corpus) if c.id in ids)
    # "What help can we expect?" gets the same: the clauses naming the asker's category say what others are
    # to do for it, and the members' own duties are part of what the text holds for it. (Only others' tasks,
    # for a question about help, lost 12 dev answers and won 22 against the reading the blind sets follow.)
    chosen = duties | category
    return [c for c in clauses if c.id in chosen]


def _footnoted_category(question: str, clauses: Sequence[Clause], corpus: CorpusView) -> list[Clause]:
    """For an asker of a kind a footnote lists ("我国是内陆发展中国家", "a small island developing state",
    "an LDC"): the footnote, and the operative clauses naming the term it explains (发展中国家¹)."""
    norm = normalize(question)
    asked = stemmed_terms(question)
    abbreviations = acronyms(question)
    operative = [c for c in clauses if c.kind == "operative"]
    found: list[Clause] = []
    for anchor, footnote in corpus.footnote_anchors():
        kinds = [*re.split(r"[、，,；;]|和", footnote.text), *re.split(r",|;|\band\b", footnote.text_in("en"))]
        if not any(_names_kind(norm, asked, abbreviations, kind.strip().rstrip("。."), anchor) for kind in kinds):
            continue
        # The term explained is the longest end of the words before the mark that operative clauses use.
        term = next((anchor[-n:] for n in range(len(anchor), 2, -1) if any(anchor[-n:] in c.text for c in operative)), "")
        found += [footnote, *(c for c in operative if term and term in c.text)]
    return found


def _names_kind(norm: str, asked: Sequence[str], abbreviations: Sequence[str], kind: str, anchor: str) -> bool:
    """Whether a question names one kind of a footnote's list, by more than the marked term itself:
    its last five characters or more in Chinese ("内陆发展中国家", not "发展中国家"), its last three
    words in English, or an abbreviation its words spell ("LDC")."""
    if kind.isascii():
        if any(spelled_within(a, kind) for a in abbreviations):
            return True
        words = stemmed_terms(kind)[-3:]
        return len(words) == 3 and any(asked[i:i + 3] == words for i in range(len(asked)))
    return any(kind[-n:] in norm and kind[-n:] not in anchor for n in range(5, len(kind) + 1))


def select_clauses(
    question: str, hits: Sequence[Hit], route: Route, *, corpus: CorpusView, intent: Intent | None = None,
    given: Sequence[str] = (),
) -> Selection:
    """Cite as few clauses as answer the question; abstain when none does.

    `given`: the clauses the conversation has already cited (a follow-up need not cite them again).
    """
    selection = _select(question, hits, route, corpus=corpus, intent=intent, given=given)
    if selection.clauses and not selection.abstained and _asks_unsupported_fact(question, selection.clauses):
        # "第89号决议是哪一天通过的？" picks the clause citing it, which dates it by year only; "What
        # penalties apply to members who do not comply?" is about everyone, and still unanswered.
        return Selection((), True, "asks for a fact the text does not give", selection.intent)
    if selection.clauses and not selection.abstained:
        # An asker of a kind a footnote lists ("a small island developing state") is answered by a
        # clause naming the term the footnote explains (发展中国家¹): the footnote is what says the
        # asker is meant, whichever way the clause was found.
        explained = _footnoted_category(question, selection.clauses, corpus)
        footnotes = [c for c in explained if c.kind == "footnote" and c not in selection.clauses]
        if footnotes and any(c.kind != "footnote" for c in explained):
            return replace(selection, clauses=_by_order([*selection.clauses, *footnotes]))
    return selection


def _unknown_names(question: str, corpus: CorpusView, names: Sequence[str] | None = None) -> list[str]:
    """The question's proper names that no clause holds, in any language or translation.

    A name counts as held when the text has it as written, as a venue (Kigali = 基加利), or as an
    actor or glossary term whose Chinese form a clause names (a Chinese-only corpus knows "Council").
    """
    plain = RESOLUTION_NUMBER.sub(" ", question)  # "Res 44" names a resolution, not a place
    translated = {name.casefold() for start, end, _ in actor_mentions(plain) for name in plain[start:end].split()}
    translated.update(plain[start:end].casefold() for start, end, _ in body_mentions(plain, own=""))  # "PP", "WTDC"
    for forms in concepts(plain):
        if corpus.mentioning([forms]):
            translated.update(word.casefold() for form in forms for word in form.split())
    return [
        name for name in (proper_names(plain) if names is None else names)
        if name.casefold() not in translated and not corpus.knows(place_zh(name)) and not corpus.knows_word(name.casefold())
    ]


def _select(
    question: str, hits: Sequence[Hit], route: Route, *, corpus: CorpusView, intent: Intent | None = None,
    given: Sequence[str] = (),
) -> Selection:
    if not hits:
        return Selection((), True, "nothing retrieved")
    asks = read_asks(question)
    if intent is not None and intent.name == "out-of-scope":
        return Selection((), True, intent.reason or "the question is not about the resolution", intent.name)
    unknown = [n for n in route.references if not corpus.knows_resolution(n)]
    if unknown:
        return Selection((), True, f"the text neither holds nor cites Resolution {unknown[0]}")
    cited_only = [n for n in route.references if not corpus.holds_resolution(n)]
    if cited_only and asks.provisions:
        # A citing clause gives another resolution's number, title and subject, never its
        # provisions: "What does Resolution 44 instruct the TSB Director to do?" is not answered here.
        return Selection((), True, f"the text cites Resolution {cited_only[0]} but does not give its provisions")
    if asks.if_mentioned:
        # "Does it mention India by name?", "有没有点名巴西？": a name no clause holds, in any language.
        missing = _unknown_names(question, corpus)
        if missing:
            return Selection((), True, f"the text never mentions {missing[0]}")
    # No summary of the whole text for a question about something it never names: "what does res 106
    # require for 6G networks" reads as an overview (0.61); the checks below abstain. (Document facts
    # and references answer "Is this from WTSA-20 or WTSA-24?" themselves.)
    unsupported = _unsupported(question, corpus)
    if intent is not None and intent.name not in ("clause", "footnote") and not (intent.name in _SUMMARIES and unsupported):
        whole = _whole_document_selection(intent, question, hits, corpus)
        if whole is not None:
            return whole
    routed = [h for h in hits if h.ranks.get("route") is not None]
    footnoted = _footnote_selection(question, hits, route, corpus, given)
    if footnoted:
        return footnoted
    if route.items and (route.sections or route.actors or route.context):
        if routed:
            return Selection(_by_order(h.clause for h in routed), False, "named")
        return Selection((), True, "the resolution has no such paragraph")
    if unsupported:
        return Selection((), True, unsupported)
    if routed and is_generic(question, corpus, operative=_operative(hits, route, corpus)):
        group = [h.clause for h in routed]
        named_verb = _named_verb_mandates(question, group, route.actors)
        if named_verb:
            group = [c for c in group if c.id in named_verb]
        group = _naming_the_member_kind(question, group)
        group = _citing_the_named_body(question, group) or group
        if asks.role:
            # A role is more than a mandate: "What role does academia play?" also takes in
            # the clauses that speak of academia inside someone else's mandate.
            widened = {c.id: c for c in group}
            for forms in [*concepts(without_this_text(question)), *_formal_actor_names(question)]:
                widened.update((c.id, c) for c in corpus.mentioning([forms]))
            if len(widened) <= cal.MAX_CITATIONS:
                group = list(widened.values())
        return Selection(_by_order(group), False, "group")
    if routed and route.addressed and len(route.actors) > 1:
        # "TSAG/TSB/SG各自的任务", "What do TSAG and the TSB Director have to do?": naming several
        # actors asks what each is to do, every one of their mandates.
        return Selection(_by_order(h.clause for h in routed), False, "group")
    if routed and route.wants_list and (route.actors or route.sections):
        # "List all the instructions given to the study groups": every routed clause, or those
        # of them that name the question's topic when it has one the text knows.
        group = [h.clause for h in routed]
        return Selection(_by_order(_most_topical(question, group, corpus) or group), False, "group")
    if asks.list_mention:
        mentioned = _mentioning_known(question, corpus, within={h.clause.id for h in routed} if routed else None)
        if mentioned and not routed:
            # A heading is the clause's words too: "请成员国、部门成员、部门准成员和学术成员" names academia
            # for the paragraph under it ("哪些条款提到了学术界").
            mentioned = list(_by_order({c.id: c for c in [*mentioned, *_headings_naming(question, hits, corpus)]}.values()))
        if 0 < len(mentioned) <= cal.MAX_CITATIONS:
            return Selection(_by_order(mentioned), False, "mentions")
    if route.wants_list and not routed and asks.provisions:
        # "针对发展中国家，决议拿出了哪些措施？": every operative clause naming the topic, when several do.
        topic = without_provision_words(without_this_text(normalize(question)))
        acting = [c for c in _mentioning_known(topic, corpus) if c.kind == "operative"]
        if 1 < len(acting) <= cal.MAX_CITATIONS:
            return Selection(_by_order(acting), False, "measures")
    # A question asking for a kind of fact (how often, how many, a deadline) is answered by
    # the best of the top few clauses that contains such a fact, or not at all.
    pool = (routed or list(hits))[: cal.FACT_SEARCH_DEPTH]
    if asks.why and not routed:
        # "Why does the text stress working with ITU-D?" is answered by a reason the assembly
        # gives (a preambular paragraph), when one is among the best few.
        reasons = [h for h in hits[: cal.FACT_SEARCH_DEPTH] if h.clause.kind == "preambular"]
        # A recital that recalls a document cites it; the reasons are what the assembly considers, bears in
        # mind or notes ("决议为什么强调要跟ITU-D研究组协调？" is bearing in mind c, not the recalled Res 2).
        pool = sorted(reasons, key=lambda h: h.clause.section == "recalling") or pool
    others = {body for _, _, body in body_mentions(question, own="")} - {h.clause.assembly for h in pool}
    if others:
        # "Which Plenipotentiary resolution is recalled?": a clause citing that body's resolution, when
        # one is among the best few (the text's own assembly names where it is, not what is asked).
        pool = sorted(pool, key=lambda h: not any(ref.body in others for ref in h.clause.refs))
    if asks.who_acts and not asks.who_did:
        # "Who is responsible for continuing RG-DT's work?" is answered by a clause that gives
        # someone a task, when one is among the best few.
        tasked = {m.clause_id for m in list_mandates([h.clause for h in pool])}
        pool = sorted(pool, key=lambda h: h.clause.id not in tasked)
    elif asks.who_did or asks.when_done:
        # Who set something up, and when, is what the preamble records ("它是什么时候成立的？" after a
        # question on TSAG's task is noting 1, not the task): a preambular clause among the best few
        # hits, even outside the actor a follow-up carried over. Before what is to happen next: "that
        # RG-DT thing it is supposed to continue - when was it set up?" asks when.
        recorded = [h for h in hits[: cal.FACT_SEARCH_DEPTH] if h.clause.kind == "preambular"]
        pool = recorded + [h for h in pool if h not in recorded]
    elif asks.future:
        # What is to happen next is decided by an operative clause, when one is among the best few.
        pool = sorted(pool, key=lambda h: h.clause.kind != "operative")
    # The fact must be about what the question names: "RG-DT每年开几次会" is not answered by how
    # often WTSA meets. An abbreviation the text holds ("RG-DT", "TSAG") is the question's subject.
    naming = [{c.id for c in corpus.mentioning([(a.removesuffix("s"),)])} for a in acronyms(question)]
    naming = [ids for ids in naming if ids]  # an abbreviation the text lacks is left to the other checks
    for hit in pool:
        if hit is not pool[0] and not all(hit.clause.id in ids for ids in naming):
            continue
        if not _asks_unsupported_fact(question, [hit.clause]):
            return Selection((hit.clause,), False, "ranked")
    return Selection((), True, "asks for a fact the text does not give")


def _operative(hits: Sequence[Hit], route: Route, corpus: CorpusView) -> list[Clause]:
    """The operative clauses of the document the question is about."""
    return [c for c in corpus.document_clauses(document_of(hits, route, corpus)) if c.kind == "operative"]


# Whole-document answers that summarize what the text asks of whom.
_SUMMARIES = ("overview", "who-acts", "purpose")


# A full stop ends a sentence unless it ends an abbreviation: "Resolution 2 (Rev. Kigali, 2022)".
_SENTENCE_BREAK = re.compile(r"(?<=[。；;])\s*|(?<=[.])(?<!\bRev\.)(?<!\bNo\.)(?<!\bRes\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bcf\.)\s+")


def choose_quote(text: str, question: str) -> str:
    """The words of a clause text that answer: the whole text when short, else its best sentence."""
    text = text.strip()
    if len(text) <= cal.QUOTE_MAX_CHARS:
        return text.rstrip(_TRAILING) or text
    pieces = [p for p in _SENTENCE_BREAK.split(text) if p.strip()]
    terms = set(content_terms(question)) | set(translate_terms(question))
    best = max(pieces, key=lambda p: (sum(t in p.lower() for t in terms), -abs(len(p) - cal.QUOTE_IDEAL_CHARS)))
    return best.strip().rstrip(_TRAILING) or best.strip()


def cite(marker: int, clause: Clause, question: str, language: str) -> Citation:
    """A citation of `clause` quoting it in every language it has.

    The original's quote stays in `quote`; each version's in `versions`. When the reader's
    language is a version, the original is quoted whole, so it carries all the version says.
    """
    reads_version = language != clause.language and language in clause.versions
    quote = _assembly_line if clause.kind == "title" else choose_quote
    original = clause.text.strip().rstrip(_TRAILING) or clause.text if reads_version else quote(clause.text, question)
    versions = {
        lang: {"text": v["text"], "quote": quote(v["text"], question), "official": bool(v.get("official", True))}
        for lang, v in clause.versions.items()
    }
    return Citation(
        marker=marker,
        clause_id=clause.id,
        label=clause.label(language),
        quote=original,
        text=clause.text,
        labels=dict(clause.labels),
        versions=versions,
    )


_FRAMES = {
    "zh": {
        "one": "根据{label}：“{quote}”[{marker}]",
        "head": "共有{n}条相关条款：",
        "item": "{marker}. {label}：“{quote}”[{marker}]",
        "who-acts": "本决议要求以下各方采取行动：",
        "actor": "{marker}. {actor}（{label}）：“{quote}”[{marker}]",
        "overview": "{document}《{title}》的执行部分共{n}条：",
        "document": "这是{document}《{title}》，由{assembly}于{year}年在{place}通过：“{quote}”[{marker}]",
        "references": "本决议援引了以下{n}项决议：",
        "purpose": "全会通过本决议的考虑如下：",
        "role": "以下条款涉及您所属的成员类别：",
        "unofficial": "",
    },
    "en": {
        "one": "According to {label}: “{quote}” [{marker}]",
        "head": "{n} clauses answer this:",
        "item": "{marker}. {label}: “{quote}” [{marker}]",
        "who-acts": "The resolution asks these bodies to act:",
        "actor": "{marker}. {actor} ({label}): “{quote}” [{marker}]",
        "overview": "{document}, “{title}”, decides in {n} operative clauses:",
        "document": "This is {document}, “{title}”, adopted by the {assembly} in {place} in {year}: “{quote}” [{marker}]",
        "references": "The resolution refers to these {n} resolutions:",
        "purpose": "The assembly adopted it considering:",
        "role": "These clauses address your kind of member:",
        "unofficial": "Quotes are from an unofficial English rendering; the Chinese text is authoritative.",
    },
}


def _frame(language: str, citations: Sequence[Citation], selection: Selection) -> str:
    """The quotes framed in the question's language, each followed by its marker."""
    zh = language == "zh"
    frames = _FRAMES["zh" if zh else "en"]
    actors = {c.id: c.actor for c in selection.clauses if c.actor}
    fields = [
        {"label": c.label if zh else _with_english_name(c.label, actors.get(c.clause_id)), "quote": c.quote_in(language),
         "marker": c.marker}
        for c in citations
    ]
    if selection.intent == "document" and len(fields) == 1 and selection.title is not None:
        lines = [frames["document"].format(**fields[0], **_document_facts(selection.title, language))]
    elif selection.intent == "who-acts":
        mandates = {m.clause_id: m for m in list_mandates(selection.clauses)}
        lines = [frames["who-acts"], *(
            frames["actor"].format(
                label=c.label, quote=f["quote"], marker=f["marker"],
                actor=mandates[c.clause_id].actor_names["zh"] if zh else english_name(mandates[c.clause_id].actor),
            )
            for f, c in zip(fields, citations) if c.clause_id in mandates
        )]
    elif len(fields) == 1:
        lines = [frames["one"].format(**fields[0])]
    else:
        head = frames.get(selection.intent) if selection.intent in ("overview", "references", "purpose", "role") else None
        if head and "{title}" in head and selection.title is None:
            head = None
        facts = _document_facts(selection.title, language) if selection.title is not None else {}
        lines = [(head or frames["head"]).format(n=len(fields), **facts), *(frames["item"].format(**f) for f in fields)]
    if any(not c.versions.get(language, {}).get("official", True) for c in citations) and frames["unofficial"]:
        lines.append(frames["unofficial"])
    return "\n".join(lines)


def _with_english_name(label: str, actor: str | None) -> str:
    """An English label with its actor's full name when the label abbreviates it: "resolves to instruct
    TSAG (Telecommunication Standardization Advisory Group)"."""
    if not actor:
        return label
    name = english_name(actor)
    return label if name.casefold() in label.casefold() else f"{label} ({name})"


def _document_facts(title: Clause, language: str) -> dict:
    """The document's name, title, assembly, place and year, in `language`, from its title clause."""
    names = ASSEMBLY_NAMES.get(title.assembly, (title.assembly, title.assembly))
    zh = language == "zh"
    return {
        "document": document_labels(resolution=title.resolution, place=title.place, year=title.year)[language],
        "title": _title_line(title.text_in(language)),
        "assembly": names[1] if zh else f"{names[0]} ({title.assembly})",
        "place": place_zh(title.place) if zh else place_en(title.place),
        "year": title.year,
    }


def _assembly_line(title_block: str, question: str = "") -> str:
    """Of a title block, the assembly line: it names the adopting body, the place and the year."""
    lines = [line.strip() for line in title_block.splitlines() if line.strip()]
    return (lines[-1].rstrip(_TRAILING) or lines[-1]) if lines else title_block


def _title_line(title_block: str) -> str:
    """The title from a title block: the line that is neither the number, a date nor the assembly line."""
    lines = [line.strip() for line in title_block.splitlines() if line.strip()]
    return lines[1] if len(lines) > 1 else (lines[0] if lines else "")


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


def selected_first(selection: Selection, hits: Sequence[Hit]) -> tuple[Hit, ...]:
    """The answer's ranking: the selected clauses first, then the other hits.

    A whole-resolution answer or a footnote's anchor is found by structure, not by similarity;
    ranking it first keeps the contract that nothing is cited outside the retrieved clauses.
    """
    found = {h.clause.id: h for h in hits}
    chosen = [found.get(c.id) or Hit(clause=c, score=0.0, ranks={"structure": i}) for i, c in enumerate(selection.clauses)]
    ids = {c.id for c in selection.clauses}
    return (*chosen, *(h for h in hits if h.clause.id not in ids))


def compose_answer(question: str, language: str, selection: Selection, hits: Sequence[Hit]) -> Answer:
    """An Answer whose every citation quotes its clause verbatim."""
    if selection.abstained:
        # Off-topic questions have no related clause: naming the nearest ones would suggest otherwise.
        related = () if selection.intent == "out-of-scope" else tuple(h.clause for h in hits[: cal.RELATED_SHOWN])
        return Answer(
            text=abstention_text(language, related), abstained=True, language=language, hits=tuple(hits), related=related
        )
    citations = tuple(cite(i, clause, question, language) for i, clause in enumerate(selection.clauses, start=1))
    return Answer(
        text=_frame(language, citations, selection),
        citations=citations,
        abstained=False,
        language=language,
        hits=selected_first(selection, hits),
    )
