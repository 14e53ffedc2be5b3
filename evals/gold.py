"""Gold sets: questions paired with the clauses that answer them, read from JSON Lines.

One JSON object a line::

    {"id": "zh-actor-01", "lang": "zh", "type": "actor", "question": "电信标准化局主任要做什么？",
     "gold_ids": ["wtsa-res106-2024/resolves-to-instruct-tsb-director/1"], "answerable": true,
     "key_facts": ["向发展中国家提供帮助"]}

Gold clauses may be named by id (`gold_ids`) or by a verbatim passage (`gold_quotes`), which
is how an evaluator who does not know the ids writes a case; a case's gold is the union.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from corpus.clause import Clause
from corpus.errors import AssistantError

LANGS = ("zh", "en")
DEV_TYPES = ("lookup", "paraphrase", "actor", "list", "clause-ref", "followup", "unanswerable")
# The intents of questions as newcomers and delegates ask them (judged on evals/blind.jsonl).
INTENT_TYPES = ("overview", "document", "references", "role", "who-acts", "purpose", "footnote")
# A case whose file gives no "type" (an evaluator's own gold file need not sort its questions).
UNTYPED = "other"
TYPES = (*DEV_TYPES, *INTENT_TYPES, UNTYPED)
_LISTS = ("history", "gold_ids", "gold_quotes", "key_facts")
_FIELDS = ("id", "lang", "type", "question", "answerable", *_LISTS)


@dataclass(frozen=True)
class EvalCase:
    """One gold question with the clause ids (`gold`) a correct answer cites.

    >>> case = EvalCase(id="en-actor-01", lang="en", type="actor", question="What is TSAG asked to do?",
    ...                 gold=("wtsa-res106-2024/resolves-to-instruct-tsag/1",))
    >>> case.answerable, case.multi_turn
    (True, False)
    """

    id: str
    lang: str
    type: str
    question: str
    history: tuple[str, ...] = ()  # earlier user questions, oldest first
    gold_ids: tuple[str, ...] = ()  # as written in the file
    gold_quotes: tuple[str, ...] = ()  # as written in the file
    answerable: bool = True
    key_facts: tuple[str, ...] = ()  # substrings a correct answer contains
    gold: tuple[str, ...] = ()  # resolved: gold_ids, then the clauses the quotes identify

    @property
    def multi_turn(self) -> bool:
        return bool(self.history)

    def to_dict(self) -> dict:
        data = asdict(self)
        for name in (*_LISTS, "gold"):
            data[name] = list(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict) -> EvalCase:
        data = dict(data)
        for name in (*_LISTS, "gold"):
            data[name] = tuple(data.get(name, ()))
        return cls(**data)


def load_gold(path: str | Path, clauses: Iterable[Clause]) -> list[EvalCase]:
    """Read and check a gold set against the corpus; every problem names the file, line and case."""
    path = Path(path)
    by_id = {clause.id: clause for clause in clauses}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(
            f"cannot read gold set {path}: {exc}; check the path and that it is UTF-8 JSON Lines"
        ) from None
    cases: list[EvalCase] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        case = _parse_case(line, _Where(path, number), by_id)
        if case.id in first_line:
            raise _Where(path, number, case.id).error(
                f"duplicate case id (first used on line {first_line[case.id]}); give every case its own id"
            )
        first_line[case.id] = number
        cases.append(case)
    if not cases:
        raise AssistantError(f"{path} holds no cases; write one JSON object per line")
    return cases


def resolve_quote(quote: str, clauses: Iterable[Clause]) -> list[str]:
    """Ids of the clauses whose text contains `quote`: exactly, or else ignoring whitespace, or
    else in the heading they stand under.

    Chinese puts no spaces between words, so a passage copied from a PDF or a chat often
    carries stray spaces or line breaks that the clause text does not.
    """
    clauses = list(clauses)
    exact = [clause.id for clause in clauses if quote in clause.text]
    if exact:
        return exact
    squeezed = _squeeze(quote)
    loose = [clause.id for clause in clauses if squeezed and squeezed in _squeeze(clause.text)]
    if loose or not squeezed:
        return loose
    # A heading quoted ("请成员国、部门成员、部门准成员和学术成员") names the clauses under it; one
    # heading over several items matches them all, which the caller refuses as ambiguous.
    return [clause.id for clause in clauses if clause.heading and squeezed in _squeeze(clause.heading)]


def dataset_hash(path: str | Path) -> str:
    """A content hash of the gold file, recorded with results so runs on different sets are not compared."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AssistantError(f"cannot read gold set {path}: {exc.strerror}; check the path") from None
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class _Where:
    path: Path
    line: int
    case_id: str = ""

    def error(self, problem: str) -> AssistantError:
        case = f"case {self.case_id!r}" if self.case_id else "case id unknown"
        return AssistantError(f"{self.path}:{self.line} ({case}): {problem}")


