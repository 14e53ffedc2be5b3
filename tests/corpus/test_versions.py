"""Language versions of one resolution: aligned on structure into the same clause ids, or refused in one line."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.errors import CorpusFormatError
from corpus.library import load_files, load_library
from corpus.manifest import DocumentMeta
from corpus.parse import parse_file, parse_text
from tests.corpus.support import CORPUS_DIR, ROOT, SEED
from tests.fixtures.make_docx import build_from_text

RENDERING = CORPUS_DIR / "wtsa-res106-2024.en.txt"
EN_TEXT = RENDERING.read_text(encoding="utf-8")


@pytest.fixture
def folder(tmp_path):
    """A copy of the shipped corpus folder: the Chinese seed, its English rendering, the manifest."""
    for path in CORPUS_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def write_rendering(folder: Path, text: str) -> None:
    (folder / RENDERING.name).write_text(text, encoding="utf-8")


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_versions_share_the_original_clause_ids_and_keep_it_authoritative():
    library = load_library(CORPUS_DIR)
    english = parse_file(RENDERING)
    assert [c.id for c in library.clauses] == [c.id for c in parse_file(SEED).clauses] == [c.id for c in english.clauses]
    for clause, version in zip(library.clauses, english.clauses):
        assert clause.language == "zh" and clause.versions == {"en": {"text": version.text, "official": False}}
        assert clause.text_in("en") == version.text and clause.text_in("zh") == clause.text
    title = library.clauses[4]
    assert title.id == "wtsa-res106-2024/title/1"
    assert title.text_in("en").splitlines() == [
        "RESOLUTION 106 (New Delhi, 2024)",
        "Enhancing standardization activities for sustainable digital transformation",
        "(New Delhi, 2024)",
        "The World Telecommunication Standardization Assembly (New Delhi, 2024),",
    ]
    assert title.labels == {"en": "Resolution 106 (New Delhi, 2024), title", "zh": "第106号决议（2024年，新德里）标题"}


def test_the_english_rendering_reads_every_english_heading():
    sections = list(dict.fromkeys(c.section for c in parse_file(RENDERING).clauses))
    assert sections == [
        "foreword", "title", "recalling", "considering", "considering-further", "noting", "bearing-in-mind",
        "resolves", "resolves-to-instruct-tsag", "resolves-to-instruct-tsb-director", "instructs-study-groups",
        "invites-members", "footnotes",
    ]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("4\tto encourage members", "to encourage members"), r"'resolves/4' is missing"),
        (lambda t: t.replace("\nrecalling\n", "\nemphasizing\nthat a section was added,\nrecalling\n"),
         r"'unclassified/1' \(line 11\) is not in the original"),
        (lambda t: t.replace(" [1: 1\tThese include", " [2: 2\tThese include"), r"'footnotes/1' is missing"),
        (lambda t: t.replace("RESOLUTION 106", "RESOLUTION 107"), r"resolution '107' where the original has '106'"),
    ],
    ids=["missing-item", "extra-section", "other-footnote", "other-resolution"],
)
def test_a_version_that_does_not_align_is_refused_and_the_original_keeps_working(folder, edit, message):
    write_rendering(folder, edit(EN_TEXT))
    library = load_library(folder)
    assert [c.id for c in library.clauses] == [c.id for c in parse_file(SEED).clauses]
    assert all(c.versions == {} for c in library.clauses)
    [skipped] = library.skipped
    assert skipped.file.endswith(RENDERING.name) and "\n" not in skipped.error
    assert f"{RENDERING.name}: not aligned with " in skipped.error
    assert re.search(message, skipped.error), skipped.error
    with pytest.raises(CorpusFormatError, match=message):
        load_library(folder, strict=True)


def test_two_versions_in_one_language_are_an_error(folder):
    shutil.copy(RENDERING, folder / "second.en.txt")
    data = manifest(folder)
    data["documents"].append({"file": "second.en.txt", "id": "wtsa-res106-2024", "language": "en", "official": False})
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    library = load_library(folder)
    [skipped] = library.skipped
    assert skipped.file.endswith("second.en.txt")
    assert "wtsa-res106-2024.en.txt and" in skipped.error
    assert "both have document id 'wtsa-res106-2024' in language 'en'" in skipped.error
    first = parse_file(RENDERING).clauses
    assert [c.versions["en"]["text"] for c in library.clauses] == [c.text for c in first]
    with pytest.raises(CorpusFormatError, match="in language 'en'"):
        load_library(folder, strict=True)


def test_an_english_document_with_no_chinese_original_is_just_a_document(tmp_path):
    shutil.copy(RENDERING, tmp_path / RENDERING.name)
    library = load_library(tmp_path)
    assert len(library.clauses) == 29 and library.skipped == ()
    clause = library.clauses[0]
    assert clause.language == "en" and clause.versions == {} and clause.text.startswith("The International")


@pytest.mark.parametrize("suffix", [".txt", ".docx"])
def test_the_official_english_text_dropped_in_takes_the_renderings_place(folder, suffix):
    official = EN_TEXT.replace("a key driving force", "a key enabler")  # official wording differs
    path = folder / f"R106-official-en{suffix}"
    if suffix == ".docx":
        build_from_text(official, path)
    else:
        path.write_text(official, encoding="utf-8")
    library = load_library(folder)
    considering = next(c for c in library.clauses if c.id == "wtsa-res106-2024/considering/a")
    assert considering.versions["en"]["official"] is True and "a key enabler" in considering.versions["en"]["text"]
    assert {c.versions["en"]["official"] for c in library.clauses} == {True}
    note = library.clauses[-1]
    assert note.id == "wtsa-res106-2024/footnotes/1" and note.versions["en"]["text"].startswith("These include")
    [skipped] = library.skipped
    assert skipped.file.endswith(RENDERING.name) and f"the official text in {path} is used instead" in skipped.error

    (folder / RENDERING.name).unlink()  # the rendering removed from the folder and from the manifest
    data = manifest(folder)
    data["documents"] = data["documents"][:1]
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    again = load_library(folder)
    assert again.skipped == () and again.clauses == library.clauses


def test_a_docx_version_reads_its_word_footnotes(tmp_path):
    path = build_from_text(EN_TEXT, tmp_path / "en.docx")
    from_docx, from_text = parse_file(path), parse_file(RENDERING)
    assert [c.to_dict() for c in from_docx.clauses] == [c.to_dict() for c in from_text.clauses]
    assert from_docx.clauses[-1].text.startswith("These include the least developed countries")


def test_clauses_of_the_files_given_are_aligned_too(tmp_path):
    library = load_files([SEED, RENDERING])
    assert len(library.clauses) == 29 and all("en" in c.versions for c in library.clauses)
    bad = tmp_path / "bad.en.txt"
    bad.write_text(EN_TEXT.replace("4\tto encourage members", "to encourage members"), encoding="utf-8")
    with pytest.raises(CorpusFormatError, match=r"bad\.en\.txt: not aligned with .*'resolves/4' is missing"):
        load_files([SEED, bad])


def test_official_is_a_manifest_boolean():
    assert DocumentMeta.from_dict({"file": "x.txt"}).official is True
    assert DocumentMeta.from_dict({"file": "x.txt", "official": False}).official is False
    with pytest.raises(CorpusFormatError, match="'official' must be true or false, got 'no'"):
        DocumentMeta.from_dict({"file": "x.txt", "official": "no"})
    with pytest.raises(CorpusFormatError, match="'title' must be a string"):
        DocumentMeta.from_dict({"file": "x.txt", "title": True})
    assert parse_text(SEED.read_text(encoding="utf-8"), metadata={"official": False}).meta.official is False


def test_footnotes_typed_under_a_heading_with_superscript_marks():
    document = parse_text(
        "RESOLUTION 5 (Geneva, 2020)\nA test\nThe World Telecommunication Standardization Assembly (Geneva, 2020),\n"
        "recalling\nthat developing countries¹ matter,\nresolves\nto act.\nFootnotes\n1\tThese include the least developed.\n"
    )
    by_id = {c.id.split("/", 1)[1]: c for c in document.clauses}
    assert list(by_id) == ["title/1", "recalling/1", "resolves/1", "footnotes/1"]
    assert by_id["footnotes/1"].text == "These include the least developed."
    assert by_id["footnotes/1"].kind == "footnote" and by_id["footnotes/1"].labels["en"].endswith("footnote 1")
    assert by_id["recalling/1"].footnotes == ("wtsa-res5-2020/footnotes/1",)


@pytest.mark.parametrize(
    ("repeat", "message"),
    [
        (
            lambda t: t + "\n" + t.split("\n", 5)[5],  # from the number line on, again
            r"twice\.zh\.txt:49: a second resolution number line '第106号决议（2024年，新德里）' \(the first is at line 6\)",
        ),
        (
            lambda t: t + "\n忆及\na)\t再一次；",
            r"twice\.zh\.txt:49: section heading '忆及' again \(first at line 10\)",
        ),
    ],
    ids=["whole-resolution", "section"],
)
def test_a_resolution_repeated_inside_one_file_is_refused(tmp_path, repeat, message):
    path = tmp_path / "twice.zh.txt"
    path.write_text(repeat(SEED.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(CorpusFormatError, match=message):
        parse_file(path)


def test_the_cli_shows_versions_in_clauses_json():
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "clauses", "--json"], capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**os.environ, "RA_CORPUS_DIR": str(CORPUS_DIR)},
    )
    assert result.returncode == 0, result.stderr
    clauses = json.loads(result.stdout)
    assert len(clauses) == 29
    assert clauses[5]["versions"]["en"] == {"text": parse_file(RENDERING).clauses[5].text, "official": False}
