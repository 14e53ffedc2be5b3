"""Loading a corpus folder: manifest order, other files, extra paths, id clashes, fingerprints."""

from __future__ import annotations

import json
import shutil
import warnings

import pytest

from corpus.errors import CorpusFormatError, CorpusWarning
from corpus.library import corpus_fingerprint, load_corpus
from tests.corpus.support import CORPUS_DIR, DOCX_FIXTURE, EN_FIXTURE, SEED


@pytest.fixture
def folder(tmp_path):
    """A corpus folder holding the seed and its manifest."""
    shutil.copy(SEED, tmp_path / SEED.name)
    shutil.copy(CORPUS_DIR / "manifest.json", tmp_path / "manifest.json")
    return tmp_path


def documents(clauses):
    return list(dict.fromkeys(c.document for c in clauses))


def test_the_shipped_corpus():
    clauses = load_corpus(CORPUS_DIR)
    assert len(clauses) == 28 and documents(clauses) == ["wtsa-res106-2024"]
    assert clauses[0].labels["en"] == "Resolution 106 (New Delhi, 2024), foreword paragraph 1"


def test_manifest_documents_then_other_files_by_name_then_extra_paths(folder):
    shutil.copy(DOCX_FIXTURE, folder / "b-res901.docx")
    shutil.copy(EN_FIXTURE, folder / "a-res900.txt")
    (folder / "notes.md").write_text("not a resolution")
    (folder / "~$lock.docx").write_bytes(b"lock")
    extra = folder / "extra"
    extra.mkdir()
    shutil.copy(SEED, extra / "copy.txt")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["documents"][0]["id"] = "wtsa-res106-2024-listed"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    clauses = load_corpus(folder, extra_paths=[extra / "copy.txt", folder / "a-res900.txt"])
    assert documents(clauses) == ["wtsa-res106-2024-listed", "wtsa-res900-2022", "wtsa-res901-2022", "wtsa-res106-2024"]


def test_two_documents_with_one_id_name_both_files(folder):
    shutil.copy(SEED, folder / "copy.txt")
    with pytest.raises(CorpusFormatError, match=r"wtsa-res106-2024\.zh\.txt and .*copy\.txt both have document id"):
        load_corpus(folder)


def test_a_duplicated_item_names_file_and_line(folder):
    text = SEED.read_text(encoding="utf-8").replace("3\t促进及时制定实施导则", "2\t促进及时制定实施导则")
    (folder / SEED.name).write_text(text, encoding="utf-8")
    message = r"wtsa-res106-2024\.zh\.txt:34: clause id 'wtsa-res106-2024/resolves/2'"
    with pytest.raises(CorpusFormatError, match=message):
        load_corpus(folder)


def test_manifest_listing_a_missing_file(folder):
    (folder / SEED.name).unlink()
    with pytest.raises(CorpusFormatError, match="lists 'wtsa-res106-2024.zh.txt', which is not in"):
        load_corpus(folder)


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
        load_corpus(folder)


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
