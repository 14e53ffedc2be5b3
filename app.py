"""The chat app: the Gradio page and API around `Assistant`, and the HTML it shows.

    python app.py                      # http://127.0.0.1:7860
    python app.py --port 8080
    RA_AUTH=me:secret python app.py --host 0.0.0.0

The page answers at once and the first question waits for the model and index: the model
loads in a child process (embeddings.worker) started before gradio is imported, the keyword
indexes and the Chroma index in a background thread. The chat function is also the API
endpoint `/ask`:

    Client("http://127.0.0.1:7860").predict(question="What is TSAG instructed to do?", history=[], api_name="/ask")
"""

from __future__ import annotations

import os
import sys

# Before gradio (and anything that may import huggingface_hub or chromadb) is imported: no network.
from assistant.settings import Settings, use_offline_environment

use_offline_environment()

from corpus.errors import AssistantError
from embeddings.worker import WorkerEmbedder


def start_embedder(argv: list[str]) -> WorkerEmbedder | None:
    """Start the model's own process now; None for --help, bad settings or RA_EMBEDDING_PROCESS=same.

    Importing torch and loading the model take ~7 s of CPU; begun before gradio is imported,
    they run on the other core while the page comes up. main() reports any problem itself.
    """
    if {"-h", "--help"} & set(argv):
        return None
    try:
        settings = Settings.from_env()
        if not settings.separate_embedding_process:
            return None
        return _worker(settings)
    except AssistantError:
        return None


def _worker(settings: Settings) -> WorkerEmbedder:
    return WorkerEmbedder(settings.embedding_model, cache_dir=settings.model_cache, niceness=settings.embedding_niceness)


EARLY_EMBEDDER = start_embedder(sys.argv[1:]) if __name__ == "__main__" else None

import argparse
import atexit
import csv
import hashlib
import html
import io
import ipaddress
import logging
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import gradio as gr

from assistant.core import Assistant, QuestionError
from assistant.types import Answer, Clause, Mandate

log = logging.getLogger("resolution-assistant.app")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
QUEUE_CONCURRENCY = 4
QUEUE_MAX_SIZE = 64
SHOWN_QUESTION_CHARS = 600  # a longer question is echoed shortened (the Assistant still sees all of it)

EXAMPLES = (
    "电信标准化顾问组需要做什么？",
    "What are ITU-T study groups instructed to do?",
    "本决议请成员国做什么？",
    "What does the resolution say about developing countries?",
)

UI = {
    "en": {
        "title": "Resolution Assistant",
        "subtitle": "Ask about ITU resolutions in English or Chinese. Every answer quotes and cites the exact clause.",
        "tab_chat": "Chat",
        "tab_mandates": "Mandates",
        "tab_resolution": "Resolution",
        "chat_label": "Conversation",
        "placeholder": "<strong>Ask a question about the resolution</strong><br>"
        "Answers quote the text and cite clauses as [1], [2]… Click a marker to read the clause.",
        "question_placeholder": "Ask in English or 中文, e.g. What is TSAG instructed to do?",
        "clear": "Clear",
        "sources": "Sources",
        "sources_empty": "Click a citation marker such as [1] or a clause label to read the full clause here, "
        "with the quoted words highlighted and the clauses around it.",
        "related_tag": "Related, not an answer",
        "no_answer": "Not answered by the text",
        "open_in_text": "Show in the full resolution",
        "section": "Section",
        "thinking": "Searching the resolution…",
        "loading": "Loading the model and index… the first answer follows as soon as they are ready.",
        "status_loading": "Loading the model and index…",
        "status_ready": "Ready",
        "status_error": "Could not load",
        "status_model": "model",
        "status_counts": "{documents} document{s} · {clauses} clauses",
        "status_extractive": "extractive answers",
        "status_embedded": "embedded Chroma index",
        "status_server": "Chroma server",
        "error": "Something went wrong while answering; the server log has the details.",
        "actor": "Actor",
        "all_actors": "All actors",
        "filter": "Filter",
        "filter_placeholder": "Words in the clause, e.g. capacity building or 能力建设",
        "download": "Download CSV",
        "col_actor": "Actor",
        "col_verb": "Mandate",
        "col_clause": "Clause",
        "col_text": "Text",
        "mandates_count": "{n} of {total} mandates",
        "mandates_none": "No mandate matches these filters.",
        "footnotes": "Footnotes",
        "shortened": "shortened for display; {n:,} characters in all",
    },
    "zh": {
        "title": "决议助手",
        "subtitle": "用中文或英文提问国际电联决议。每个回答都引用并标注具体条款。",
        "tab_chat": "问答",
        "tab_mandates": "任务分工",
        "tab_resolution": "决议全文",
        "chat_label": "对话",
        "placeholder": "<strong>就本决议提问</strong><br>回答直接引用原文，并以 [1]、[2]… 标注条款。点击标注即可查看条款全文。",
        "question_placeholder": "可用中文或 English 提问，例如：电信标准化顾问组需要做什么？",
        "clear": "清空",
        "sources": "出处",
        "sources_empty": "点击 [1] 等引用标注或条款名称，即可在此查看条款全文、高亮的引文及其上下文条款。",
        "related_tag": "相关条款，并非答案",
        "no_answer": "决议文本未作回答",
        "open_in_text": "在决议全文中查看",
        "section": "部分",
        "thinking": "正在检索决议…",
        "loading": "正在加载模型和索引……加载完成后立即回答。",
        "status_loading": "正在加载模型和索引…",
        "status_ready": "就绪",
        "status_error": "加载失败",
        "status_model": "模型",
        "status_counts": "{documents} 份文件 · {clauses} 个条款",
        "status_extractive": "抽取式回答",
        "status_embedded": "嵌入式 Chroma 索引",
        "status_server": "Chroma 服务器",
        "error": "回答时出错，详情见服务器日志。",
        "actor": "对象",
        "all_actors": "全部对象",
        "filter": "筛选",
        "filter_placeholder": "条款中的词语，例如 能力建设 或 capacity building",
        "download": "下载 CSV",
        "col_actor": "对象",
        "col_verb": "任务",
        "col_clause": "条款",
        "col_text": "原文",
        "mandates_count": "共 {total} 项任务，显示 {n} 项",
        "mandates_none": "没有符合筛选条件的任务。",
        "footnotes": "脚注",
        "shortened": "显示时已缩短；全文共 {n:,} 个字符",
    },
}

