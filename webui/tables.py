"""The Mandates table, its filter and CSV, and the Resolution tab: pure functions of the corpus and the language."""

from __future__ import annotations

import csv
import io
import re
from typing import Sequence

from assistant.core import verb_names
from assistant.types import Clause, Mandate
from webui.renderers import esc, render_reading
from webui.strings import LANGUAGES, other, text
from webui.view import Corpus, clause_anchor, reading


def render_resolution(corpus: Corpus, lang: str) -> str:
    """The whole corpus by document and section; every clause has an anchor and its label."""
    parts = []
    for doc in corpus.documents:
        title = doc.titles.get(lang) or doc.titles.get("zh", "")
        alt = doc.titles.get(other(lang), "")
        parts.append(
            f'<article class="ra-doc" id="doc-{clause_anchor(doc.id).removeprefix("clause-")}"><header>'
            f"<h2>{esc(doc.names.get(lang) or doc.id)}</h2>"
            + (f'<p class="ra-doc-title">{esc(title)}</p>' if title else "")
            + (f'<p class="ra-doc-title-alt">{esc(alt)}</p>' if alt and alt != title else "")
            + "</header>"
        )
        sections: dict[str, list[Clause]] = {}
        for clause in doc.clauses:
            sections.setdefault(clause.section, []).append(clause)
        for clauses in sections.values():
            rows = "".join(
                f'<div class="ra-clause" id="{clause_anchor(c.id)}"><span class="ra-item">{esc(corpus.item_mark(c))}</span>'
                f'<div class="ra-clause-text" lang="{c.language}">'
                f"{render_reading(reading(c.text, '', c.language, c.versions, lang), lang)}</div>"
                f'<a class="ra-clause-label" href="#{clause_anchor(c.id)}" title="{esc(c.label(lang))}">'
                f"{esc(corpus.short_label(c, lang))}</a></div>"
                for c in clauses
            )
            heading = corpus.section_name(clauses[0], lang)
            parts.append(f'<section class="ra-section"><h3>{esc(heading)}</h3>{rows}</section>')
        parts.append("</article>")
    return "".join(parts)


def _verb(verb: str, lang: str) -> str:
    return verb_names(verb).get(lang) or verb


def _versions(mandate: Mandate, corpus: Corpus) -> dict:
    clause = corpus.by_id.get(mandate.clause_id)
    return clause.versions if clause else {}


def filter_mandates(mandates: Sequence[Mandate], words: str, corpus: Corpus) -> list[Mandate]:
    """Mandates whose actor names, verb, labels or text (in any language version) contain every word of `words`."""
    terms = words.casefold().split()

    def haystack(m: Mandate) -> str:
        versions = (v.get("text", "") for v in _versions(m, corpus).values())
        verbs = (_verb(m.verb, lang) for lang in LANGUAGES)
        return " ".join([m.actor, *m.actor_names.values(), m.verb, *verbs, *m.labels.values(), m.text, *versions]).casefold()

    return [m for m in mandates if all(term in haystack(m) for term in terms)]


def mandates_csv(mandates: Sequence[Mandate], corpus: Corpus) -> str:
    """CSV text, both languages, one row per mandate; `text` is the authoritative original."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["actor", "actor_en", "actor_zh", "verb", "clause_id", "label_en", "label_zh", "text",
                     "text_en", "text_en_official"])
    for m in mandates:
        english = _versions(m, corpus).get("en", {})
        writer.writerow([
            m.actor, m.actor_names.get("en", ""), m.actor_names.get("zh", ""), m.verb, m.clause_id,
            m.labels.get("en", ""), m.labels.get("zh", ""), m.text, english.get("text", ""),
            "" if not english else str(bool(english.get("official", False))).lower(),
        ])
    return out.getvalue()


def csv_name(actor: str | None, words: str, rows: Sequence[Mandate]) -> str:
    """A file name that says what was filtered: mandates-tsag.csv, mandates-all-capacity-building.csv."""
    actors = {m.actor for m in rows}
    who = "all" if actor in (None, "", "all") else (actors.pop() if len(actors) == 1 else actor)
    slug = re.sub(r"[^\w]+", "-", f"{who} {words}".casefold()).strip("-_") or "all"
    return f"mandates-{slug[:60].rstrip('-')}.csv"


def render_mandates(mandates: Sequence[Mandate], total: int, corpus: Corpus, lang: str, *, error: str = "") -> str:
    """The table of mandates in the interface's language (the English version of a text when there is one)."""
    if error:
        return f'<p class="ra-mandates-count ra-mandates-error" role="alert">{esc(error)}</p>'
    if not mandates:
        return f'<p class="ra-mandates-count">{esc(text(lang, "mandates_none"))}</p>'

    def shown(m: Mandate) -> str:
        clause = corpus.by_id.get(m.clause_id)
        language = clause.language if clause else "zh"
        return render_reading(reading(m.text, "", language, _versions(m, corpus), lang), lang)

    rows = "".join(
        f'<tr data-actor="{esc(m.actor)}"><td class="ra-col-actor">{esc(m.actor_names.get(lang, m.actor))}</td>'
        f'<td class="ra-col-verb">{esc(_verb(m.verb, lang))}</td>'
        f'<td class="ra-col-clause"><a href="#{clause_anchor(m.clause_id)}" title="{esc(m.labels.get(lang, ""))}">'
        f"{esc(corpus.table_label(m.clause_id, lang))}</a></td>"
        f'<td class="ra-col-text">{shown(m)}</td></tr>'
        for m in mandates
    )
    return (
        f'<p class="ra-mandates-count">{esc(text(lang, "mandates_count", n=len(mandates), total=total))}</p>'
        f'<table class="ra-mandates"><thead><tr><th>{esc(text(lang, "col_actor"))}</th><th>{esc(text(lang, "col_verb"))}</th>'
        f'<th>{esc(text(lang, "col_clause"))}</th><th>{esc(text(lang, "col_text"))}</th></tr></thead><tbody>{rows}</tbody></table>'
    )
