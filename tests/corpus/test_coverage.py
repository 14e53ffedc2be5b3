"""Every non-blank source line is document metadata or lands in exactly one clause."""

from __future__ import annotations

import re
from collections import defaultdict

import docx

from corpus.parse import parse_file
from tests.corpus.support import DOCX_FIXTURE, EN_FIXTURE, SEED, TITLE_BLOCK, assert_accounted_for

# An independent reading of the seed's artefacts, so the parser's cleaning is checked too.
BOOKMARK = re.compile(r"\[bookmark: [a-z]+\]")
FOOTNOTE_BODY = re.compile(r"\s*\[(\d): \1\t([^\]]+)\]\s*$")
FOOTNOTE_MARK = re.compile(r"\[footnoteRef:1\]1")
LABEL = re.compile(r"^(?:[a-e]\)|[1-4])\t")


def seed_fragments(raw: str) -> tuple[str, list[str]]:
    """(host paragraph text without its label, footnote bodies) of one seed line."""
    text = BOOKMARK.sub("", raw)
    bodies = [m.group(2) for m in FOOTNOTE_BODY.finditer(text)]
    text = FOOTNOTE_MARK.sub("¹", FOOTNOTE_BODY.sub("", text)).strip()
    return LABEL.sub("", text), bodies


def test_every_seed_line_is_metadata_or_in_exactly_one_clause():
    document = parse_file(SEED)
    raw_lines = SEED.read_text(encoding="utf-8").split("\n")
    metadata = {m.line: m for m in document.metadata_lines}
    pieces: dict[str, list[str]] = defaultdict(list)
    for number, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        host, bodies = seed_fragments(raw)
        holders = [c for c in document.clauses if host and host in c.text and c.span[0] <= number <= c.span[1]]
        if number in metadata and metadata[number].role in TITLE_BLOCK:
            assert metadata[number].text == host and [c.id for c in holders] == ["wtsa-res106-2024/title/1"]
            pieces[holders[0].id].append(host)
        elif number in metadata:
            assert metadata[number].text == host and not holders
        else:
            assert len(holders) == 1, (number, host)
            pieces[holders[0].id].append(host)
        for body in bodies:
            [note] = [c for c in document.clauses if c.kind == "footnote" and c.span == (number, number)]
            assert note.text == body
            pieces[note.id].append(body)
    assert sorted(pieces) == sorted(c.id for c in document.clauses)
    assert all(c.text == "\n".join(pieces[c.id]) for c in document.clauses), "a clause holds text twice or from nowhere"


def test_the_title_clause_is_the_title_block_as_written():
    [title] = [c for c in parse_file(SEED).clauses if c.kind == "title"]
    assert title.text == "第106号决议（2024年，新德里）\n加强可持续数字化转型方面的标准化活动\n（2024年，新德里）\n世界电信标准化全会（2024年，新德里），"
    assert (title.id, title.span, title.order, title.refs) == ("wtsa-res106-2024/title/1", (6, 9), 4, ())


def test_seed_metadata_lines_are_the_title_block_and_headings():
    roles = {m.line: m.role for m in parse_file(SEED).metadata_lines}
    assert roles == {
        1: "heading",
        6: "resolution-number",
        7: "title",
        8: "date",
        9: "assembly",
        **{line: "heading" for line in (10, 17, 23, 25, 27, 31, 36, 38, 42, 46)},
    }


def test_line_twelve_carries_two_fragments():
    by_id = {c.id: c for c in parse_file(SEED).clauses}
    host, note = by_id["wtsa-res106-2024/recalling/b"], by_id["wtsa-res106-2024/footnotes/1"]
    assert host.span == note.span == (12, 12)
    assert "这些国家" not in host.text and note.text not in host.text


def test_seed_english_and_docx_fixtures_are_fully_accounted_for():
    assert_accounted_for(parse_file(SEED), SEED.read_text(encoding="utf-8").split("\n"))
    assert_accounted_for(parse_file(EN_FIXTURE), EN_FIXTURE.read_text(encoding="utf-8").split("\n"))
    paragraphs = [p.text for p in docx.Document(str(DOCX_FIXTURE)).paragraphs]
    assert_accounted_for(parse_file(DOCX_FIXTURE), paragraphs)
