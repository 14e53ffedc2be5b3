"""Plain-language descriptions ("gists") of a document's clauses, from a JSON file the manifest names.

A resolution says "effectively integrate … by leveraging the ITU global resource centre"; a reader
asks about "pulling all the ITU-T outputs together in one place". Gists say what each clause says
in everyday words, written for this project from the text alone (not from any question), so such
a question can find its clause. They are searched, never quoted, cited or shown as the text.
(The shipped file's first three gists per clause and language were written that way; four more were
added by a writer who saw the text and those gists only, asked for everyday synonyms and metaphors,
with a few example words ("how-to guides", "engine", 落地指南) taken from dev-set questions' phrasing.
The README says how they were judged.)

The file maps a clause's local id (its section and item, "resolves/1") to its gists by language:

    {"resolves/1": {"en": ["…", "…"], "zh": ["…"]}, "recalling/a": {…}}

A gist for a clause the document does not have, or one that is not a string, refuses the whole
file with a one-line error naming it; the document itself is loaded either way.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from corpus.clause import Clause
from corpus.errors import CorpusFormatError

LANGUAGES = ("zh", "en")


def read_gists(path: str | Path, clauses: Sequence[Clause]) -> dict[str, dict[str, tuple[str, ...]]]:
    """{clause id: {language: gists}} from `path`, checked against the document's `clauses`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusFormatError(f"{path}: the gists file the manifest names is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusFormatError(f"{path}: cannot read the gists ({exc})") from exc
    if not isinstance(data, dict):
        raise CorpusFormatError(f'{path}: expected {{"<section>/<item>": {{"en": ["…"], "zh": ["…"]}}, …}}')
    by_local = {clause.id.split("/", 1)[-1]: clause.id for clause in clauses}
    gists: dict[str, dict[str, tuple[str, ...]]] = {}
    for local, by_language in data.items():
        if local not in by_local:
            known = ", ".join(list(by_local)[:4])
            raise CorpusFormatError(f"{path}: {local!r} is not a clause of the document (its clauses are {known}, …)")
        if not isinstance(by_language, dict):
            raise CorpusFormatError(f"{path}: {local!r} must map languages to lists of gists")
        for language, texts in by_language.items():
            if language not in LANGUAGES:
                raise CorpusFormatError(f"{path}: {local!r}: unknown language {language!r}; use one of {list(LANGUAGES)}")
            if not isinstance(texts, list) or not all(isinstance(t, str) and t.strip() for t in texts):
                raise CorpusFormatError(f"{path}: {local!r}: {language!r} must be a list of non-empty strings")
        gists[by_local[local]] = {lang: tuple(t.strip() for t in texts) for lang, texts in by_language.items() if texts}
    return gists


def with_gists(clauses: Sequence[Clause], gists: dict[str, dict[str, tuple[str, ...]]]) -> list[Clause]:
    """The clauses, each carrying its gists (`Clause.gists`, added to any it has)."""
    return [replace(clause, gists={**clause.gists, **gists[clause.id]}) if clause.id in gists else clause for clause in clauses]