VERBS = {
    "resolves-to-instruct": {"en": "resolves to instruct", "zh": "做出决议，责成"},
    "instructs": {"en": "instructs", "zh": "责成"},
    "invites": {"en": "invites", "zh": "请"},
    "encourages": {"en": "encourages", "zh": "鼓励"},
    "requests": {"en": "requests", "zh": "要求"},
}

CSS = """
:root { --ra-mark: #fde68a; --ra-accent: var(--color-accent, #4f46e5); }
.dark { --ra-mark: #a16207; }
#ra-header { align-items: center; }
#ra-header h1 { margin: 0; font-size: 1.45rem; }
#ra-header p { margin: .15rem 0 0; color: var(--body-text-color-subdued); }
#ra-lang { max-width: 13rem; margin-left: auto; }
#ra-status { font-size: .85rem; color: var(--body-text-color-subdued); }
.ra-status { display: flex; flex-wrap: wrap; gap: .25rem .9rem; align-items: center; padding: .2rem .1rem; }
.ra-dot { display: inline-block; width: .6rem; height: .6rem; border-radius: 50%; margin-right: .35rem; vertical-align: middle; }
.ra-dot.is-ready { background: #16a34a; }
.ra-dot.is-loading { background: #f59e0b; animation: ra-pulse 1.2s ease-in-out infinite; }
.ra-dot.is-error { background: #dc2626; }
@keyframes ra-pulse { 50% { opacity: .3; } }
.ra-answer-text { line-height: 1.65; }
a.ra-cite { display: inline-block; min-width: 1.35em; padding: 0 .35em; margin: 0 .1em; border-radius: 999px;
  background: var(--color-accent-soft); color: var(--ra-accent) !important; font-size: .72em; font-weight: 700;
  line-height: 1.5; text-align: center; text-decoration: none !important; vertical-align: super; cursor: pointer; }
a.ra-cite:hover, a.ra-cite:focus-visible { background: var(--ra-accent); color: #fff !important; }
.ra-citations { margin-top: .6rem; padding-top: .45rem; border-top: 1px solid var(--border-color-primary);
  display: flex; flex-direction: column; gap: .2rem; font-size: .85em; }
a.ra-cite-label { color: var(--body-text-color) !important; text-decoration: none !important; cursor: pointer; }
a.ra-cite-label:hover .ra-label-text { text-decoration: underline; }
.ra-cite-label .ra-num { display: inline-block; min-width: 1.35em; margin-right: .35em; border-radius: 999px; text-align: center;
  background: var(--color-accent-soft); color: var(--ra-accent); font-weight: 700; font-size: .85em; }
.ra-notice { margin-top: .4rem; font-size: .8em; color: var(--body-text-color-subdued); }
.ra-abstain { border: 1px dashed var(--border-color-primary); background: var(--background-fill-secondary);
  color: var(--body-text-color-subdued); border-radius: 10px; padding: .55rem .75rem; }
.ra-abstain-tag, .ra-related-tag { display: inline-block; font-size: .72em; font-weight: 700; letter-spacing: .03em;
  text-transform: uppercase; color: var(--body-text-color-subdued); border: 1px solid var(--border-color-primary);
  border-radius: 999px; padding: 0 .5em; margin-bottom: .3rem; }
.ra-abstain a.ra-cite-label { color: var(--body-text-color-subdued) !important; text-decoration: underline dotted !important; }
.ra-error { border-left: 3px solid #dc2626; padding: .3rem .6rem; }
.ra-pending { color: var(--body-text-color-subdued); font-style: italic; }
.ra-pending::after { content: "…"; animation: ra-pulse 1.2s ease-in-out infinite; }
.ra-shortened { display: block; font-size: .75em; opacity: .75; }
#ra-sources-col { position: sticky; top: .5rem; align-self: flex-start; }
.ra-sources { border: 1px solid var(--border-color-primary); border-radius: 12px; padding: .8rem .95rem;
  background: var(--background-fill-primary); max-height: calc(100vh - 7rem); overflow-y: auto; }
.ra-sources h2 { font-size: 1rem; margin: 0 0 .5rem; }
.ra-sources-empty { color: var(--body-text-color-subdued); font-size: .9em; margin: 0; }
.ra-sources.has-open .ra-sources-empty { display: none; }
.ra-source { display: none; }
.ra-source.is-open { display: block; animation: ra-fade .18s ease-out; }
@keyframes ra-fade { from { opacity: .2; } }
.ra-source-head { display: flex; gap: .5rem; align-items: baseline; margin-bottom: .35rem; }
.ra-source-head .ra-num { flex: none; min-width: 1.5em; border-radius: 999px; text-align: center; font-weight: 700;
  background: var(--color-accent-soft); color: var(--ra-accent); font-size: .85em; }
.ra-source-label { font-weight: 650; }
.ra-source-alt { display: block; font-size: .8em; color: var(--body-text-color-subdued); font-weight: 400; }
.ra-source-section { font-size: .8em; color: var(--body-text-color-subdued); margin: .2rem 0 .4rem; }
.ra-context { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: .4rem; }
.ra-context li { margin: 0; padding: .35rem .55rem; border-radius: 8px; line-height: 1.6; }
.ra-context li.ra-neighbour { color: var(--body-text-color-subdued); font-size: .88em; display: -webkit-box;
  -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; }
.ra-context li.ra-current { background: var(--background-fill-secondary); border-left: 3px solid var(--ra-accent); }
.ra-item { font-weight: 700; margin-right: .35em; color: var(--body-text-color-subdued); }
mark { background: var(--ra-mark); color: inherit; padding: 0 .08em; border-radius: 3px; }
a.ra-open-in-text { display: inline-block; margin-top: .6rem; font-size: .85em; }
.ra-mandates-count { font-size: .85em; color: var(--body-text-color-subdued); margin: .2rem 0 .5rem; }
.ra-mandates-error { color: #dc2626; }
#ra-mandates table.ra-mandates { width: 100%; border-collapse: collapse; font-size: .92em; border: 0; }
#ra-mandates table.ra-mandates tr { border: 0; }
#ra-mandates table.ra-mandates th, #ra-mandates table.ra-mandates td { text-align: left; vertical-align: top;
  padding: .5rem .65rem; border: 0; border-bottom: 1px solid var(--border-color-primary); }
#ra-mandates table.ra-mandates th { font-weight: 650; background: var(--background-fill-secondary); }
#ra-mandates td.ra-col-actor { font-weight: 600; min-width: 8rem; max-width: 14rem; }
#ra-mandates td.ra-col-verb { white-space: nowrap; color: var(--body-text-color-subdued); }
#ra-mandates td.ra-col-clause { min-width: 9rem; }
#ra-mandates td.ra-col-clause a { padding: 0; margin: 0; }
#ra-mandates td.ra-col-text { line-height: 1.65; min-width: 18rem; }
#ra-download { align-self: flex-end; }
.ra-doc { max-width: 60rem; line-height: 1.75; }
.ra-doc header h2 { margin: 0; font-size: 1.3rem; }
.ra-doc-title { font-size: 1.05rem; margin: .2rem 0 0; font-weight: 600; }
.ra-doc-title-alt { color: var(--body-text-color-subdued); margin: 0 0 1rem; }
.ra-section h3 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
.ra-clause { display: grid; grid-template-columns: 2rem 1fr auto; gap: .2rem .5rem; padding: .3rem .5rem;
  border-radius: 8px; scroll-margin-top: 5rem; }
.ra-clause:target, .ra-clause.ra-flash { background: var(--color-accent-soft); transition: background .4s; }
a.ra-clause-label { font-size: .75em; color: var(--body-text-color-subdued) !important; text-decoration: none !important;
  white-space: nowrap; padding-top: .3em; }
a.ra-clause-label:hover { text-decoration: underline !important; }
@media (max-width: 900px) { #ra-sources-col { position: static; } .ra-sources { max-height: none; }
  .ra-clause { grid-template-columns: 1.6rem 1fr; } a.ra-clause-label { grid-column: 2; } }
"""

