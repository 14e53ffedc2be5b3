"""Extractive, grounded answers: choose the clauses, quote them, frame them, cite them.

No LLM and no network: every statement is a verbatim quote followed by a marker
tied to a citation record, and nothing is said that no clause supports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, Sequence

from corpus.actors import actor_forms, actor_mentions, actor_vocabulary
from corpus.clause import Clause
from assistant import calibration as cal
from assistant.glossary import concepts, formal_terms, leftover, topics_named, translate_terms
from assistant.routing import Route, without_section_names
from assistant.text import content_terms, normalize
from assistant.types import Answer, Citation, Hit

_TRAILING = "；;，,。.、 "
_TASK_WORDS = frozenset(
    """instructed invited asked tasked encouraged requested required told called mandate mandated mandates task tasks
    role roles play plays job duty duties responsibility responsibilities do doing supposed expected need needs
    assigned given
    责成 请 要求 任务 职责 工作 作用 角色 应该 需要 负责 做出 决议 鼓励 被 干 做 邀请 哪些 什么 布置 交给 分配 安排 起到 中起
    能起 发挥 扮演
    全会""".split()
)


@dataclass(frozen=True)
class Selection:
    """The clauses an answer cites, or an abstention with the reason."""

    clauses: tuple[Clause, ...]
    abstained: bool
    reason: str = ""


class CorpusView(Protocol):
    """What selection needs to know about the whole corpus (HybridSearch provides it)."""

    def knows(self, term: str) -> bool: ...

    def mentioning(self, concepts: Sequence[Sequence[str]]) -> list[Clause]: ...

    def knows_resolution(self, number: str) -> bool: ...

    def footnote_anchors(self) -> Sequence[tuple[str, Clause]]: ...

    def citing(self, footnote_id: str) -> list[Clause]: ...


_LIST_MENTION = re.compile(
    r"\b(mention\w*|refer\w*|cite[sd]?|where (?:is|are|does|do)|(?:which|what) (?:[\w-]+ ){0,3}(?:clauses|paragraphs|parts|resolutions))\b|提到|提及|引用|涉及|哪些地方|哪些条款|哪几条|哪些段|哪几段|哪些决议"
)
_DOCUMENT_WORDS = re.compile(
    r"\b(?:the|this|that) (?:resolution|text|document)\b|本决议|该决议|这项决议|决议(?:中|里|对)|文中|文本|全文|这份文件"
)
_META = frozenset(
    """clause clauses paragraph paragraphs part parts section sections where which mention mentions mentioned refer
    refers referred cite cites cited cover covers covered about address addresses include includes contain contains
    discuss discusses say says said state states text document anything something topic topics issue issues
    subject subjects point points item items under have has having list show give
    条款 地方 哪些地方 哪些条款 部分 提到 提及 引用 涉及 讲到 谈到 关于 有关 有没有 是否 包括 哪些 哪几 哪里 段 项 条 点
    几点 哪几点 哪一点 一点 事项 议题 主题 问题 内容 方面 具体 其中 中 里 分别 下面 以下 一共 总共 共有 全部 所有 都
    all total altogether""".split()
)
# "在这项决议中", "本决议里", "in this resolution": the text itself, not a topic.
_THIS_TEXT = re.compile(
    r"在?(?:这|本|该|此)(?:一|项|份|个|篇)?(?:决议|文件|文本|案文)(?:中|里|当中)?|\bin (?:this|the) (?:resolution|text|document)\b"
)
_COUNTED_ITEMS = re.compile(
    r"[0-9一二两三四五六七八九十几]+\s*(?:段|项|点|条|个)|\b(?:two|three|four|five|six)\b(?:\W+\w+)?\W+(?:paragraphs|points|items)\b"
)
_DIGIT_TOKEN = re.compile(r"(?<![a-z0-9])(?=[a-z0-9.-]*[0-9])(?=[a-z0-9.-]*[a-z])[a-z0-9.-]{2,}(?![a-z0-9])")


def focus_concepts(question: str) -> list[tuple[str, ...]]:
    """What the question is about, as concepts with their corpus-side forms.

    Glossary terms come first (so "SDOs" matches 标准制定组织 and SDO); every other
    content word stands for itself.
    """
    text = _DOCUMENT_WORDS.sub(" ", question)
    found = list(concepts(text))
    for word in content_terms(leftover(text), precise=True):
        if word in _META or word in _TASK_WORDS or (len(word) < 2 and not word.isdigit()):
            continue
        found.append((word,))
    return list(dict.fromkeys(found))


def _unsupported(question: str, corpus: CorpusView) -> str:
    """Why the text cannot answer the question, or "" when it may."""
    norm = normalize(question)
    for token in _DIGIT_TOKEN.findall(norm):
        if not corpus.knows(token):
            return f"the text never mentions {token}"
    for start, end, key in actor_mentions(question):
        if not corpus.mentioning([actor_forms(key)]) and not corpus.knows(normalize(question[start:end])):
            return f"the text never mentions {question[start:end]}"
    for names in topics_named(question):
        if not corpus.mentioning([names]):
            return f"the text never mentions {names[0]}"
    return ""


def _is_generic(question: str) -> bool:
    """True when the question names only who or which section, not a topic inside it."""
    actor_words = actor_vocabulary()
    plain = _THIS_TEXT.sub(" ", _COUNTED_ITEMS.sub(" ", without_section_names(_without_actors(question))))
    residue = [
        t
        for t in content_terms(plain)
        if t not in _TASK_WORDS and t not in actor_words and t not in _META and len(t) > 1
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
    return any(re.search(pattern, norm) and not re.search(evidence, text) for pattern, evidence in cal.FACT_TYPES)


# "Which countries count as developing countries?", "其中的发展中国家具体指哪些国家？": the
# meaning of a marked term is its footnote's business.
_DEFINITION = re.compile(
    r"\bcounts? as\b|\bcounted as\b|\bdefin\w*|\bmeant by\b|\bwhat does [\w\s-]{2,40} mean\b|\bwho (?:are|is) meant\b"
    r"|具体指|指哪些|是指|指的是|定义|算作|算是|包括哪些国家|包含哪些国家"
)
# "Which clause is it attached to?", "这个脚注标在哪一段？": where a footnote is marked.
_ANCHOR = re.compile(
    r"\battached\b|\bfootnote (?:to|of|for) (?:which|what)\b|\bwhich (?:clause|paragraph|part|text) (?:is it|does it|uses|marks|carries|has)\b"
    r"|附在|标在|标注在|注的是哪|出自哪|哪一段的脚注|哪段的脚注|哪一段用|哪一段引用"
)


def _footnote_selection(question: str, hits: Sequence[Hit], route: Route, corpus: CorpusView) -> Selection | None:
    """A question about a footnote's anchor, or about the meaning of a term a footnote defines."""
    norm = normalize(question)
    if _ANCHOR.search(norm):
        footnotes = [h.clause for h in hits if h.clause.kind == "footnote" and (
            h.ranks.get("route") is not None or h.clause.id in route.context)]
        citing = [c for f in footnotes[:1] for c in corpus.citing(f.id)]
        if citing:
            return Selection(_by_order(citing), False, "footnote anchor")
    if _DEFINITION.search(norm):
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


