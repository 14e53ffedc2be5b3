"""Language detection, normalization and tokenization for Chinese and English text.

Chinese is segmented with jieba (search mode) plus character bigrams, never split
on whitespace: whitespace BM25 sees a whole Chinese sentence as one token.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Sequence

import snowballstemmer

from corpus.errors import QuestionError

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # one Chinese character
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:[-/.][a-z0-9]+)*")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Markup syntax: an HTML tag, a template's or wiki's {{…}} and [[…]], a character entity.
_MARKUP = re.compile(r"<[^<>]{0,300}>|\{\{[^{}]{0,300}\}\}|\[\[[^\[\]]{0,300}\]\]|&(?:[a-z]{2,8}|#[0-9]{1,6});", re.IGNORECASE)

EN_STOPWORDS = frozenset(
    """a an the of to in on for and or by with as at from is are was were be been being do does did done
    what which who whom whose when where why how this that these those it its they them their there here
    i you we he she me my our your us any all some can could should would may might must shall will
    about into than then so such not no nor if but also only other more most very just
    say says said tell tells mean means according resolution resolutions text document clause clauses
    please give list show explain describe summarize summarise know need want""".split()
)
ZH_STOPWORDS = frozenset(
    """的 了 是 在 和 与 及 或 对 由 为 以 中 上 下 把 被 给 从 向 等 之 其 这 那 这些 那些 什么 哪些 哪个 哪 吗 呢 吧 啊
    怎么 怎样 如何 为什么 是否 有 有没有 没有 要 需要 应该 应 会 能 可以 该 本 此 该项 请问 请 告诉 我 我们 你 您 他们 它 它们
    决议 本决议 哪里 多少 一下 一些 所有 全部 都 也 还 就 又 做 干 说 提到 提及 规定 内容 什么样""".split()
)


MAX_QUESTION_CHARS = 2000


def validate_question(question: object) -> str:
    """The question as it will be answered, or a QuestionError saying what is wrong with it."""
    if not isinstance(question, str):
        raise QuestionError("The question must be text.", zh="问题必须是文本。")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"The question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. Ask something shorter.",
            zh=f"问题长 {len(question):,} 个字符，上限是 {MAX_QUESTION_CHARS:,} 个。请问得简短一些。",
        )
    # A printable text has no character of these categories (str.isprintable reads the same table): no scan.
    cleaned = question.strip() if question.isprintable() else "".join(
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


def detect_language(text: str) -> str:
    """'zh' when the text is mostly Chinese, else 'en'."""
    cjk = len(CJK.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "zh" if cjk and cjk * 3 >= latin else "en"


def script_share(text: str, language: str) -> float | None:
    """Share of the letters of `text` in the script of `language` (Latin for "en", CJK for "zh"); None without letters.

    >>> round(script_share("According to resolves 2: “促进合作”", "en"), 3)
    0.826
    """
    letters = [ch for ch in text if unicodedata.category(ch).startswith("L")]
    if not letters:
        return None
    if language == "en":
        return sum(ch.isascii() for ch in letters) / len(letters)
    return sum(bool(CJK.match(ch)) for ch in letters) / len(letters)


@lru_cache(maxsize=1024)
def normalize(text: str) -> str:
    """NFKC, lowercase, invisible and control characters removed, whitespace collapsed.

    Remembered: answering one question normalizes its text a dozen times, in as many modules.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip().lower()


_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    with _jieba_lock:
        jieba.initialize()
    return jieba


@lru_cache(maxsize=4096)
def _segment(run: str, precise: bool = False) -> tuple[str, ...]:
    cut = _jieba().lcut if precise else _jieba().lcut_for_search
    return tuple(w for w in cut(run) if w.strip())


# jieba's part-of-speech tags for names: places, people, transliterations, organisations, other.
_NAME_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nt", "nz"})
# A capitalized word that does not start its sentence ("Does it mention India?").
_LATIN_NAME = re.compile(r"(?<![.?!。？！]\s)(?<!^)\b[A-Z][a-z]{2,}\b")


# An abbreviation as written: two capitals or more, maybe hyphenated or plural ("TSAG", "RG-DT", "SDOs").
_ACRONYM = re.compile(r"(?<![A-Za-z0-9-])[A-Z][A-Z0-9]*[A-Z](?:-[A-Z0-9]+)*s?(?![A-Za-z0-9-])")


def acronyms(text: str) -> list[str]:
    """The abbreviations a question uses, as written.

    >>> acronyms("Does the AAP apply to SDOs and RG-DT? ITU-R呢")
    ['AAP', 'SDOs', 'RG-DT', 'ITU-R']
    """
    return list(dict.fromkeys(_ACRONYM.findall(text)))


def proper_names(text: str) -> list[str]:
    """Names of places, people and organisations in a question, as written.

    Chinese names come from jieba's part-of-speech tags; Latin ones are capitalized words
    inside a sentence.

    >>> proper_names("Does it mention India or China?")
    ['India', 'China']
    """
    names = [m.group(0) for m in _LATIN_NAME.finditer(text.strip())]
    for run in _CJK_RUN.findall(text):
        names.extend(w.word for w in _tagger().cut(run) if w.flag in _NAME_TAGS)
    return list(dict.fromkeys(names))


@lru_cache(maxsize=1)
def _tagger():
    """jieba's part-of-speech tagger; importing it reads its tables (~0.9 s), so the app does it while idle."""
    _jieba()
    with _jieba_lock:
        import jieba.posseg

    return jieba.posseg


def warm_up() -> None:
    """Read what answering some questions needs and nothing at start-up does (the tagger's tables)."""
    _tagger()


