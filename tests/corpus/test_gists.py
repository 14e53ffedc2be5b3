"""Plain-language gists of clauses: read from the file the manifest names, checked, searched, never quoted."""

from __future__ import annotations

import json
import shutil

import pytest

from corpus.errors import CorpusFormatError
from corpus.gists import read_gists
from corpus.library import load_files, load_library
from tests.corpus.support import CORPUS_DIR

GISTS = CORPUS_DIR / "wtsa-res106-2024.gists.json"


@pytest.fixture
def folder(tmp_path):
    for path in CORPUS_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_every_clause_but_the_title_has_gists_in_both_languages():
    library = load_library(CORPUS_DIR)
    assert library.skipped == ()
    for clause in library.clauses:
        if clause.kind == "title":
            assert clause.gists == {}
            continue
        assert set(clause.gists) == {"en", "zh"}, clause.id
        assert all(len(texts) >= 2 for texts in clause.gists.values()), clause.id
        # A description, not the text: no gist repeats the clause (or its English version) whole.
        for texts in clause.gists.values():
            assert not any(t == clause.text or t == clause.text_in("en") for t in texts)


def test_gists_say_nothing_the_text_does_not_hold_in_numbers_and_references():
    # Faithful: every number in a gist (years, resolution numbers) is in the clause it describes.
    import re

    for clause in load_library(CORPUS_DIR).clauses:
        written = clause.text + clause.text_in("en")
        for texts in clause.gists.values():
            for gist in texts:
                for number in re.findall(r"[0-9]+", gist):
                    assert number in written, (clause.id, gist)


def test_a_gist_for_a_clause_the_document_lacks_refuses_the_file_in_one_line_and_keeps_the_clauses(folder):
    data = json.loads(GISTS.read_text(encoding="utf-8"))
    data["resolves/9"] = {"en": ["A paragraph the resolution does not have."]}
    (folder / GISTS.name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    library = load_library(folder)
    assert len(library.clauses) == len(load_library(CORPUS_DIR).clauses)  # nothing lost
    assert all(c.gists == {} for c in library.clauses)
    [skipped] = library.skipped
    assert skipped.file.endswith(GISTS.name)
    assert "'resolves/9' is not a clause of the document" in skipped.error and "\n" not in skipped.error
    with pytest.raises(CorpusFormatError, match="resolves/9"):  # naming the files: the error, not a skip
        load_files([folder / "wtsa-res106-2024.zh.txt"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot read the gists"),
        ('["a list"]', "expected"),
        ('{"resolves/1": ["no languages"]}', "must map languages"),
        ('{"resolves/1": {"fr": ["une phrase"]}}', "unknown language 'fr'"),
        ('{"resolves/1": {"en": ["", "fine"]}}', "non-empty strings"),
    ],
)
def test_a_malformed_gists_file_is_one_clear_line(tmp_path, content, message):
    path = tmp_path / "g.json"
    path.write_text(content, encoding="utf-8")
    clauses = load_library(CORPUS_DIR).clauses
    with pytest.raises(CorpusFormatError, match=message):
        read_gists(path, clauses)


def test_a_missing_gists_file_is_named_and_a_path_is_refused(folder):
    (folder / GISTS.name).unlink()
    [skipped] = load_library(folder).skipped
    assert "missing" in skipped.error
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["documents"][0]["gists"] = "../elsewhere.json"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(CorpusFormatError, match="must be a file name"):
        load_library(folder)


def test_the_index_holds_one_gist_entry_per_clause_and_language_and_a_hit_on_it_is_the_clause():
    from embeddings.index import DenseHit, index_entries

    clauses = load_library(CORPUS_DIR).clauses
    entries = index_entries(clauses)
    gist_entries = [e for e in entries if e.language.startswith("gist-")]
    assert len(gist_entries) == 2 * sum(1 for c in clauses if c.gists)
    entry = next(e for e in gist_entries if e.id == "wtsa-res106-2024/resolves/1@gist-en")
    assert entry.text == " ".join(next(c for c in clauses if c.id == "wtsa-res106-2024/resolves/1").gists["en"])
    assert DenseHit.of_entry(entry.id, 0.5).clause_id == "wtsa-res106-2024/resolves/1"


def test_everyday_words_find_the_clause_through_its_gists_and_gist_words_are_not_the_texts():
    from assistant.understanding.routing import route_question
    from assistant.search import HybridSearch

    clauses = load_library(CORPUS_DIR).clauses
    search = HybridSearch(clauses, index=None, embedder=None, text_of=lambda c: c.text, signals=("gist",))
    question = "Is there anything about writing how-to guidance so people can adopt the Recs?"
    hits = search.search(question, route_question(question))
    assert hits[0].clause.id == "wtsa-res106-2024/resolves/3"
    assert set(hits[0].ranks) == {"gist"}
    # A word only the gists use is no word of the text: "does it mention X?" still says no.
    gist_words = " ".join(t for c in clauses for texts in c.gists.values() for t in texts).casefold()
    only_gists = [w for w in ("colleague", "merge", "combine") if w in gist_words and not search.knows_word(w)]
    assert only_gists, "a word found only in the gists"


def test_gists_named_on_the_english_versions_entry_apply_to_the_same_clauses(folder):
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["documents"][1]["gists"] = manifest["documents"][0].pop("gists")
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    moved = load_library(folder)
    assert moved.skipped == ()
    assert [c.gists for c in moved.clauses] == [c.gists for c in load_library(CORPUS_DIR).clauses]