_ROLE = re.compile(r"\broles?\b|\bplay\b|\bpart (?:of|for)\b|\binvolve\w*|作用|角色|地位|参与")


def _formal_actor_names(question: str) -> list[tuple[str, ...]]:
    """The resolution's own names for an actor a Chinese question calls by an everyday word: 大学 -> 学术界."""
    vocabulary = actor_vocabulary()
    names = tuple(t for t in formal_terms(question) if t.casefold() in vocabulary)
    return [names] if names else []


def _by_order(clauses) -> tuple[Clause, ...]:
    return tuple(sorted(clauses, key=lambda c: c.order))


def select_clauses(question: str, hits: Sequence[Hit], route: Route, *, corpus: CorpusView) -> Selection:
    """Cite as few clauses as answer the question; abstain when none does."""
    if not hits:
        return Selection((), True, "nothing retrieved")
    routed = [h for h in hits if h.ranks.get("route") is not None]
    footnoted = _footnote_selection(question, hits, route, corpus)
    if footnoted:
        return footnoted
    if route.items and (route.sections or route.actors or route.context):
        if routed:
            return Selection(_by_order(h.clause for h in routed), False, "named")
        return Selection((), True, "the resolution has no such paragraph")
    unknown = [n for n in route.references if not corpus.knows_resolution(n)]
    if unknown:
        return Selection((), True, f"the text neither holds nor cites Resolution {unknown[0]}")
    reason = _unsupported(question, corpus)
    if reason:
        return Selection((), True, reason)
    if routed and _is_generic(question):
        group = [h.clause for h in routed]
        if _ROLE.search(normalize(question)):
            # A role is more than a mandate: "What role does academia play?" also takes in
            # the clauses that speak of academia inside someone else's mandate.
            widened = {c.id: c for c in group}
            for forms in [*concepts(_THIS_TEXT.sub(" ", question)), *_formal_actor_names(question)]:
                widened.update((c.id, c) for c in corpus.mentioning([forms]))
            if len(widened) <= cal.MAX_CITATIONS:
                group = list(widened.values())
        return Selection(_by_order(group), False, "group")
    if _LIST_MENTION.search(normalize(question)):
        mentioned = corpus.mentioning(focus_concepts(question))
        if 0 < len(mentioned) <= cal.MAX_CITATIONS:
            return Selection(_by_order(mentioned), False, "mentions")
    # A question asking for a kind of fact (how often, how many, a deadline) is answered by
    # the best of the top few clauses that contains such a fact, or not at all.
    pool = (routed or list(hits))[: cal.FACT_SEARCH_DEPTH]
    for hit in pool:
        if not _asks_unsupported_fact(question, [hit.clause]):
            return Selection((hit.clause,), False, "ranked")
    return Selection((), True, "asks for a fact the text does not give")