def tokenize(text: str, *, stopwords: bool = False) -> list[str]:
    """Lexical terms: jieba words and character bigrams for Chinese, words for Latin script."""
    norm = normalize(text)
    terms: list[str] = []
    for run in _CJK_RUN.findall(norm):
        words = _segment(run)
        terms.extend(w for w in words if not (stopwords and w in ZH_STOPWORDS))
        terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    for word in _LATIN_WORD.findall(norm):
        if stopwords and word in EN_STOPWORDS:
            continue
        terms.append(word)
        if "-" in word or "/" in word:
            terms.extend(p for p in re.split(r"[-/.]", word) if p)
    return terms


def content_terms(text: str, *, precise: bool = False) -> list[str]:
    """Words that carry meaning (no stopwords, no bigrams), in order.

    `precise` segments Chinese into whole words only ("能力建设", not also "能力", "建设").
    """
    norm = normalize(text)
    terms: list[str] = []
    for run in _CJK_RUN.findall(norm):
        terms.extend(w for w in _segment(run, precise) if w not in ZH_STOPWORDS)
    terms.extend(w for w in _LATIN_WORD.findall(norm) if w not in EN_STOPWORDS)
    return terms


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem, applied alike to questions and texts: qualities, quality -> qualiti."""
    return _STEMMER.stemWord(word)


def stemmed_terms(text: str, *, stopwords: bool = False) -> list[str]:
    """Lexical terms of an English text: `tokenize`'s words, stemmed ("instructed" meets "instructs").

    >>> stemmed_terms("The study groups are instructed", stopwords=True)
    ['studi', 'group', 'instruct']
    """
    return [stem(term) if term.isalpha() else term for term in tokenize(text, stopwords=stopwords)]


# How much of a title a stretch of a question must hold to name the document by it: a short form
# ("the resolution on sustainable digital transformation standardization", 4 of its 6 words) names it
# next to a word for a document; elsewhere the same words are a topic ("build standardization
# capacity for sustainable digital transformation"), and only most of the title names it.
TITLE_SHARE = 0.7
TITLE_SHARE_NAMED = 0.6
_DOCUMENT_WORD = re.compile(r"\b(?:resolution|document|text)s?\b|决议|文件")
_UNIT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[a-z0-9]+")


def _units(text: str) -> list[tuple[str, int, int]]:
    """A normalized text's Chinese characters and stemmed English words, with their offsets."""
    return [
        (stem(m.group()) if m.group().isalpha() and m.group().isascii() else m.group(), m.start(), m.end())
        for m in _UNIT.finditer(text)
        if m.group() not in EN_STOPWORDS
    ]


def without_title(question: str, titles: Sequence[str], *, language: str) -> str:
    """The question with a document named by its title named as "this resolution" instead.

    "What number is the resolution on enhancing standardization for sustainable digital
    transformation?" asks about a document, not about transformation: its title's words are
    what it is called, not what is asked. A stretch of the question holding at least
    `TITLE_SHARE` of a title's characters (Chinese) or stemmed words (English), in any order, names it,
    or `TITLE_SHARE_NAMED` of them beside a word for a document ("…的这份决议", "the resolution on …").

    >>> without_title("What number has the resolution on enhancing standardization for sustainable digital transformation?",
    ...               ["Enhancing standardization activities for sustainable digital transformation"], language="en")
    'what number has the resolution on this resolution?'
    """
    norm = normalize(question)
    units = _units(norm)
    best: tuple[float, int, int] | None = None
    for title in titles:
        wanted = {unit for unit, _, _ in _units(normalize(title))}
        if len(wanted) < 3:
            continue
        for first in range(len(units)):
            if units[first][0] not in wanted:
                continue
            held: set[str] = set()
            for last in range(first, min(len(units), first + 2 * len(wanted))):
                if units[last][0] in wanted:
                    held.add(units[last][0])
                    share = len(held) / len(wanted)
                    start, end = units[first][1], units[last][2]
                    named = share >= TITLE_SHARE or share >= TITLE_SHARE_NAMED and bool(
                        _DOCUMENT_WORD.search(norm[max(0, start - 16):start]) or _DOCUMENT_WORD.search(norm[end:end + 12])
                    )
                    if named and (best is None or share > best[0]):
                        best = (share, start, end)
    if best is None:
        return question
    _, start, end = best
    return f"{norm[:start]}{'这项决议' if language == 'zh' else 'this resolution'}{norm[end:]}"


# Pasted code: a fenced block (to its end, or the question's), or a script or style element with its content.
_CODE = re.compile(r"```.*?(?:```|$)|<(script|style)\b[^>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
# A pasted HTML fragment: from its first opening tag to the closing tag of the same element, with the text
# inside ("<div class="res"><p>第106号决议</p></div> 这段html怎么让它居中？" asks about the fragment).
_ELEMENT = re.compile(r"<([a-z][a-z0-9]*)\b[^<>]{0,300}>.*</\1\s*>", re.DOTALL | re.IGNORECASE)


def outside_pasted(text: str) -> str | None:
    """The words outside pasted code and markup, or None when nothing is pasted.

    >>> outside_pasted("<script>alert(1)</script> what does this output?"), outside_pasted("What is TSAG told to do?")
    ('  what does this output?', None)
    >>> outside_pasted("<div><p>Resolution 106</p></div> how do I centre this?")
    '  how do I centre this?'
    """
    if not (_CODE.search(text) or _MARKUP.search(text)):
        return None
    return _MARKUP.sub(" ", _ELEMENT.sub(" ", _CODE.sub(" ", text)))