# One delegated listener for the whole page: citation markers and labels open their card in the
# Sources panel; "#clause-…" links switch to the Resolution tab and scroll to the clause.
HEAD = r"""
<script>
(() => {
  if (window.raSourcesWired) return;
  window.raSourcesWired = true;
  function openSource(id) {
    const panel = document.querySelector('#ra-sources .ra-sources');
    const card = panel && panel.querySelector('#' + CSS.escape(id));
    if (!card) return;
    panel.querySelectorAll('.ra-source.is-open').forEach((el) => el.classList.remove('is-open'));
    card.classList.add('is-open');
    panel.classList.add('has-open');
    panel.scrollTop = 0;
    const box = panel.getBoundingClientRect();
    if (box.top < 0 || box.top > window.innerHeight - 80) panel.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }
  function openClause(id) {
    const tab = document.getElementById('ra-tab-resolution-button');
    if (tab) tab.click();
    let tries = 0;
    const reveal = () => {
      const el = document.getElementById(id);
      if (el && el.offsetParent !== null) {
        el.scrollIntoView({ behavior: 'smooth', block: 'center' });
        el.classList.add('ra-flash');
        setTimeout(() => el.classList.remove('ra-flash'), 2200);
      } else if (tries++ < 60) {
        setTimeout(reveal, 50);
      }
    };
    reveal();
  }
  // Chat messages are HTML: the chatbot's copy button should copy what the reader sees,
  // "… [1]" and the cited labels, not markup.
  function plainText(markup) {
    const doc = new DOMParser().parseFromString(markup, 'text/html');
    doc.querySelectorAll('a.ra-cite').forEach((a) => { a.textContent = ' [' + a.textContent + ']'; });
    doc.querySelectorAll('br').forEach((br) => br.replaceWith('\n'));
    const text = doc.querySelector('.ra-answer-text');
    const labels = [...doc.querySelectorAll('.ra-citations a')].map(
      (a) => '[' + a.querySelector('.ra-num').textContent + '] ' + a.querySelector('.ra-label-text').textContent);
    return ((text ? text.textContent : doc.body.textContent) + (labels.length ? '\n\n' + labels.join('\n') : '')).trim();
  }
  const isMessage = (text) => typeof text === 'string' && /^<div class="ra-/.test(text);
  if (navigator.clipboard && navigator.clipboard.writeText) {
    const write = navigator.clipboard.writeText.bind(navigator.clipboard);
    navigator.clipboard.writeText = (text) => write(isMessage(text) ? plainText(text) : text);
  }
  document.addEventListener('copy', (event) => {  // the fallback copy of plain-http pages
    const el = document.activeElement;
    if (el && el.tagName === 'TEXTAREA' && isMessage(el.value)) {
      event.clipboardData.setData('text/plain', plainText(el.value));
      event.preventDefault();
    }
  }, true);
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a[href^="#ra-src-"], a[href^="#clause-"]');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const id = link.getAttribute('href').slice(1);
    if (id.startsWith('ra-src-')) openSource(id); else openClause(id);
  }, true);
})();
</script>
"""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _other(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


def clause_anchor(clause_id: str) -> str:
    """An HTML id for a clause: "wtsa-res106-2024/resolves/1" -> "clause-wtsa-res106-2024__resolves__1"."""
    return "clause-" + re.sub(r"[^A-Za-z0-9_-]", "-", clause_id.replace("/", "__"))


def _highlight(text: str, quote: str) -> str:
    """The text escaped, with the quote (a substring of it) wrapped in <mark>."""
    start = text.find(quote) if quote else -1
    if start < 0:
        return _esc(text)
    end = start + len(quote)
    return f"{_esc(text[:start])}<mark>{_esc(quote)}</mark>{_esc(text[end:])}"


def _common_label_prefix(labels: Sequence[str]) -> str:
    """The document part shared by a document's clause labels, cut after its closing bracket."""
    prefix = os.path.commonprefix(list(labels)) if len(labels) > 1 else ""
    cut = max(prefix.rfind(")"), prefix.rfind("）"))
    return prefix[: cut + 1] if cut >= 0 else ""


@dataclass(frozen=True)
class Document:
    """One resolution as the Resolution tab shows it."""

    id: str
    clauses: tuple[Clause, ...]
    names: dict  # {"en": "Resolution 106 (New Delhi, 2024)", "zh": "第106号决议（2024年，新德里）"}
    titles: dict  # {"en": ..., "zh": ...} from the corpus manifest; empty when it has none


class Corpus:
    """The clauses as the app shows them: by id, by section, by document, with short labels."""

    def __init__(self, clauses: Sequence[Clause], titles: dict[str, dict]):
        self.clauses = list(clauses)
        self.by_id = {c.id: c for c in self.clauses}
        self.sections: dict[tuple[str, str], list[Clause]] = {}
        grouped: dict[str, list[Clause]] = {}
        for clause in self.clauses:
            self.sections.setdefault((clause.document, clause.section), []).append(clause)
            grouped.setdefault(clause.document, []).append(clause)
        self.documents = [
            Document(
                id=doc_id,
                clauses=tuple(members),
                names={lang: _common_label_prefix([c.labels.get(lang, "") for c in members]) for lang in UI},
                titles=titles.get(doc_id, {}),
            )
            for doc_id, members in grouped.items()
        ]
        self._names = {doc.id: doc.names for doc in self.documents}

    def short_label(self, clause: Clause, lang: str) -> str:
        """The clause label without its document part: "resolves 1", "做出决议 第1段"."""
        label = clause.label(lang)
        prefix = self._names[clause.document][lang]
        short = label[len(prefix):].lstrip(" ,，") if prefix and label.startswith(prefix) else label
        return short or label

    def table_label(self, clause_id: str, lang: str) -> str:
        """The short label when the corpus is one document (its name is on the page), else the full one."""
        clause = self.by_id.get(clause_id)
        if clause is None:
            return clause_id
        return self.short_label(clause, lang) if len(self.documents) == 1 else clause.label(lang)

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
class SourceCard:
    """One clause the Sources panel can open: a citation of an answer, or a related clause of an abstention."""

    turn: int  # which reply of the conversation it belongs to
    key: str  # the marker ("1") or, for a related clause, "r1"
    clause_id: str
    text: str  # what the answer carried, shown if the corpus no longer has the clause
    language: str
    quote: str = ""
    related: bool = False

    @property
    def anchor(self) -> str:
        return f"ra-src-{self.turn}-{self.key}"


# ---------------------------------------------------------------- rendering (pure functions of data)


def render_question(question: str, lang: str) -> str:
    """The user's message as text (no wrapper: screen readers get it as the message's label)."""
    if len(question) <= SHOWN_QUESTION_CHARS:
        return _esc(question)
    note = _esc(UI[lang]["shortened"].format(n=len(question)))
    return f'{_esc(question[:SHOWN_QUESTION_CHARS])}…<span class="ra-shortened">({note})</span>'


def render_pending(text: str) -> str:
    return f'<div class="ra-pending">{_esc(text)}</div>'


def render_error(message: str) -> str:
    return f'<div class="ra-error" role="alert">{_esc(message)}</div>'


def source_cards(answer: Answer, turn: int, related: Sequence[Clause]) -> list[SourceCard]:
    """The cards of one reply: its citations, or the related clauses of an abstention."""
    if answer.abstained:
        return [
            SourceCard(turn, f"r{i}", c.id, c.text, answer.language, related=True)
            for i, c in enumerate(related, start=1)
        ]
    return [
        SourceCard(turn, str(c.marker), c.clause_id, c.text, answer.language, quote=c.quote)
        for c in answer.citations
    ]


def _linked_markers(text: str, cards: dict[str, SourceCard]) -> str:
    """Escaped text with each "[n]" of a known citation turned into a link to its source card."""

    def link(match: re.Match) -> str:
        card = cards.get(match.group(1))
        if card is None:
            return match.group(0)
        return f'<a class="ra-cite" href="#{card.anchor}" title="[{card.key}]">{card.key}</a>'

    return re.sub(r"\s?\[(\d{1,3})\]", link, _esc(text)).replace("\n", "<br>")


def _linked_labels(text: str, cards: Sequence[SourceCard], labels: Sequence[str]) -> str:
    """Escaped text with each label turned into a link to its card (longest first, in one pass)."""
    links = {_esc(label): card.anchor for label, card in zip(labels, cards)}
    escaped = _esc(text)
    if links:
        pattern = "|".join(re.escape(label) for label in sorted(links, key=len, reverse=True))
        escaped = re.sub(
            pattern, lambda m: f'<a class="ra-cite-label" href="#{links[m.group(0)]}">{m.group(0)}</a>', escaped
        )
    return escaped.replace("\n", "<br>")


def render_answer(answer: Answer, cards: Sequence[SourceCard], related: Sequence[Clause]) -> str:
    """The assistant's message: the text with linked markers and a labelled citation list, or a
    muted abstention whose related-clause labels open their (related, not an answer) cards."""
    lang = answer.language
    notice = f'<div class="ra-notice">{_esc(answer.notice)}</div>' if answer.notice else ""
    if answer.abstained:
        body = _linked_labels(answer.text, cards, [c.label(lang) for c in related])
        return (
            f'<div class="ra-abstain" lang="{lang}"><span class="ra-abstain-tag">{_esc(UI[lang]["no_answer"])}'
            f'</span><div class="ra-answer-text">{body}</div>{notice}</div>'
        )
    by_marker = {card.key: card for card in cards}
    items = "".join(
        f'<a class="ra-cite-label" href="#{by_marker[str(c.marker)].anchor}"><span class="ra-num">{c.marker}</span>'
        f'<span class="ra-label-text">{_esc(c.label)}</span></a>'
        for c in answer.citations
    )
    return (
        f'<div class="ra-answer" lang="{lang}"><div class="ra-answer-text">{_linked_markers(answer.text, by_marker)}'
        f'</div><div class="ra-citations">{items}</div>{notice}</div>'
    )


def render_card(card: SourceCard, corpus: Corpus, lang_ui: str, *, is_open: bool) -> str:
    """A clause with its quote highlighted, between its neighbours, under its section heading."""
    t = UI[lang_ui]
    classes = "ra-source is-open" if is_open else "ra-source"
    tag = f'<span class="ra-related-tag">{_esc(t["related_tag"])}</span>' if card.related else ""
    num = "" if card.related else f'<span class="ra-num">{_esc(card.key)}</span>'
    clause = corpus.by_id.get(card.clause_id)
    if clause is None:  # not in this corpus (any more): show what the answer carried
        return (
            f'<article class="{classes}" id="{card.anchor}">{tag}<div class="ra-source-head">{num}'
            f'<span class="ra-source-label">{_esc(card.clause_id)}</span></div><ol class="ra-context">'
            f'<li class="ra-current">{_highlight(card.text, card.quote)}</li></ol></article>'
        )
    rows = []
    for neighbour in corpus.neighbours(clause):
        item = corpus.item_mark(neighbour)
        item_html = f'<span class="ra-item">{_esc(item)}</span>' if item else ""
        if neighbour is clause:
            rows.append(f'<li class="ra-current">{item_html}{_highlight(clause.text, card.quote)}</li>')
        else:
            rows.append(f'<li class="ra-neighbour">{item_html}{_esc(neighbour.text)}</li>')
    return (
        f'<article class="{classes}" id="{card.anchor}" data-clause="{_esc(clause.id)}">{tag}'
        f'<div class="ra-source-head">{num}<span class="ra-source-label">{_esc(clause.label(card.language))}'
        f'<span class="ra-source-alt">{_esc(clause.label(_other(card.language)))}</span></span></div>'
        f'<div class="ra-source-section">{_esc(t["section"])}: {_esc(clause.heading or t["footnotes"])}</div>'
        f'<ol class="ra-context">{"".join(rows)}</ol>'
        f'<a class="ra-open-in-text" href="#{clause_anchor(clause.id)}">{_esc(t["open_in_text"])} →</a></article>'
    )


def render_sources(cards: Sequence[SourceCard], corpus: Corpus, lang: str) -> str:
    """The Sources panel: every card of the conversation, the latest reply's first card open."""
    latest = cards[-1].turn if cards else None
    open_card = next((card for card in cards if card.turn == latest), None)
    body = "".join(render_card(card, corpus, lang, is_open=card is open_card) for card in cards)
    return (
        f'<div class="ra-sources{" has-open" if open_card else ""}" aria-live="polite">'
        f'<h2>{_esc(UI[lang]["sources"])}</h2><p class="ra-sources-empty">{_esc(UI[lang]["sources_empty"])}</p>'
        f"{body}</div>"
    )


def render_status(status: dict, settings: Settings, lang: str, *, error: str = "") -> str:
    """The status line: state, model, corpus size, where the index is, how answers are made."""
    t = UI[lang]
    if error:
        state, text = "is-error", f'{t["status_error"]}: {error}'
    elif status.get("ready"):
        state, text = "is-ready", t["status_ready"]
    else:
        state, text = "is-loading", t["status_loading"]
    if settings.chroma_url:
        server = urlsplit(settings.chroma_url)  # host and port only: no credentials on the page
        where = f'{t["status_server"]} {server.hostname or ""}{f":{server.port}" if server.port else ""}'
    else:
        where = t["status_embedded"]  # its folder is printed in the terminal, not shown to visitors
    answers = f"LLM {settings.llm_model}".strip() if settings.llm_base_url else t["status_extractive"]
    documents = status.get("documents", 0)
    counts = t["status_counts"].format(documents=documents, clauses=status.get("clauses", 0),
                                       s="" if documents == 1 else "s")
    items = [
        f'<span class="ra-state"><span class="ra-dot {state}"></span>{_esc(text)}</span>',
        f'<span>{_esc(t["status_model"])} {_esc(status.get("embedding_model", ""))}</span>',
        f"<span>{_esc(counts)}</span>",
        f"<span>{_esc(where)}</span>",
        f"<span>{_esc(answers)}</span>",
    ]
    return f'<div class="ra-status" role="status">{"".join(items)}</div>'


def render_header(lang: str) -> str:
    return f'<h1>{_esc(UI[lang]["title"])}</h1><p>{_esc(UI[lang]["subtitle"])}</p>'


def render_resolution(corpus: Corpus, lang: str) -> str:
    """The whole corpus by document and section; every clause has an anchor and its label."""
    parts = []
    for doc in corpus.documents:
        title = doc.titles.get(lang) or doc.titles.get("zh", "")
        alt = doc.titles.get(_other(lang), "")
        parts.append(
            f'<article class="ra-doc" id="doc-{clause_anchor(doc.id).removeprefix("clause-")}" lang="zh"><header>'
            f"<h2>{_esc(doc.names[lang] or doc.id)}</h2>"
            + (f'<p class="ra-doc-title">{_esc(title)}</p>' if title else "")
            + (f'<p class="ra-doc-title-alt">{_esc(alt)}</p>' if alt and alt != title else "")
            + "</header>"
        )
        sections: dict[str, list[Clause]] = {}
        for clause in doc.clauses:
            sections.setdefault(clause.section, []).append(clause)
        for clauses in sections.values():
            rows = "".join(
                f'<div class="ra-clause" id="{clause_anchor(c.id)}"><span class="ra-item">{_esc(corpus.item_mark(c))}</span>'
                f'<div class="ra-clause-text">{_esc(c.text)}</div>'
                f'<a class="ra-clause-label" href="#{clause_anchor(c.id)}" title="{_esc(c.label(lang))}">'
                f"{_esc(corpus.short_label(c, lang))}</a></div>"
                for c in clauses
            )
            heading = clauses[0].heading or UI[lang]["footnotes"]
            parts.append(f'<section class="ra-section"><h3>{_esc(heading)}</h3>{rows}</section>')
        parts.append("</article>")
    return "".join(parts)


# ---------------------------------------------------------------- mandates


def _verb(verb: str, lang: str) -> str:
    return VERBS.get(verb, {}).get(lang) or verb.replace("-", " ")


def filter_mandates(mandates: Sequence[Mandate], words: str) -> list[Mandate]:
    """Mandates whose actor names, verb, labels or text contain every word of `words` (any case)."""
    terms = words.casefold().split()

    def haystack(m: Mandate) -> str:
        verbs = (_verb(m.verb, lang) for lang in UI)
        return " ".join([m.actor, *m.actor_names.values(), m.verb, *verbs, *m.labels.values(), m.text]).casefold()

    return [m for m in mandates if all(term in haystack(m) for term in terms)]


def mandates_csv(mandates: Sequence[Mandate]) -> str:
    """CSV text, both languages, one row per mandate."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["actor", "actor_en", "actor_zh", "verb", "clause_id", "label_en", "label_zh", "text"])
    for m in mandates:
        writer.writerow([
            m.actor, m.actor_names.get("en", ""), m.actor_names.get("zh", ""), m.verb, m.clause_id,
            m.labels.get("en", ""), m.labels.get("zh", ""), m.text,
        ])
    return out.getvalue()


def render_mandates(mandates: Sequence[Mandate], total: int, corpus: Corpus, lang: str, *, error: str = "") -> str:
    t = UI[lang]
    if error:
        return f'<p class="ra-mandates-count ra-mandates-error" role="alert">{_esc(error)}</p>'
    if not mandates:
        return f'<p class="ra-mandates-count">{_esc(t["mandates_none"])}</p>'
    rows = "".join(
        f'<tr data-actor="{_esc(m.actor)}"><td class="ra-col-actor">{_esc(m.actor_names.get(lang, m.actor))}</td>'
        f'<td class="ra-col-verb">{_esc(_verb(m.verb, lang))}</td>'
        f'<td class="ra-col-clause"><a href="#{clause_anchor(m.clause_id)}" title="{_esc(m.labels.get(lang, ""))}">'
        f"{_esc(corpus.table_label(m.clause_id, lang))}</a></td>"
        f'<td class="ra-col-text" lang="zh">{_esc(m.text)}</td></tr>'
        for m in mandates
    )
    return (
        f'<p class="ra-mandates-count">{_esc(t["mandates_count"].format(n=len(mandates), total=total))}</p>'
        f'<table class="ra-mandates"><thead><tr><th>{_esc(t["col_actor"])}</th><th>{_esc(t["col_verb"])}</th>'
        f'<th>{_esc(t["col_clause"])}</th><th>{_esc(t["col_text"])}</th></tr></thead><tbody>{rows}</tbody></table>'
    )


# ---------------------------------------------------------------- the app


class Loader:
    """Loads the Assistant's model and index in a background thread, once."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.done = threading.Event()
        self.error = ""

    def start(self) -> None:
        threading.Thread(target=self._run, name="ra-load", daemon=True).start()

    def _run(self) -> None:
        started = time.perf_counter()
        print("Loading the model and index…", flush=True)
        try:
            self.assistant.load(progress=True)
        except AssistantError as exc:
            self.error = str(exc)
        except Exception as exc:  # the app stays up and says what failed; the next question retries
            log.exception("loading the assistant failed")
            self.error = f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - started
        if self.error:
            print(f"Could not load the model and index: {self.error}", file=sys.stderr, flush=True)
        else:
            status = self.assistant.status()
            print(
                f"Ready in {seconds:.1f} s: {status['embedding_model']}, {status['clauses']} clauses "
                f"in {status['documents']} document(s), {status['answers']} answers.",
                flush=True,
            )
        self.done.set()

    def current_error(self) -> str:
        """The load failure, until a later question has loaded the Assistant after all."""
        return "" if self.assistant.ready else self.error


class App:
    """The Gradio Blocks around one Assistant."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.loader = Loader(assistant)
        self.corpus = Corpus(assistant.clauses, assistant.document_titles())
        self.mandates = assistant.mandates()
        self.resolution_html = {lang: render_resolution(self.corpus, lang) for lang in UI}
        self._csv_dir = Path(tempfile.mkdtemp(prefix="ra-mandates-"))
        atexit.register(shutil.rmtree, self._csv_dir, ignore_errors=True)

    # -- answering (shared by the chat and the API)

    def answer(self, question: str, history: Sequence[str]) -> Answer:
        """The Assistant's answer, after the background load has finished (or failed: then ask retries it)."""
        self.loader.done.wait()
        return self.assistant.ask(question, list(history))

    def api_ask(self, question: str, history: list[str] | None = None) -> dict:
        """Answer a question about the resolutions, citing clauses; `history` lists earlier questions of the conversation."""
        try:
            if history is not None and (
                not isinstance(history, list) or not all(isinstance(q, str) for q in history)
            ):
                raise QuestionError("history must be a list of the earlier questions (strings), or empty.")
            return self.answer(question, history or []).to_dict()
        except AssistantError as exc:
            return {"error": str(exc), "answer": "", "abstained": True, "citations": []}
        except Exception:
            log.exception("answering %r failed", question)
            return {"error": UI["en"]["error"], "answer": "", "abstained": True, "citations": []}

    def _related(self, answer: Answer) -> list[Clause]:
        """The clauses an abstention names as related (or, if it names none, its three best hits)."""
        if not answer.abstained:
            return []
        shown = [self.corpus.by_id[h.clause.id] for h in answer.hits if h.clause.id in self.corpus.by_id]
        mentioned = [c for c in shown if c.label(answer.language) in answer.text]
        return mentioned or shown[:3]

    # -- chat events

    def on_submit(self, question: str, messages: list, lang: str):
        """Echo the question with a pending reply at once (no queue); `to_answer` hands it to `on_answer`."""
        busy = bool(messages) and "ra-pending" in str(messages[-1].get("content", ""))
        if busy or not question or not question.strip():
            return gr.skip(), gr.skip(), ""
        messages = [
            *messages,
            {"role": "user", "content": render_question(question, lang)},
            {"role": "assistant", "content": render_pending(UI[lang]["thinking"])},
        ]
        return "", messages, question

    def on_answer(self, question: str, messages: list, history: list, cards: list, lang: str):
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), ""
            return
        messages = list(messages)
        if not self.loader.done.is_set():
            messages[-1] = {"role": "assistant", "content": render_pending(UI[lang]["loading"])}
            yield messages, gr.skip(), gr.skip(), gr.skip(), gr.skip(), question
        try:
            answer = self.answer(question, history)
        except AssistantError as exc:
            messages[-1] = {"role": "assistant", "content": render_error(exc.localized(lang))}
            yield messages, history, cards, gr.skip(), self.status_html(lang), ""
            return
        except Exception:
            log.exception("answering %r failed", question)
            messages[-1] = {"role": "assistant", "content": render_error(UI[lang]["error"])}
            yield messages, history, cards, gr.skip(), self.status_html(lang), ""
            return
        related = self._related(answer)
        new_cards = source_cards(answer, len(messages) - 1, related)
        messages[-1] = {"role": "assistant", "content": render_answer(answer, new_cards, related)}
        cards = [*cards, *new_cards]
        history = [*history, question]
        yield messages, history, cards, render_sources(cards, self.corpus, lang), self.status_html(lang), ""

    def on_clear(self, lang: str):
        return [], [], [], render_sources([], self.corpus, lang), "", ""

    # -- status and language

    def status_html(self, lang: str) -> str:
        return render_status(self.assistant.status(), self.assistant.settings, lang, error=self.loader.current_error())

    def on_tick(self, lang: str):
        ready = self.loader.done.is_set()
        return self.status_html(lang), gr.Timer(active=not ready)

    def on_language(self, lang: str, cards: list, actor: str, words: str):
        t = UI[lang]
        return (
            render_header(lang),
            self.status_html(lang),
            gr.Tab(label=t["tab_chat"]),
            gr.Tab(label=t["tab_mandates"]),
            gr.Tab(label=t["tab_resolution"]),
            gr.Chatbot(label=t["chat_label"], placeholder=t["placeholder"]),
            gr.Textbox(placeholder=t["question_placeholder"]),
            gr.Button(value=t["clear"]),
            render_sources(cards, self.corpus, lang),
            gr.Dropdown(label=t["actor"], choices=self.actor_choices(lang)),
            gr.Textbox(label=t["filter"], placeholder=t["filter_placeholder"]),
            *self.on_mandates(actor, words, lang),
            self.resolution_html[lang],
        )

    # -- mandates

    def actor_choices(self, lang: str) -> list[tuple[str, str]]:
        """"All actors", then every actor with a mandate (named in `lang`), first mentioned first."""
        names = {m.actor: m.actor_names.get(lang, m.actor) for m in self.mandates}
        return [(UI[lang]["all_actors"], "all"), *((name, key) for key, name in names.items())]

    def on_mandates(self, actor: str | None, words: str, lang: str):
        """The filtered table and a CSV of exactly those rows."""
        t = UI[lang]
        total = len(self.mandates)
        try:  # a typed name ("研究组", "Director of TSB") goes through the same matching as the CLI's --actor
            chosen = self.mandates if actor in (None, "", "all") else self.assistant.mandates(actor)
        except AssistantError as exc:
            table = render_mandates([], total, self.corpus, lang, error=str(exc))
            return table, gr.DownloadButton(label=t["download"], value=None, interactive=False)
        rows = filter_mandates(chosen, words or "")
        table = render_mandates(rows, total, self.corpus, lang)
        return table, gr.DownloadButton(label=t["download"], value=self._write_csv(rows, actor), interactive=bool(rows))

    def _write_csv(self, rows: Sequence[Mandate], actor: str | None) -> str:
        text = mandates_csv(rows)
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        slug = re.sub(r"[^a-z0-9-]+", "-", (actor or "all").casefold()).strip("-") or "filtered"
        path = self._csv_dir / digest / f"mandates-{slug}.csv"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8-sig")  # the BOM lets spreadsheet apps read the Chinese
        return str(path)

    # -- layout

    def build(self) -> gr.Blocks:
        t = UI["en"]
        with gr.Blocks(title="Resolution Assistant · 决议助手", analytics_enabled=False) as demo:
            history = gr.State([])
            cards = gr.State([])
            to_answer = gr.State("")

            with gr.Row(elem_id="ra-header"):
                header = gr.HTML(render_header("en"), elem_id="ra-title")
                lang_radio = gr.Radio(
                    [("English", "en"), ("中文", "zh")], value="en", show_label=False, container=False,
                    elem_id="ra-lang", min_width=160,
                )
                lang = lang_radio
            status = gr.HTML(self.status_html("en"), elem_id="ra-status")
            timer = gr.Timer(1.0)

            with gr.Tabs(elem_id="ra-tabs"):
                with gr.Tab(t["tab_chat"], id="chat", elem_id="ra-tab-chat") as tab_chat:
                    with gr.Row(equal_height=False):
                        with gr.Column(scale=3, min_width=360):
                            chatbot = gr.Chatbot(
                                label=t["chat_label"], show_label=False, elem_id="ra-chat", height=560,
                                render_markdown=False, sanitize_html=True, feedback_options=None,
                                buttons=["copy"], placeholder=t["placeholder"], autoscroll=True,
                                examples=[{"text": q} for q in EXAMPLES], latex_delimiters=[],
                            )
                            with gr.Row(equal_height=True):
                                question = gr.Textbox(
                                    show_label=False, placeholder=t["question_placeholder"], lines=1, max_lines=6,
                                    submit_btn=True, autofocus=True, scale=8, elem_id="ra-question", container=False,
                                )
                                clear = gr.Button(t["clear"], variant="secondary", size="md", scale=0, min_width=90,
                                                  elem_id="ra-clear")
                        with gr.Column(scale=2, min_width=300, elem_id="ra-sources-col"):
                            sources = gr.HTML(render_sources([], self.corpus, "en"), elem_id="ra-sources")
                with gr.Tab(t["tab_mandates"], id="mandates", elem_id="ra-tab-mandates") as tab_mandates:
                    with gr.Row(equal_height=False):
                        actor = gr.Dropdown(
                            self.actor_choices("en"), value="all", label=t["actor"], allow_custom_value=True,
                            filterable=True, scale=2, elem_id="ra-actor",
                        )
                        words = gr.Textbox(label=t["filter"], placeholder=t["filter_placeholder"], scale=3,
                                           elem_id="ra-filter")
                        download = gr.DownloadButton(t["download"], scale=1, min_width=140, size="md",
                                                     elem_id="ra-download")
                    table = gr.HTML(elem_id="ra-mandates")
                with gr.Tab(t["tab_resolution"], id="resolution", elem_id="ra-tab-resolution",
                            render_children=True) as tab_resolution:
                    resolution = gr.HTML(self.resolution_html["en"], elem_id="ra-resolution")

            private = {"api_visibility": "private"}
            answer_inputs = [to_answer, chatbot, history, cards, lang]
            answer_outputs = [chatbot, history, cards, sources, status, to_answer]
            submitted = question.submit(
                self.on_submit, [question, chatbot, lang], [question, chatbot, to_answer], queue=False,
                show_progress="hidden", **private,
            )
            answering = submitted.then(self.on_answer, answer_inputs, answer_outputs, show_progress="hidden", **private)

            def pick_example(event: gr.SelectData, messages: list, lang_value: str):
                return self.on_submit(event.value["text"], messages, lang_value)

            picked = chatbot.example_select(
                pick_example, [chatbot, lang], [question, chatbot, to_answer], queue=False, show_progress="hidden",
                **private,
            )
            answering_example = picked.then(
                self.on_answer, answer_inputs, answer_outputs, show_progress="hidden", **private
            )
            for cleared in (clear.click, chatbot.clear):  # the button, and the chatbot's own trash icon
                cleared(
                    self.on_clear, [lang], [chatbot, history, cards, sources, to_answer, question], queue=False,
                    cancels=[answering, answering_example], **private,
                )

            for shown in (demo.load, timer.tick):
                shown(self.on_tick, [lang], [status, timer], queue=False, show_progress="hidden", **private)

            mandate_outputs = [table, download]
            for event in (actor.change, words.change):
                event(self.on_mandates, [actor, words, lang], mandate_outputs, queue=False,
                      show_progress="hidden", **private)
            demo.load(self.on_mandates, [actor, words, lang], mandate_outputs, queue=False,
                      show_progress="hidden", **private)

            lang_radio.change(
                self.on_language, [lang, cards, actor, words],
                [header, status, tab_chat, tab_mandates, tab_resolution, chatbot, question, clear, sources, actor,
                 words, table, download, resolution],
                queue=False, show_progress="hidden", **private,
            )
            # Follow the browser's language on first load.
            demo.load(None, None, [lang_radio], js="() => (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en'",
                      **private)

            gr.api(self.api_ask, api_name="ask")
        return demo