def choose_quote(clause: Clause, question: str) -> str:
    """The clause's words that answer: the whole clause when short, else its best sentence."""
    text = clause.text.strip()
    if len(text) <= cal.QUOTE_MAX_CHARS:
        return text.rstrip(_TRAILING) or text
    pieces = [p for p in re.split(r"(?<=[。；;])", text) if p.strip()]
    terms = set(content_terms(question)) | set(translate_terms(question))
    best = max(pieces, key=lambda p: (sum(t in p for t in terms), -abs(len(p) - 80)))
    return best.strip().rstrip(_TRAILING) or best.strip()


_FRAMES = {
    "zh": {"one": "根据{label}：“{quote}”[{marker}]", "head": "共有{n}条相关条款：", "item": "{marker}. {label}：“{quote}”[{marker}]"},
    "en": {"one": "According to {label}: “{quote}” [{marker}]", "head": "{n} clauses answer this:", "item": "{marker}. {label}: “{quote}” [{marker}]"},
}


def _frame(language: str, citations: Sequence[Citation]) -> str:
    """The quotes framed in the question's language, each followed by its marker."""
    frames = _FRAMES["zh" if language == "zh" else "en"]
    fields = [{"label": c.label, "quote": c.quote, "marker": c.marker} for c in citations]
    if len(fields) == 1:
        return frames["one"].format(**fields[0])
    return "\n".join([frames["head"].format(n=len(fields)), *(frames["item"].format(**f) for f in fields)])


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
        text=_frame(language, citations),
        citations=citations,
        abstained=False,
        language=language,
        hits=tuple(hits),
    )
