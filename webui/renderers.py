"""The chat's HTML as pure functions of data: questions, answers, source cards, the status line, header, footer.

Everything the user or the corpus wrote is escaped here; the chatbot sanitizes again on the page.
"""

from __future__ import annotations

import html
import re
from typing import Sequence

from assistant.types import Answer, Status
from webui.strings import other, text
from webui.view import Corpus, Reading, SourceCard, clause_anchor, reading

SHOWN_QUESTION_CHARS = 600  # a longer question is echoed shortened (the Assistant still sees all of it)


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def highlight(body: str, quote: str) -> str:
    """The text escaped, with the quote (a substring of it) wrapped in <mark>."""
    start = body.find(quote) if quote else -1
    if start < 0:
        return esc(body)
    end = start + len(quote)
    return f"{esc(body[:start])}<mark>{esc(quote)}</mark>{esc(body[end:])}"


def render_reading(shown: Reading, lang: str) -> str:
    """A clause text; a version says whether it is official and keeps the original one click away."""
    if not shown.original:
        return highlight(shown.text, shown.quote)
    note = "" if shown.official else f'<span class="ra-unofficial">{esc(text(lang, "unofficial"))}</span>'
    return (
        f'<span class="ra-version" lang="{lang}">{highlight(shown.text, shown.quote)}</span>{note}'
        f'<details class="ra-original"><summary>{esc(text(lang, "original"))}</summary>'
        f'<span lang="{other(lang)}">{highlight(shown.original, shown.original_quote)}</span></details>'
    )


def render_question(question: str, lang: str) -> str:
    """The user's message as text (no wrapper: screen readers get it as the message's label)."""
    if len(question) <= SHOWN_QUESTION_CHARS:
        return esc(question)
    note = esc(text(lang, "shortened", n=len(question)))
    return f'{esc(question[:SHOWN_QUESTION_CHARS])}…<span class="ra-shortened">({note})</span>'


def render_pending(message: str, request: int) -> str:
    """A reply still to come; `request` ties it to the question it waits for."""
    return f'<div class="ra-pending ra-request-{request}">{esc(message)}</div>'


def render_draft(draft: str, message: str, request: int, lang: str) -> str:
    """An answer the LLM is still writing: its text so far, and a note that it is not checked yet."""
    return (f'<div class="ra-draft ra-request-{request}" lang="{lang}"><div class="ra-answer-text">{esc(draft)}</div>'
            f'<div class="ra-pending">{esc(message)}</div></div>')


def render_error(message: str) -> str:
    return f'<div class="ra-error" role="alert">{esc(message)}</div>'


def source_cards(answer: Answer, turn: int) -> list[SourceCard]:
    """The cards of one reply: its citations, or the related clauses of an abstention."""
    if answer.abstained:
        return [
            SourceCard(turn, f"r{i}", c.id, c.text, answer.language, related=True)
            for i, c in enumerate(answer.related, start=1)
        ]
    return [
        SourceCard(turn, str(c.marker), c.clause_id, c.text, answer.language, quote=c.quote, versions=dict(c.versions))
        for c in answer.citations
    ]


def _linked_markers(body: str, cards: dict[str, SourceCard]) -> str:
    """Escaped text with each "[n]" of a known citation turned into a link to its source card."""

    def link(match: re.Match) -> str:
        card = cards.get(match.group(1))
        if card is None:
            return match.group(0)
        return f'<a class="ra-cite" href="#{card.anchor}" title="[{card.key}]">{card.key}</a>'

    return re.sub(r"\s?\[(\d{1,3})\]", link, esc(body)).replace("\n", "<br>")


def _linked_labels(body: str, links: dict[str, str]) -> str:
    """Escaped text with each label turned into a link to its card (longest first, in one pass)."""
    escaped = esc(body)
    links = {esc(label): anchor for label, anchor in links.items()}
    if links:
        pattern = "|".join(re.escape(label) for label in sorted(links, key=len, reverse=True))
        escaped = re.sub(
            pattern, lambda m: f'<a class="ra-cite-label" href="#{links[m.group(0)]}">{m.group(0)}</a>', escaped
        )
    return escaped.replace("\n", "<br>")


def render_answer(answer: Answer, cards: Sequence[SourceCard]) -> str:
    """The assistant's message: the text with linked markers and a labelled citation list, or a
    muted abstention whose related-clause labels open their (related, not an answer) cards."""
    lang = answer.language
    notice = f'<div class="ra-notice">{esc(answer.notice)}</div>' if answer.notice else ""
    if answer.abstained:
        links = {clause.label(lang): card.anchor for clause, card in zip(answer.related, cards)}
        return (
            f'<div class="ra-abstain" lang="{lang}"><span class="ra-abstain-tag">{esc(text(lang, "no_answer"))}'
            f'</span><div class="ra-answer-text">{_linked_labels(answer.text, links)}</div>{notice}</div>'
        )
    by_marker = {card.key: card for card in cards}
    items = "".join(
        f'<a class="ra-cite-label" href="#{by_marker[str(c.marker)].anchor}"><span class="ra-num">{c.marker}</span>'
        f'<span class="ra-label-text">{esc(c.label)}</span></a>'
        for c in answer.citations
    )
    return (
        f'<div class="ra-answer" lang="{lang}"><div class="ra-answer-text">{_linked_markers(answer.text, by_marker)}'
        f'</div><div class="ra-citations">{items}</div>{notice}</div>'
    )


