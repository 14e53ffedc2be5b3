"""The Assistant: corpus, model and index loaded once; questions answered with citations."""

from __future__ import annotations

import threading
import time
import unicodedata
from dataclasses import dataclass, replace
from typing import Sequence

from corpus.clause import Clause
from corpus.errors import AssistantError, QuestionError
from corpus.manifest import load_manifest
from corpus.mandates import Mandate, list_mandates
from corpus.library import load_corpus
from embeddings.index import ClauseIndex, SyncReport, passage_text
from embeddings.model import TextEmbedder
from embeddings.onnx_model import make_embedder
from assistant import dictionary
from assistant.answer import Selection, compose_answer, select_clauses
from assistant.conversation import Turn, TurnMemory, chain_with, resolve
from assistant.routing import route_question
from assistant.search import SIGNALS, HybridSearch
from assistant.settings import Settings
from assistant.text import detect_language
from assistant.types import Answer, Hit

__all__ = ["Assistant", "AssistantError", "QuestionError", "validate_question"]

MAX_QUESTION_CHARS = 2000
MAX_HISTORY = 6  # follow-ups lean on the last few turns; older ones cost time and change nothing
REMEMBERED_TURNS = 1024  # answered turns kept for later follow-ups, per index


def validate_question(question: object) -> str:
    """The question as it will be answered, or a QuestionError saying what is wrong with it."""
    if not isinstance(question, str):
        raise QuestionError("The question must be text.", zh="问题必须是文本。")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"The question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. Ask something shorter.",
            zh=f"问题长 {len(question):,} 个字符，上限是 {MAX_QUESTION_CHARS:,} 个。请问得简短一些。",
        )
    cleaned = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in question
        if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn")
    ).strip()
    if not cleaned:
        raise QuestionError(
            "The question is empty. Ask about the resolution, e.g. “What is TSAG instructed to do?”",
            zh="问题是空的。请就决议提问，例如“电信标准化顾问组的任务是什么？”",
        )
    if not any(unicodedata.category(ch)[0] in "LN" for ch in cleaned):
        raise QuestionError(
            "The question has no words in it. Ask about the resolution in Chinese or English.",
            zh="问题里没有文字。请用中文或英文就决议提问。",
        )
    return " ".join(cleaned.split())


@dataclass(frozen=True)
class _Loaded:
    """What answering needs, replaced as one, so no remembered turn outlives the index it came from."""

    search: HybridSearch
    turns: TurnMemory


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
        self.embedder = embedder or make_embedder(
            settings.embedding_model, cache_dir=settings.model_cache, backend=settings.embedding_backend
        )
        self.index = ClauseIndex(
            self.embedder, data_dir=settings.data_dir, chroma_url=settings.chroma_url, corpus_name="default"
        )
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()
        self._llm = None

    @property
    def clauses(self) -> list[Clause]:
        if self._clauses is None:
            self._clauses = load_corpus(self.settings.corpus_dir)
        return self._clauses

    def build_index(self, *, rebuild: bool = False, progress: bool = False) -> SyncReport:
        """Bring the index in line with the corpus (embeds only what changed)."""
        report = self.index.sync(self.clauses, rebuild=rebuild, progress=progress)
        with self._lock:
            self._loaded = None
        return report

    def load(self, *, progress: bool = False) -> None:
        """Load the model and make sure the index is complete; later questions pay nothing."""
        self._load(progress=progress)

    def _load(self, *, progress: bool = False) -> _Loaded:
        with self._lock:
            if self._loaded is None:
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
                self._loaded = _Loaded(search, TurnMemory(size=REMEMBERED_TURNS))
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
                turn = resolve(text, previous)
                hits = loaded.search.search(turn.question, turn.route, k=10)
                turn = _discussed(turn, select_clauses(turn.question, hits, turn.route, corpus=loaded.search), hits)
                loaded.turns.put(chain, turn)
            previous = turn
        return chain, previous

    def ask(self, question: str, history: Sequence[str] = ()) -> Answer:
        """A short answer in the question's language, every statement cited."""
        started = time.perf_counter()
        text = validate_question(question)
        history = () if history is None else history
        if isinstance(history, (str, bytes)) or not isinstance(history, Sequence) or not all(isinstance(h, str) for h in history):
            raise QuestionError("history must be a list of earlier questions (strings), oldest first.")
        loaded = self._load()
        timings: dict = {}
        language = detect_language(text)
        chain, previous = self._turns(loaded, history) if history else ((), None)
        turn = resolve(text, previous)
        hits = loaded.search.search(turn.question, turn.route, k=10, timings=timings)
        compose_started = time.perf_counter()
        selection = select_clauses(turn.question, hits, turn.route, corpus=loaded.search)
        loaded.turns.put(chain_with(chain, text), _discussed(turn, selection, hits))  # for the next follow-up
        answer = compose_answer(text, language, selection, hits)
        if self.settings.llm_base_url:
            answer = self._llm_answerer().answer(turn.question, hits, answer)
        timings["compose_ms"] = (time.perf_counter() - compose_started) * 1000
        timings["other_ms"] = max(0.0, (time.perf_counter() - started) * 1000 - sum(timings.values()))
        return replace(answer, timings=dict(timings))

    def mandates(self, actor: str | None = None) -> list[Mandate]:
        """Operative clauses grouped by actor; `actor` matches in either language (TSAG = 电信标准化顾问组)."""
        return list_mandates(self.clauses, actor=actor)

    def document_titles(self) -> dict[str, dict]:
        """Titles of the corpus documents by id, {"zh": ..., "en": ...}, from the manifest."""
        try:
            return {meta.id: {"zh": meta.title, "en": meta.title_en} for meta in load_manifest(self.settings.corpus_dir)}
        except AssistantError:
            return {}

    def _llm_answerer(self):
        if self._llm is None:
            from assistant.llm import LLMAnswerer

            self._llm = LLMAnswerer(self.settings)
        return self._llm

    @property
    def retriever(self):
        """The same search as a LangChain retriever (for chains built on top)."""
        from assistant.retriever import ClauseRetriever

        return ClauseRetriever(search=self._load().search)

    def status(self) -> dict:
        """What the app's status line shows."""
        docs = {c.document for c in self.clauses}
        return {
            **self.settings.describe(),
            "embedding_model": self.embedder.model_id,
            "documents": len(docs),
            "clauses": len(self.clauses),
            "index": self.index.location,
            "ready": self.ready,
        }


