"""Loading a corpus folder: manifest order, other files, extra paths, id clashes, skipped files, fingerprints."""

from __future__ import annotations

import json
import re
import shutil
import warnings
from pathlib import Path

import pytest

from corpus.errors import CorpusFormatError, CorpusWarning
from corpus.library import corpus_fingerprint, load_corpus, load_library
from tests.corpus.support import CORPUS_DIR, DOCX_FIXTURE, EN_FIXTURE, SEED


@pytest.fixture
def folder(tmp_path):
    """A corpus folder holding a copy of the shipped one: the seed, its English rendering, the manifest."""
    for path in CORPUS_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def documents(clauses):
    return list(dict.fromkeys(c.document for c in clauses))


def test_the_shipped_corpus():
    library = load_library(CORPUS_DIR)
    clauses = list(library.clauses)
    assert len(clauses) == 29 and documents(clauses) == ["wtsa-res106-2024"] and library.skipped == ()
    assert clauses[0].labels["en"] == "Resolution 106 (New Delhi, 2024), foreword paragraph 1"
    assert all(c.language == "zh" and set(c.versions) == {"en"} for c in clauses)
    assert load_corpus(CORPUS_DIR) == clauses


def test_manifest_documents_then_other_files_by_name_then_extra_paths(folder):
    shutil.copy(DOCX_FIXTURE, folder / "b-res901.docx")
    shutil.copy(EN_FIXTURE, folder / "a-res900.txt")
    (folder / "notes.md").write_text("not a resolution")
    (folder / "~$lock.docx").write_bytes(b"lock")
    extra = folder / "extra"
    extra.mkdir()
    shutil.copy(SEED, extra / "copy.txt")
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["documents"]:
        entry["id"] = "wtsa-res106-2024-listed"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    clauses = load_corpus(folder, extra_paths=[extra / "copy.txt", folder / "a-res900.txt"])
    assert documents(clauses) == ["wtsa-res106-2024-listed", "wtsa-res900-2022", "wtsa-res901-2022", "wtsa-res106-2024"]


def test_two_documents_with_one_id_and_language_name_both_files(folder):
    shutil.copy(SEED, folder / "copy.txt")
    message = r"wtsa-res106-2024\.zh\.txt and .*copy\.txt both have document id 'wtsa-res106-2024' in language 'zh'"
    library = load_library(folder)
    [skipped] = library.skipped
    assert skipped.file.endswith("copy.txt") and re.search(message, skipped.error)
    assert len(library.clauses) == 29
    with pytest.raises(CorpusFormatError, match=message):
        load_library(folder, strict=True)


def test_a_duplicated_item_names_file_and_line(folder):
    text = SEED.read_text(encoding="utf-8").replace("3\t促进及时制定实施导则", "2\t促进及时制定实施导则")
    (folder / SEED.name).write_text(text, encoding="utf-8")
    message = r"wtsa-res106-2024\.zh\.txt:34: clause id 'wtsa-res106-2024/resolves/2'"
    with pytest.raises(CorpusFormatError, match=message):
        load_library(folder, strict=True)


def test_manifest_listing_a_missing_file(folder):
    (folder / SEED.name).unlink()
    [skipped] = load_library(folder).skipped  # the English rendering is left, as a document of its own
    assert "lists 'wtsa-res106-2024.zh.txt', which is not in" in skipped.error
    (folder / "wtsa-res106-2024.en.txt").unlink()
    with pytest.raises(CorpusFormatError, match="lists 'wtsa-res106-2024.zh.txt', which is not in.*and 1 more file"):
        load_library(folder)


BAD_FILES = {
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00", "binary data"),
    "empty.txt": (b"", "the file is empty"),
    "gbk.txt": (SEED.read_text(encoding="utf-8").encode("gbk"), "not UTF-8 text"),
    "notes.txt": ("会议记录：没有决议。".encode(), "no resolution number line"),
    "broken.docx": (b"PK\x03\x04 truncated", "not a .docx"),
}