def render_card(card: SourceCard, corpus: Corpus, lang: str, *, is_open: bool) -> str:
    """A clause with its quote highlighted, between its neighbours, under its section's name."""
    classes = "ra-source is-open" if is_open else "ra-source"
    tag = f'<span class="ra-related-tag">{esc(text(lang, "related_tag"))}</span>' if card.related else ""
    num = "" if card.related else f'<span class="ra-num">{esc(card.key)}</span>'
    clause = corpus.by_id.get(card.clause_id)
    if clause is None:  # not in this corpus (any more): show what the answer carried
        return (
            f'<article class="{classes}" id="{card.anchor}">{tag}<div class="ra-source-head">{num}'
            f'<span class="ra-source-label">{esc(card.clause_id)}</span></div><ol class="ra-context">'
            f'<li class="ra-current">{highlight(card.text, card.quote)}</li></ol></article>'
        )
    rows = []
    for neighbour in corpus.neighbours(clause):
        item = corpus.item_mark(neighbour)
        item_html = f'<span class="ra-item">{esc(item)}</span>' if item else ""
        if neighbour is clause:
            shown = reading(clause.text, card.quote, clause.language, card.versions or clause.versions, lang)
            rows.append(f'<li class="ra-current">{item_html}{render_reading(shown, lang)}</li>')
        else:
            body = reading(neighbour.text, "", neighbour.language, neighbour.versions, lang).text
            rows.append(f'<li class="ra-neighbour">{item_html}<span class="ra-clamp">{esc(body)}</span></li>')
    section = corpus.section_name(clause, lang)
    return (
        f'<article class="{classes}" id="{card.anchor}" data-clause="{esc(clause.id)}">{tag}'
        f'<div class="ra-source-head">{num}<span class="ra-source-label">{esc(clause.label(card.language))}'
        f'<span class="ra-source-alt">{esc(clause.label(other(card.language)))}</span></span></div>'
        f'<div class="ra-source-section">{esc(text(lang, "section"))}: {esc(section)}</div>'
        f'<ol class="ra-context">{"".join(rows)}</ol>'
        f'<a class="ra-open-in-text" href="#{clause_anchor(clause.id)}">{esc(text(lang, "open_in_text"))} →</a></article>'
    )


def render_sources(cards: Sequence[SourceCard], corpus: Corpus, lang: str, *, open_anchor: str = "") -> str:
    """The Sources panel: every card of the conversation; the one asked for open, else the latest reply's first."""
    open_card = next((card for card in cards if card.anchor == open_anchor), None)
    if open_card is None and cards:
        open_card = next(card for card in cards if card.turn == cards[-1].turn)
    body = "".join(render_card(card, corpus, lang, is_open=card is open_card) for card in cards)
    return (
        f'<div class="ra-sources{" has-open" if open_card else ""}" aria-live="polite">'
        f'<h2>{esc(text(lang, "sources"))}</h2><p class="ra-sources-empty">{esc(text(lang, "sources_empty"))}</p>'
        f"{body}</div>"
    )


def render_status(status: Status, lang: str, *, error: str = "") -> str:
    """The status line: state, model, corpus size, where the index is, how answers are made."""
    if error:
        state, shown = "is-error", f'{text(lang, "status_error")}: {error}'
    elif status.ready:
        state, shown = "is-ready", text(lang, "status_ready")
    else:
        state, shown = "is-loading", text(lang, "status_loading")
    # The embedded index's folder is printed in the terminal, not shown to visitors.
    where = f'{text(lang, "status_server")} {status.chroma_server}' if status.chroma_server else text(lang, "status_embedded")
    answers = f"LLM {status.llm_model}".strip() if status.llm else text(lang, "status_extractive")
    counts = text(lang, "status_counts", documents=status.documents, clauses=status.clauses,
                  s="" if status.documents == 1 else "s")
    items = [
        f'<span class="ra-state"><span class="ra-dot {state}"></span>{esc(shown)}</span>',
        f'<span>{esc(text(lang, "status_model"))} {esc(status.embedding_model)}</span>',
        f"<span>{esc(counts)}</span>",
        f"<span>{esc(where)}</span>",
        f"<span>{esc(answers)}</span>",
        *(f'<span class="ra-warning">{esc(line)}</span>' for line in (*status.skipped, status.notice) if line),
    ]
    return f'<div class="ra-status" role="status">{"".join(items)}</div>'


def render_header(lang: str) -> str:
    return f'<h1>{esc(text(lang, "title"))}</h1><p>{esc(text(lang, "subtitle"))}</p>'


def render_footer(lang: str) -> str:
    """The page's own footer, in the interface's language (Gradio's follows the browser's)."""
    return (
        f'<footer class="ra-footer"><a href="?view=api" class="ra-api-link">{esc(text(lang, "footer_api"))}</a>'
        f'<span>{esc(text(lang, "footer_note"))}</span></footer>'
    )