def _parse_case(line: str, where: _Where, by_id: dict[str, Clause]) -> EvalCase:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise where.error(f"bad JSON ({exc.msg} at column {exc.colno}); write one JSON object per line") from None
    if not isinstance(data, dict):
        raise where.error("the line is not a JSON object; write one {...} object per line")
    case_id = data.get("id")
    if not isinstance(case_id, str) or not case_id.strip():
        raise where.error('missing "id"; give every case a unique string id')
    where = _Where(where.path, where.line, case_id)
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise where.error(f"unknown field {unknown[0]!r}; the fields are {', '.join(_FIELDS)}")
    question = data.get("question")
    if not isinstance(question, str) or not question.strip():
        raise where.error('missing "question"; write the user question as a non-empty string')
    if data.get("lang") not in LANGS:
        raise where.error(f"lang {data.get('lang')!r} is not one of {', '.join(LANGS)}")
    case_type = data.get("type", UNTYPED)
    if case_type not in TYPES:
        raise where.error(f"type {case_type!r} is not one of {', '.join(TYPES)} (or leave it out)")
    answerable = data.get("answerable", True)
    if not isinstance(answerable, bool):
        raise where.error(f"answerable {answerable!r} is not true or false")
    lists = {name: _strings(data, name, where) for name in _LISTS}
    for gold_id in lists["gold_ids"]:
        if gold_id not in by_id:
            example = next(iter(by_id), "?")
            raise where.error(f"unknown gold id {gold_id!r}; use a clause id of the corpus, e.g. {example!r}")
    gold = list(dict.fromkeys(lists["gold_ids"]))
    for quote in lists["gold_quotes"]:
        matches = resolve_quote(quote, by_id.values()) if quote.strip() else []
        if not matches:
            raise where.error(f"quote {quote!r} matches no clause; copy the passage verbatim from one clause")
        if len(matches) > 1:
            raise where.error(
                f"quote {quote!r} matches {len(matches)} clauses ({', '.join(matches)}); "
                "quote a longer passage or use gold_ids"
            )
        gold += [match for match in matches if match not in gold]
    if answerable and not gold:
        raise where.error('an answerable case has no gold; add gold_ids or gold_quotes, or set "answerable": false')
    if not answerable and gold:
        raise where.error(
            'an unanswerable case has gold clauses; remove gold_ids and gold_quotes, or set "answerable": true'
        )
    return EvalCase(
        id=case_id,
        lang=data["lang"],
        type=case_type,
        question=question,
        answerable=answerable,
        gold=tuple(gold),
        **{name: tuple(values) for name, values in lists.items()},
    )


def _strings(data: dict, name: str, where: _Where) -> list[str]:
    values = data.get(name, [])
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise where.error(f'"{name}" must be a list of strings, got {values!r}')
    return values


def _squeeze(text: str) -> str:
    return "".join(text.split())