# ---------------------------------------------------------------- start-up


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _auth(value: str) -> tuple[str, str]:
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise SystemExit("RA_AUTH must look like user:password (both non-empty).")
    return user, password


def _theme() -> gr.themes.Theme:
    """Soft, with system fonts only: the page loads no web fonts, so it works offline."""
    sans = ("system-ui", "-apple-system", "Segoe UI", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "sans-serif")
    return gr.themes.Soft(
        primary_hue="indigo",
        font=[gr.themes.Font(name) for name in sans],
        font_mono=[gr.themes.Font(name) for name in ("ui-monospace", "SFMono-Regular", "Menlo", "monospace")],
    )


def _embedder(settings: Settings) -> WorkerEmbedder | None:
    """The model's own process (the one started at import, if its settings still hold), or None for in-process."""
    if not settings.separate_embedding_process:
        return None
    early = EARLY_EMBEDDER
    if early is not None and early.model_id == settings.embedding_model:
        return early
    return _worker(settings)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Start the Resolution Assistant chat app.")
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME") or DEFAULT_HOST,
                        help="address to bind (default 127.0.0.1, or GRADIO_SERVER_NAME)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT") or DEFAULT_PORT),
                        help="port (default 7860, or GRADIO_SERVER_PORT)")
    parser.add_argument("--no-auth", action="store_true",
                        help="allow a non-loopback address without RA_AUTH (anyone on the network can use the app)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
        auth = _auth(settings.auth) if settings.auth else None
        if not _is_loopback(args.host) and auth is None and not args.no_auth:
            print(
                f"Refusing to listen on {args.host}: it is reachable from other machines. "
                "Set RA_AUTH=user:password to require a login, or pass --no-auth to allow anyone.",
                file=sys.stderr,
            )
            return 2
        assistant = Assistant(settings, embedder=_embedder(settings))
        app = App(assistant)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    demo = app.build()
    demo.queue(default_concurrency_limit=QUEUE_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    try:
        demo.launch(
            server_name=args.host, server_port=args.port, auth=auth, theme=_theme(), css=CSS, head=HEAD,
            footer_links=["api"], run_history=False, enable_monitoring=False, mcp_server=False, ssr_mode=False,
            pwa=False, allowed_paths=[], max_file_size="1mb", show_error=False, quiet=True,
            prevent_thread_lock=True,
        )
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port} ({exc}); pass another --port.", file=sys.stderr)
        return 1
    if _is_loopback(args.host):
        access = "loopback only"
    elif auth:
        access = "reachable from the network; login required (RA_AUTH)"
    else:
        access = "reachable from the network WITHOUT a login (--no-auth)"
    print(f"Resolution Assistant on http://{args.host}:{args.port} ({access})", flush=True)
    print(f"Index: {assistant.index.location}", flush=True)
    # After the server is up, not before: imports hold the GIL, so loading alongside Gradio's start
    # delays the page by as much as it gains, and the first answer comes no sooner.
    app.loader.start()
    demo.block_thread()
    return 0


if __name__ == "__main__":
    sys.exit(main())
