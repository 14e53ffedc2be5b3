"""The Assistant: corpus, model and index loaded once; questions answered with citations."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import Iterator, Sequence
from urllib.parse import urlsplit

from corpus.actors import ACTORS, resolve_actor
from corpus.clause import Clause
from corpus.labels import document_labels, section_labels
from corpus.sections import verb_names
from corpus.errors import AssistantError, QuestionError
from corpus.manifest import load_manifest
from corpus.mandates import Mandate, list_mandates
from corpus.library import Skipped, load_library
from embeddings.index import ClauseIndex, SyncReport, passage_text
from embeddings.model import TextEmbedder
from embeddings.onnx_model import make_embedder
from assistant import dictionary
from assistant.answer import Selection, compose_answer, select_clauses
from assistant.glossary import GLOSSARY
from assistant.understanding.conversation import Turn, TurnMemory, chain_with, parts_answered_apart, resolve
from assistant.understanding.intents import Intent, IntentClassifier
from assistant.understanding.wording import read_wording
from assistant.understanding.routing import route_question, with_shared_names_read
from assistant.search import SIGNALS, HybridSearch
from assistant.spelling import Speller
from assistant.settings import DEFAULT_MODEL, Settings
from assistant.text import detect_language, validate_question, warm_up, without_title
from assistant.types import Answer, Document, Hit, Status

__all__ = ["Assistant", "AssistantError", "QuestionError", "validate_question", "verb_names"]

MAX_HISTORY = 6  # follow-ups lean on the last few turns; older ones cost time and change nothing
REMEMBERED_TURNS = 1024  # answered turns kept for later follow-ups, per index


@dataclass(frozen=True)
class Prepared:
    """A question ready to retrieve for: its text, language, standalone turn and conversation chain."""

    text: str
    language: str
    turn: Turn
    chain: tuple[str, ...]
    started: float  # perf_counter at the start of answering
    timings: dict  # milliseconds per stage, filled in as the steps run
    previous: Turn | None = None  # the conversation's last turn, as follow-ups see it


@dataclass(frozen=True)
class _Loaded:
    """What answering needs, replaced as one, so no remembered turn outlives the index it came from."""

    search: HybridSearch
    turns: TurnMemory
    intents: IntentClassifier
    speller: Speller | None = None  # None without the dictionary: it alone tells a slip from a real word

    def correct(self, question: str) -> str:
        """The question as understood: slips corrected, a shared name ("the director") read as the one actor addressed."""
        question = self.speller.correct(question) if self.speller is not None else question
        return with_shared_names_read(question, self.search.addresses)


def _vocabulary(clauses: Sequence[Clause]) -> list[str]:
    """The English words a question may be corrected to: the clauses' English text and labels, actors, glossary."""
    texts = [text for c in clauses for text in (c.text_in("en"), *c.labels.values())]
    texts += [name for actor in ACTORS for name in (actor.en, *actor.aliases)]
    texts += [term for english, _ in GLOSSARY for term in english]
    return texts


def _selected(loaded: _Loaded, turn: Turn, hits: Sequence[Hit], intent: Intent) -> Selection:
    """The clauses that answer a turn, knowing what its conversation has already cited."""
    return select_clauses(turn.question, hits, turn.route, corpus=loaded.search, intent=intent, given=turn.shown)


def _discussed(turn: Turn, selection: Selection, hits: Sequence[Hit]) -> Turn:
    """The turn as later follow-ups see it: with the sections and clauses its answer cited."""
    cited = selection.clauses or tuple(h.clause for h in hits[:1])
    return replace(turn, sections=tuple(dict.fromkeys(c.section for c in cited)), cited=tuple(c.id for c in cited))


