"""Shared paths and the "nothing dropped, nothing duplicated" check for the parser tests."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from corpus.lines import clean_line, split_label
from corpus.parse import ParsedDocument

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = ROOT / "corpus" / "texts"
SEED = CORPUS_DIR / "wtsa-res106-2024.zh.txt"
FIXTURES = ROOT / "tests" / "fixtures"
EN_FIXTURE = FIXTURES / "res900-en.txt"
DOCX_FIXTURE = FIXTURES / "res901-zh.docx"


TITLE_BLOCK = ("resolution-number", "title", "date", "assembly")


def assert_accounted_for(document: ParsedDocument, raw_lines: list[str]) -> None:
    """Each non-blank line is a heading or front matter, or lands in exactly one clause; no clause holds anything else.

    Title-block lines are both: recorded with their role, and the text of the "title" clause.
    Uses the parser's own line cleaning (`clean_line`), so it checks the assembly of lines into
    clauses; test_coverage.py checks the seed with an independent cleaner.
    """
    metadata = {m.line: m for m in document.metadata_lines}
    assert len(metadata) == len(document.metadata_lines), "a line recorded twice as metadata"
    defined = {(number, f.number) for number, raw in enumerate(raw_lines, start=1) for f in clean_line(raw).footnotes}
    notes = [c for c in document.clauses if c.kind == "footnote" and (c.span[0], c.item) in defined]
    body = [c for c in document.clauses if c not in notes]
    pieces: dict[str, list[str]] = defaultdict(list)
    for number, raw in enumerate(raw_lines, start=1):
        line = clean_line(raw)
        owners = [c for c in body if c.span[0] <= number <= c.span[1]]
        role = metadata[number].role if number in metadata else ""
        if role:
            assert metadata[number].text == line.text
        if role in TITLE_BLOCK:
            assert [c.kind for c in owners] == ["title"], f"title-block line {number} is in {owners}"
            pieces[owners[0].id].append(line.text)
        elif role:
            assert not owners, f"line {number} is both metadata and in {owners[0].id}"
        elif line.text:
            assert len(owners) == 1, f"line {number} {line.text!r} is in {len(owners)} clauses"
            # Foreword paragraphs are kept whole; items lose their "a)<TAB>" label.
            fragment = line.text if owners[0].kind == "foreword" else split_label(line.text)[1]
            assert fragment in owners[0].text
            pieces[owners[0].id].append(fragment)
        for footnote in line.footnotes:
            [note] = [c for c in notes if c.span == (number, number) and c.item == footnote.number]
            pieces[note.id].append(footnote.text)
    for clause in document.clauses:
        assert "\n".join(pieces[clause.id]) == clause.text, f"{clause.id} holds text from nowhere or twice"
