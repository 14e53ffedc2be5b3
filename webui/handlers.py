"""What happens on the page: each handler takes component values and returns {component: value}.

Each page's conversation lives on the server (webui.pages) and, as a copy restored after a reload, in the
browser (a BrowserState holding `view.save` data). A page's questions are answered one at a time (one asked
meanwhile waits its turn, and says so), and nothing waits forever for the model: a load that failed is
reported and retried by the next question. An LLM's answer shows as it is written, marked unchecked, until
the checked and cited one replaces it.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import gradio as gr

from assistant.core import Assistant, AssistantError, QuestionError, validate_question
from assistant.types import Answer, Mandate
from assistant.worker import AssistantProcess
from webui.renderers import (
    render_answer, render_draft, render_error, render_footer, render_header, render_pending, render_question, render_sources,
    render_status, source_cards,
)
from webui.strings import LANGUAGES, text
from webui.tables import csv_name, filter_mandates, mandates_csv, render_mandates, render_resolution
from webui.pages import Pages
from webui.view import Corpus, Turn, restore, save

log = logging.getLogger("resolution-assistant.app")

LOAD_WAIT_S = 120.0  # the longest a question waits for the model and index before it is told to ask again


class LoadError(AssistantError):
    """The model or index could not be loaded; the message says why, in both languages."""


def _one_line(exc: BaseException, lang: str) -> str:
    if isinstance(exc, AssistantError):
        return exc.localized(lang)
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


class Loader:
    """Loads the Assistant's model and index in a background thread; always signals, with the error if it fails.

    With the Assistant in its own process (the app's default) the load began there at the start: this waits for it.
    """

    def __init__(self, assistant: Assistant | AssistantProcess, prepare: Callable[[], None] | None = None):
        self.assistant = assistant
        self.prepare = prepare  # run first in the load's thread (the app's Runnable), each time a load starts
        self.done = threading.Event()
        self.failure: BaseException | None = None
        self._lock = threading.Lock()
        self._running = False

    def start(self) -> None:
        """Start loading, unless a load is running or has succeeded; after a failure this is the retry.

        An Assistant that is ready already (its own process loaded before the page was up) is still
        announced "Ready" and warmed up.
        """
        with self._lock:
            if self._running or (self.done.is_set() and self.failure is None):
                return
            self._running = True
            self.done.clear()
        threading.Thread(target=self._run, name="ra-load", daemon=True).start()

    def _run(self) -> None:
        started = time.perf_counter()
        print("Loading the model and index…", flush=True)
        failure = None
        if self.prepare is not None:
            self.prepare()
        try:
            self.assistant.load(progress=True)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # a Rust panic in the index is a BaseException: report it, never hang
            if not isinstance(exc, AssistantError):
                log.exception("loading the assistant failed")
            failure = exc
        finally:
            with self._lock:
                self.failure, self._running = failure, False
            self.done.set()
        if failure is not None:
            print(f"Could not load the model and index: {_one_line(failure, 'en')}", flush=True)
        else:
            status = self.assistant.status()
            print(f"Ready in {time.perf_counter() - started:.1f} s: {status.embedding_model}, {status.clauses} clauses "
                  f"in {status.documents} document(s).", flush=True)
            try:
                self.assistant.warm_up()  # after "Ready": the first question is not kept waiting for it
            except Exception:  # the question that needs it reads it then, and reports a failure there
                log.exception("warming up failed")

    def error(self, lang: str) -> str:
        """The load failure in one line of `lang`, until a later load succeeds."""
        return "" if self.failure is None or self.assistant.ready else _one_line(self.failure, lang)

    def wait(self, timeout: float = LOAD_WAIT_S) -> None:
        """Return once the Assistant is loaded; a LoadError when the load failed or takes longer than `timeout`."""
        if self.assistant.ready:
            return
        if not self.done.is_set() or self.failure is not None:
            self.start()  # not begun yet, or the retry of a failed load
        if not self.done.wait(timeout):
            raise LoadError(text("en", "load_timeout"), zh=text("zh", "load_timeout"))
        if self.failure is not None and not self.assistant.ready:
            raise LoadError(text("en", "load_failed", error=_one_line(self.failure, "en")),
                            zh=text("zh", "load_failed", error=_one_line(self.failure, "zh")))


@dataclass
class Components:
    """The components handlers read and write (layout.build makes them)."""

    header: Any
    status: Any
    timer: Any
    footer: Any
    tab_chat: Any
    tab_mandates: Any
    tab_resolution: Any
    chatbot: Any
    question: Any
    clear: Any
    sources: Any
    saved: Any
    actor: Any
    words: Any
    download: Any
    table: Any
    resolution: Any


class App:
    """The handlers around one Assistant (here, or in its own process); every answer goes through a LangChain Runnable."""

    def __init__(self, assistant: Assistant | AssistantProcess):
        self.assistant = assistant
        self._runnable = None  # made at the first answer, or by `prepare` when the load starts (after the page is up)
        self._runnable_lock = threading.Lock()
        self.loader = Loader(assistant, prepare=self.prepare)
        self.corpus = Corpus(assistant.documents())
        self.mandates = assistant.mandates()
        self.resolution_html = {lang: render_resolution(self.corpus, lang) for lang in LANGUAGES}
        self.ui: Components | None = None
        self._requests = itertools.count(1)
        self.pages = Pages(wait_s=LOAD_WAIT_S + 60)
        self._csv_dir = Path(tempfile.mkdtemp(prefix="ra-mandates-"))

    def close(self) -> None:
        shutil.rmtree(self._csv_dir, ignore_errors=True)

    @property
    def runnable(self):
        """The Assistant's answering as a LangChain Runnable (importing LangChain takes ~1 CPU-s: not before the page)."""
        with self._runnable_lock:
            if self._runnable is None:
                self._runnable = self.assistant.as_runnable()
            return self._runnable

    def prepare(self) -> None:
        """Make the Runnable now (the loader does, before it waits for the model), so the first answer does not wait for it."""
        try:
            self.runnable  # noqa: B018 - making it is the point
        except Exception:  # the first question makes it again and reports what fails
            log.exception("preparing the answering failed")

    # -- answering (shared by the chat and the API)

    def answer(self, question: str, earlier: Sequence[str]) -> Answer:
        """The Assistant's answer, once the model and index are loaded (a LoadError if they cannot be)."""
        validate_question(question)  # refused at once, even while the model loads
        self.loader.wait()
        return self.runnable.invoke({"question": question, "history": list(earlier)})

    def answers(self, question: str, earlier: Sequence[str]) -> Iterator[Answer]:
        """Like `answer`, but with an LLM its unchecked drafts first, as the model writes; the last is the answer."""
        validate_question(question)
        self.loader.wait()
        yield from self.runnable.stream({"question": question, "history": list(earlier)})

    def api_ask(self, question: str, history: list[str] | None = None) -> dict:
        """Answer a question about the resolutions, citing clauses; `history` lists earlier questions of the conversation."""
        try:
            if history is not None and (not isinstance(history, list) or not all(isinstance(q, str) for q in history)):
                raise QuestionError("history must be a list of the earlier questions (strings), or empty.")
            return self.answer(question, history or []).to_dict()
        except AssistantError as exc:
            return {"error": str(exc), "answer": "", "abstained": True, "citations": []}
        except Exception:
            log.exception("answering %r failed", question)
            return {"error": text("en", "error"), "answer": "", "abstained": True, "citations": []}

    # -- the chat

    def on_submit(self, question: str, lang: str, request: gr.Request) -> dict:
        """Echo the question at once: refused (its text stays in the box), asked now, or waiting its turn."""
        ui, session = self.ui, request.session_hash
        if not question or not question.strip():
            return {ui.question: gr.skip()}
        try:
            validate_question(question)
        except QuestionError as exc:
            self.pages.note(session, Turn(question, render_error(exc.localized(lang)), answered=False))
            return {ui.question: gr.skip(), ui.chatbot: self.messages(session, lang)}
        self.pages.add(session, next(self._requests), question)
        return {ui.question: "", ui.chatbot: self.messages(session, lang)}

    def on_example(self, event: gr.SelectData, lang: str, request: gr.Request) -> dict:
        """An example question clicked: asked as if typed."""
        return self.on_submit(event.value["text"], lang, request)

    def on_answer(self, lang: str, request: gr.Request):
        """Answer the page's waiting questions in the order asked, showing each answer as it comes (queued)."""
        ui, session = self.ui, request.session_hash
        answered = False
        while (asked := self.pages.claim(session)) is not None:  # a question another event left behind is taken too
            try:
                answer = None
                for later in self.answers(asked.question, asked.history):
                    if answer is not None:  # not the last: a draft, shown while the model writes on
                        asked.draft = answer
                        yield {ui.chatbot: self.messages(session, lang)}
                    answer = later
                cards = source_cards(answer, asked.n)
                turn = Turn(asked.question, render_answer(answer, cards), tuple(cards))
            except AssistantError as exc:
                turn = Turn(asked.question, render_error(exc.localized(lang)), answered=False)
            except Exception:
                log.exception("answering %r failed", asked.question)
                turn = Turn(asked.question, render_error(text(lang, "error")), answered=False)
            self.pages.finish(session, asked, turn)
            try:
                turns, _ = self.pages.view(session)
                answered = True
                yield {ui.chatbot: self.messages(session, lang), ui.saved: save(turns),
                       ui.sources: self.sources_html(turns, lang), ui.status: self.status_html(lang)}
            finally:
                self.pages.shown(session, asked)  # Gradio asks for the next item once this one is sent
        if not answered:
            yield {ui.status: gr.skip()}

    def on_clear(self, lang: str, request: gr.Request) -> dict:
        ui = self.ui
        self.pages.clear(request.session_hash)
        return {ui.chatbot: [], ui.saved: save([]), ui.sources: self.sources_html([], lang), ui.question: ""}

    def on_restore(self, saved: object, lang: str, request: gr.Request) -> dict:
        """The conversation this browser saved, shown again (one that cannot be read is dropped with a notice);
        then the question box opens."""
        ui = self.ui
        turns, dropped = restore(saved)
        self.pages.restore(request.session_hash, turns)
        update = {ui.chatbot: self.messages(request.session_hash, lang), ui.sources: self.sources_html(turns, lang),
                  ui.question: gr.Textbox(interactive=True)}
        if not dropped:
            return update
        notice = {"role": "assistant", "content": render_error(text(lang, "restore_dropped"))}
        return {**update, ui.chatbot: [*update[ui.chatbot], notice], ui.saved: save([])}

    def on_close(self, request: gr.Request) -> None:
        self.pages.close(request.session_hash)

    def messages(self, session: str, lang: str) -> list[dict]:
        """The chat of a page: its turns, then each question in flight with a note saying whether it waits."""
        turns, asked = self.pages.view(session)
        shown = [m for t in turns for m in ({"role": "user", "content": render_question(t.question, lang)},
                                            {"role": "assistant", "content": t.reply})]
        for i, question in enumerate(asked):
            note = "queued" if i else "thinking" if self.assistant.ready else "loading"
            reply = (render_draft(question.draft.text, text(lang, "checking"), question.n, question.draft.language)
                     if question.draft else render_pending(text(lang, note), question.n))
            shown += [{"role": "user", "content": render_question(question.question, lang)},
                      {"role": "assistant", "content": reply}]
        return shown

    def sources_html(self, turns: Sequence[Turn], lang: str, open_anchor: str = "") -> str:
        return render_sources([c for t in turns for c in t.cards], self.corpus, lang, open_anchor=open_anchor)

    # -- status and language

    def status_html(self, lang: str) -> str:
        return render_status(self.assistant.status(), lang, error=self.loader.error(lang))

    def on_tick(self, lang: str) -> dict:
        return {self.ui.status: self.status_html(lang), self.ui.timer: gr.Timer(active=not self.loader.done.is_set())}

    def on_language(self, lang: str, open_anchor: str, actor: str, words: str, request: gr.Request) -> dict:
        """Every label, table and text in the other language; the open source stays the one the reader opened."""
        ui = self.ui
        turns, _ = self.pages.view(request.session_hash)
        return {
            ui.header: render_header(lang),
            ui.status: self.status_html(lang),
            ui.footer: render_footer(lang),
            ui.tab_chat: gr.Tab(label=text(lang, "tab_chat")),
            ui.tab_mandates: gr.Tab(label=text(lang, "tab_mandates")),
            ui.tab_resolution: gr.Tab(label=text(lang, "tab_resolution")),
            ui.chatbot: gr.Chatbot(label=text(lang, "chat_label"), placeholder=text(lang, "placeholder")),
            ui.question: gr.Textbox(placeholder=text(lang, "question_placeholder")),
            ui.clear: gr.Button(value=text(lang, "clear")),
            ui.sources: self.sources_html(turns, lang, open_anchor or ""),
            ui.actor: gr.Dropdown(label=text(lang, "actor"), choices=self.actor_choices(lang)),
            ui.words: gr.Textbox(label=text(lang, "filter"), placeholder=text(lang, "filter_placeholder")),
            ui.resolution: self.resolution_html[lang],
            **self.on_mandates(actor, words, lang),
        }

    # -- mandates

    def actor_choices(self, lang: str) -> list[tuple[str, str]]:
        """"All actors", then every actor with a mandate (named in `lang`), first mentioned first."""
        names = {m.actor: m.actor_names.get(lang, m.actor) for m in self.mandates}
        return [(text(lang, "all_actors"), "all"), *((name, key) for key, name in names.items())]

    def on_mandates(self, actor: str | None, words: str, lang: str) -> dict:
        """The filtered table and a CSV of exactly those rows, named after the filter."""
        ui = self.ui
        total = len(self.mandates)
        try:  # a typed name ("研究组", "Director of TSB") goes through the same matching as the CLI's --actor
            chosen = self.mandates if actor in (None, "", "all") else self.assistant.mandates(actor)
        except AssistantError as exc:
            return {ui.table: render_mandates([], total, self.corpus, lang, error=exc.localized(lang)),
                    ui.download: gr.DownloadButton(label=text(lang, "download"), value=None, interactive=False)}
        rows = filter_mandates(chosen, words or "", self.corpus)
        return {ui.table: render_mandates(rows, total, self.corpus, lang),
                ui.download: gr.DownloadButton(label=text(lang, "download"), value=self._write_csv(rows, actor, words or ""),
                                               interactive=bool(rows))}

    def _write_csv(self, rows: Sequence[Mandate], actor: str | None, words: str) -> str:
        content = mandates_csv(rows, self.corpus)
        digest = hashlib.sha1(content.encode("utf-8")).hexdigest()[:12]
        path = self._csv_dir / digest / csv_name(actor, words, rows)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8-sig")  # the BOM lets spreadsheet apps read the Chinese
        return str(path)