def test_bad_files_are_skipped_with_their_reasons_and_the_rest_loads(folder):
    for name, (data, _) in BAD_FILES.items():
        (folder / name).write_bytes(data)
    shutil.copy(EN_FIXTURE, folder / "res900.txt")
    library = load_library(folder)
    assert documents(library.clauses) == ["wtsa-res106-2024", "wtsa-res900-2022"]
    assert all(set(c.versions) == {"en"} for c in library.clauses if c.document == "wtsa-res106-2024")
    reasons = {Path(s.file).name: s.error for s in library.skipped}
    assert sorted(reasons) == sorted(BAD_FILES)
    for name, (_, problem) in BAD_FILES.items():
        assert name in reasons[name] and problem in reasons[name] and "\n" not in reasons[name]
    assert library.skipped[0].to_dict() == {"file": library.skipped[0].file, "error": library.skipped[0].error}
    with pytest.warns(CorpusWarning) as caught:
        assert load_corpus(folder) == list(library.clauses)
    assert sorted(str(w.message) for w in caught) == sorted(f"skipped: {s.error}" for s in library.skipped)
    with pytest.raises(CorpusFormatError, match=r"binary\.txt: binary data"):
        load_library(folder, strict=True)


def test_a_folder_with_only_the_chinese_file_works(tmp_path):
    shutil.copy(SEED, tmp_path / SEED.name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        library = load_library(tmp_path)
    assert len(library.clauses) == 29 and library.skipped == ()
    assert all(c.versions == {} and c.text_in("en") == c.text for c in library.clauses)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("{not json", "cannot read the manifest"),
        ('{"docs": []}', "expected"),
        ('{"documents": [{"file": "x.txt", "colour": "red"}]}', r"unknown key\(s\) \['colour'\]"),
        ('{"documents": [{"file": "x.txt", "year": 2024}]}', "'year' must be a string"),
        ('{"documents": [{"id": "x"}]}', 'has no "file"'),
    ],
)
def test_bad_manifests(folder, manifest, message):
    (folder / "manifest.json").write_text(manifest)
    with pytest.raises(CorpusFormatError, match=message):
        load_library(folder)


def test_missing_or_empty_folders(tmp_path):
    with pytest.raises(CorpusFormatError, match="no such corpus folder"):
        load_corpus(tmp_path / "nowhere")
    with pytest.raises(CorpusFormatError, match="no .txt or .docx resolutions"):
        load_corpus(tmp_path)


def test_parser_warnings_become_corpus_warnings(folder):
    (folder / "res7.txt").write_text(
        "第7号决议（2020年，日内瓦）\n标题\n世界电信标准化全会（2020年，日内瓦），\n强调\n甲，\n做出决议\n乙。\n",
        encoding="utf-8",
    )
    with pytest.warns(CorpusWarning, match=r"res7\.txt:4: unknown section heading '强调'"):
        clauses = load_corpus(folder)
    assert [c.id for c in clauses][-2:] == ["wtsa-res7-2020/unclassified/1", "wtsa-res7-2020/resolves/1"]


def test_the_shipped_corpus_loads_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_corpus(CORPUS_DIR)


def test_fingerprint_is_stable_and_changes_with_any_clause(folder):
    clauses = load_corpus(folder)
    assert corpus_fingerprint(clauses) == corpus_fingerprint(load_corpus(CORPUS_DIR))
    assert len(corpus_fingerprint(clauses)) == 64
    text = SEED.read_text(encoding="utf-8").replace("每四年一届", "每五年一届")
    (folder / SEED.name).write_text(text, encoding="utf-8")
    assert corpus_fingerprint(load_corpus(folder)) != corpus_fingerprint(clauses)
    assert corpus_fingerprint(clauses[:-1]) != corpus_fingerprint(clauses)