class Assistant:
    """Answers questions about the corpus with clause citations.

    >>> assistant = Assistant(Settings.from_env())
    >>> answer = assistant.ask("What is TSAG instructed to do?")
    >>> answer.citations[0].clause_id
    'wtsa-res106-2024/resolves-to-instruct-tsag/1'
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clauses: Sequence[Clause] | None = None,
        embedder: TextEmbedder | None = None,
        signals: Sequence[str] = SIGNALS,
    ):
        self.settings = settings
        self.signals = tuple(signals)
        self._clauses = list(clauses) if clauses is not None else None
        self._skipped: tuple[Skipped, ...] = ()
        self.embedder = embedder or make_embedder(
            settings.embedding_model, cache_dir=settings.model_cache, backend=settings.embedding_backend
        )
        self.index = ClauseIndex(
            self.embedder, data_dir=settings.data_dir, chroma_url=settings.chroma_url, corpus_name="default"
        )
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()
        self._llm = None
        self._retriever = None
        self._mandates: list[Mandate] | None = None
        self._held: frozenset[str] | None = None  # the resolution numbers the library holds
        self._titles: tuple[str, ...] | None = None  # every document's title, in each language

    @property
    def clauses(self) -> list[Clause]:
        if self._clauses is None:
            library = load_library(self.settings.corpus_dir)
            self._clauses, self._skipped = list(library.clauses), library.skipped
        return self._clauses

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        """Corpus files left out of the library, each with its one-line reason."""
        self.clauses  # noqa: B018 - loading the library is what finds them
        return self._skipped

    def build_index(self, *, rebuild: bool = False, progress: bool = False) -> SyncReport:
        """Bring the index in line with the corpus (embeds only what changed)."""
        report = self.index.sync(self.clauses, rebuild=rebuild, progress=progress)
        with self._lock:
            self._loaded = None
        return report

    def load(self, *, progress: bool = False) -> None:
        """Load the model and make sure the index is complete; later questions pay nothing."""
        self._load(progress=progress)

    def warm_up(self) -> None:
        """Read what only some questions need (jieba's name tagger, ~0.9 s): for a server, once it is idle."""
        warm_up()

    def _load(self, *, progress: bool = False) -> _Loaded:
        with self._lock:
            if self._loaded is None:
                self.index.check_server()  # a Chroma server that is down is reported now, not after the model loads
                # The keyword indexes first: they need no model, so an embedder in another
                # process (the app's) loads meanwhile. The first question should not pay for
                # jieba's dictionary, the English-Chinese word list or torch's first pass.
                search = HybridSearch(
                    self.clauses, index=self.index, embedder=self.embedder, text_of=passage_text, signals=self.signals
                )
                if "dictionary" in self.signals:
                    dictionary.load(self.settings.model_cache)
                self.embedder.load()
                self.index.sync(self.clauses, progress=progress)  # a no-op when the stored fingerprint matches
                search.search("预热 warm-up", route_question("预热 warm-up"), k=1)
                intents = IntentClassifier.build(self.embedder, cache_dir=self.settings.model_cache)
                speller = Speller(_vocabulary(self.clauses), is_word=dictionary.is_english_word) if "dictionary" in self.signals else None
                self._loaded = _Loaded(search, TurnMemory(size=REMEMBERED_TURNS), intents, speller)
            return self._loaded

    @property
    def ready(self) -> bool:
        return self._loaded is not None

    def _turns(self, loaded: _Loaded, history: Sequence[str]) -> tuple[tuple[str, ...], Turn | None]:
        """The last earlier turn as follow-ups see it, and its chain; turns answered before are remembered."""
        chain: tuple[str, ...] = ()
        previous: Turn | None = None
        for earlier in list(history)[-MAX_HISTORY:]:
            try:
                text = validate_question(earlier)
            except QuestionError:
                continue
            chain = chain_with(chain, text)
            turn = loaded.turns.get(chain)
            if turn is None:
                turn = resolve(loaded.correct(text), previous)
                hits = loaded.search.search(turn.question, turn.route, k=10)
                selection = self._selection(loaded, text, turn, hits, previous)
                turn = _discussed(turn, selection, hits)
                loaded.turns.put(chain, turn)
            previous = turn
        return chain, previous

    def ask(self, question: str, history: Sequence[str] = ()) -> Answer:
        """A short answer in the question's language, every statement cited."""
        prepared = self.prepare(question, history)
        hits = self.retrieve(prepared)
        return self.respond(prepared, hits, self.select(prepared, hits))

    def prepare(self, question: str, history: Sequence[str] = ()) -> Prepared:
        """The question checked and made standalone against the conversation (the first step of answering)."""
        started = time.perf_counter()
        text = validate_question(question)
        history = () if history is None else history
        if isinstance(history, (str, bytes)) or not isinstance(history, Sequence) or not all(isinstance(h, str) for h in history):
            raise QuestionError("history must be a list of earlier questions (strings), oldest first.")
        loaded = self._load()
        chain, previous = self._turns(loaded, history) if history else ((), None)
        return Prepared(text, detect_language(text), resolve(loaded.correct(text), previous), chain, started, {}, previous)

    def retrieve(self, prepared: Prepared) -> list[Hit]:
        """The ranked clauses for a prepared question (what ClauseRetriever returns as Documents)."""
        return self._load().search.search(prepared.turn.question, prepared.turn.route, k=10, timings=prepared.timings)

    def select(self, prepared: Prepared, hits: Sequence[Hit]) -> Selection:
        """The clauses that answer (or an abstention), remembered for the conversation's next follow-up."""
        loaded = self._load()
        prepared.timings["compose_started"] = time.perf_counter()
        selection = self._selection(loaded, prepared.text, prepared.turn, hits, prepared.previous)
        loaded.turns.put(chain_with(prepared.chain, prepared.text), _discussed(prepared.turn, selection, hits))
        return selection

    def _selection(self, loaded: _Loaded, text: str, turn: Turn, hits: Sequence[Hit], previous: Turn | None) -> Selection:
        """The clauses that answer a turn; for a message asking two or three questions, those answering each."""
        in_conversation = previous is not None
        selection = _selected(loaded, turn, hits, self._intent(loaded, turn, hits, in_conversation=in_conversation))
        if selection.abstained or selection.reason != "ranked":
            return selection
        parts = parts_answered_apart(text)
        if len(parts) < 2:
            return selection
        # The search answered with the one clause ranked best, and no clause answers both parts. Each part is
        # asked as the next turn of the conversation (its "it" is the part before), and the answer cites what
        # answers each, when each is a lookup the text answers; a part it cannot answer ("…, and its
        # budget?") leaves the message whole.
        answered, before = [], previous
        for part in parts:
            part_turn = resolve(loaded.correct(part), before)
            part_hits = loaded.search.search(part_turn.question, part_turn.route, k=10)
            intent = self._intent(loaded, part_turn, part_hits, in_conversation=before is not None)
            chosen = _selected(loaded, part_turn, part_hits, intent)
            if chosen.abstained or chosen.intent:
                return selection
            answered.append(chosen)
            before = _discussed(part_turn, chosen, part_hits)
        clauses = tuple({c.id: c for chosen in answered for c in chosen.clauses}.values())
        return Selection(clauses, False, "each part of the question") if len(clauses) > len(selection.clauses) else selection

    def respond(self, prepared: Prepared, hits: Sequence[Hit], selection: Selection) -> Answer:
        """The selected clauses quoted and cited (or the LLM's validated answer), with the timings of every step."""
        answer = compose_answer(prepared.text, prepared.language, selection, hits)
        if self.settings.llm_base_url:
            answer = self._llm_answerer().answer(prepared.turn.question, hits, answer)
        return _timed(prepared, answer)

    def respond_stream(self, prepared: Prepared, hits: Sequence[Hit], selection: Selection, *, callbacks=None) -> Iterator[Answer]:
        """Like `respond`, but with an LLM first its drafts as the reply streams: the text so far, nothing cited.

        The last item is the checked Answer; without an LLM it is the only one. `callbacks` see the model's run.
        """
        answer = compose_answer(prepared.text, prepared.language, selection, hits)
        if self.settings.llm_base_url:
            from assistant.llm import draft

            reply = ""
            for part in self._llm_answerer().stream(prepared.turn.question, hits, answer, callbacks=callbacks):
                if isinstance(part, Answer):
                    answer = part
                elif text := draft(reply := reply + part):
                    yield Answer(text, language=answer.language, hits=answer.hits)
        yield _timed(prepared, answer)

    def as_runnable(self):
        """Answering as a LangChain Runnable: {"question", "history"} in, the Answer out (see assistant.runnable)."""
        from assistant.runnable import AssistantRunnable

        return AssistantRunnable(self)

    def _intent(self, loaded: _Loaded, turn: Turn, hits: Sequence[Hit], *, in_conversation: bool = False) -> Intent:
        """The turn's intent, from the query vector the search has just computed (cached)."""
        # A document named by its title is read as "this resolution": the title's words say
        # which text, not what about it is asked ("what number is the resolution on …?").
        question = without_title(turn.question, self._document_titles(), language=detect_language(turn.question))
        vector = self.embedder.embed_query(question)
        # The relevance floor was calibrated on the default model's similarities; another model
        # (or a configuration without dense retrieval) is judged by the classifier alone.
        calibrated = "dense" in self.signals and self.embedder.model_id == DEFAULT_MODEL
        relevance = max((h.similarity for h in hits), default=0.0) if calibrated else 1.0
        if self._held is None:
            self._held = frozenset(c.resolution for c in self.clauses)
        wording = replace(read_wording(question, hits, turn.route, loaded.search), in_conversation=in_conversation)
        return loaded.intents.classify(question, vector, turn.route, relevance=relevance, held=self._held, wording=wording)

    def _document_titles(self) -> tuple[str, ...]:
        """Each document's title in every language the manifest gives it in (read once, as `documents` reads them)."""
        if self._titles is None:
            self._titles = tuple(title for document in self.documents() for title in document.titles.values())
        return self._titles

    def mandates(self, actor: str | None = None) -> list[Mandate]:
        """Operative clauses grouped by actor; `actor` matches in either language (TSAG = 电信标准化顾问组).

        Worked out once per corpus: the app filters them on every keystroke.
        """
        if self._mandates is None:
            self._mandates = list_mandates(self.clauses)
        if actor is None:
            return list(self._mandates)
        key = resolve_actor(actor)
        return [m for m in self._mandates if m.actor == key]

    def documents(self) -> tuple[Document, ...]:
        """The corpus documents in order, named as their clause labels name them, titled by the manifest."""
        try:
            titles: dict[str, dict] = {}
            for meta in load_manifest(self.settings.corpus_dir):
                # A language version shares its original's id: the first entry holds the titles.
                titles.setdefault(meta.id, {"zh": meta.title, "en": meta.title_en})
        except AssistantError:
            titles = {}
        grouped: dict[str, list[Clause]] = {}
        for clause in self.clauses:
            grouped.setdefault(clause.document, []).append(clause)
        return tuple(
            Document(doc_id, document_labels(resolution=members[0].resolution, place=members[0].place, year=members[0].year),
                     {k: v for k, v in titles.get(doc_id, {}).items() if v}, tuple(members),
                     {c.section: section_labels(c.section, c.heading) for c in members})
            for doc_id, members in grouped.items()
        )

    def _llm_answerer(self):
        if self._llm is None:
            from assistant.llm import LLMAnswerer

            self._llm = LLMAnswerer(self.settings)
        return self._llm

    @property
    def retriever(self):
        """The same search as a LangChain retriever (for chains built on top)."""
        from assistant.retriever import ClauseRetriever

        search = self._load().search
        if self._retriever is None or self._retriever.search is not search:
            self._retriever = ClauseRetriever(search=search)  # built once per load: runnables call it per question
        return self._retriever

    def status(self) -> Status:
        """What the app's status line shows."""
        server = urlsplit(self.settings.chroma_url) if self.settings.chroma_url else None  # host and port only
        return Status(
            embedding_model=self.embedder.model_id,
            documents=len({c.document for c in self.clauses}),
            clauses=len(self.clauses),
            ready=self.ready,
            chroma_server=f"{server.hostname or ''}{f':{server.port}' if server.port else ''}" if server else "",
            llm_model=self.settings.llm_model if self.settings.llm_base_url else "",
            llm=bool(self.settings.llm_base_url),
            skipped=tuple(s.error for s in self.skipped),
            notice=self.index.notice,
        )


def _timed(prepared: Prepared, answer: Answer) -> Answer:
    """The answer with the milliseconds of every step of its question."""
    timings = dict(prepared.timings)
    timings["compose_ms"] = (time.perf_counter() - timings.pop("compose_started")) * 1000
    timings["other_ms"] = max(0.0, (time.perf_counter() - prepared.started) * 1000 - sum(timings.values()))
    return replace(answer, timings=timings)
