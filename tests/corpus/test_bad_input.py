"""Bad input: clear CorpusFormatErrors naming the file (and line), never another exception type."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.errors import AssistantError, CorpusFormatError
from corpus.lines import split_lines
from corpus.parse import parse_file, parse_text
from tests.corpus.support import DOCX_FIXTURE, EN_FIXTURE, SEED, assert_accounted_for

SEED_TEXT = SEED.read_text(encoding="utf-8")
SEED_LINES = SEED_TEXT.split("\n")
EN_LINES = EN_FIXTURE.read_text(encoding="utf-8").split("\n")
DOCX_BYTES = DOCX_FIXTURE.read_bytes()
with zipfile.ZipFile(DOCX_FIXTURE) as _package:
    DOCX_PARTS = {name: _package.read(name) for name in _package.namelist()}
HEADER = "第5号决议（2020年，日内瓦）\n标题\n世界电信标准化全会（2020年，日内瓦），\n"
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A folder for files written by property tests (module-scoped: hypothesis reruns the test body)."""
    return tmp_path_factory.mktemp("bad-input")


def write(folder, name: str, data: bytes):
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", r"empty\.txt: the file is empty"),
        ("blank.txt", b" \n\t\n \n", r"blank\.txt: no text in the file"),
        ("nul.txt", b"\xe5\xbf\x86\xe5\x8f\x8a\x00\x01\x02", r"nul\.txt: binary data"),
        ("gbk.txt", "第1行\n忆及\n".encode("gbk"), r"gbk\.txt:1: not UTF-8 text"),
        ("latin.txt", "line one\nline two caf\xe9\n".encode("latin-1"), r"latin\.txt:2: not UTF-8 text"),
        ("res.pdf", b"%PDF-1.4", r"res\.pdf: unsupported file type '\.pdf'"),
        ("notes.txt", b"just some notes\nnothing else\n", r"notes\.txt: no resolution number line"),
        ("fake.docx", b"this is plain text", r"fake\.docx: not a \.docx \(not a zip package"),
        ("truncated.docx", DOCX_BYTES[: len(DOCX_BYTES) // 2], r"truncated\.docx: not a \.docx"),
    ],
)
def test_unreadable_files(tmp_path, name, data, message):
    with pytest.raises(CorpusFormatError, match=message):
        parse_file(write(tmp_path, name, data))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(CorpusFormatError, match=r"missing\.txt: cannot open"):
        parse_file(tmp_path / "missing.txt")
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(CorpusFormatError, match=r"folder\.txt: not a regular file"):
        parse_file(tmp_path / "folder.txt")


def test_file_over_5_mb(tmp_path):
    path = write(tmp_path, "big.txt", SEED_TEXT.encode() + b"x" * (5 * 1024 * 1024))
    with pytest.raises(CorpusFormatError, match=r"big\.txt: 5\.0 MB is over the 5 MB limit"):
        parse_file(path)


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return buffer.getvalue()


def test_zip_bomb(tmp_path):
    data = zip_bytes({**DOCX_PARTS, "word/media/bomb.bin": b"\0" * (51 * 1024 * 1024)})
    assert len(data) < 1024 * 1024
    with pytest.raises(CorpusFormatError, match=r"bomb\.docx: unpacks to \d+ MB, over the 50 MB limit"):
        parse_file(write(tmp_path, "bomb.docx", data))


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with `member`'s uncompressed size rewritten to `size` in its central directory entry."""
    data = bytearray(data)
    start = data.find(b"PK\x01\x02")
    while start != -1:
        (length,) = struct.unpack_from("<H", data, start + 28)
        if data[start + 46 : start + 46 + length] == member.encode():
            struct.pack_into("<I", data, start + 24, size)
        start = data.find(b"PK\x01\x02", start + 4)
    return bytes(data)


def test_declared_sizes_are_checked_before_anything_is_inflated(tmp_path, monkeypatch):
    import docx

    def never(*args, **kwargs):
        raise AssertionError("python-docx opened a package whose declared size is over the limit")

    monkeypatch.setattr(docx, "Document", never)
    data = declare_size(zip_bytes({**DOCX_PARTS, "word/media/image1.bin": b"\0" * 1024}), "word/media/image1.bin", 0xF000_0000)
    with pytest.raises(CorpusFormatError, match=r"lies\.docx: unpacks to 38[0-9]{2} MB, over the 50 MB limit"):
        parse_file(write(tmp_path, "lies.docx", data))


def test_a_part_inflating_past_its_declared_size_is_refused(tmp_path):
    xml = DOCX_PARTS["word/document.xml"]
    data = declare_size(zip_bytes({**DOCX_PARTS, "word/document.xml": xml + b" " * (8 * 1024 * 1024)}), "word/document.xml", len(xml))
    with pytest.raises(CorpusFormatError, match=r"understated\.docx: damaged \.docx"):
        parse_file(write(tmp_path, "understated.docx", data))


def test_zip_without_word_document(tmp_path):
    entries = {name: data for name, data in DOCX_PARTS.items() if name != "word/document.xml"}
    with pytest.raises(CorpusFormatError, match=r"nodoc\.docx: no word/document\.xml inside"):
        parse_file(write(tmp_path, "nodoc.docx", zip_bytes(entries)))


def test_docx_with_broken_xml(tmp_path):
    entries = {**DOCX_PARTS, "word/document.xml": b"<w:document><w:body><w:p>"}
    with pytest.raises(CorpusFormatError, match=r"broken\.docx: damaged \.docx"):
        parse_file(write(tmp_path, "broken.docx", zip_bytes(entries)))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("一段文字，没有标题。", r"doc\.txt: no known section heading"),
        ("强调\n甲，", r"doc\.txt: no known section heading"),
        ("做出决议\n甲[1: 1\t注一][1: 1\t注二]。", r"doc\.txt:5: footnote 1 is defined twice \(first at line 5\)"),
    ],
)
def test_texts_without_resolution_structure(body, message):
    with pytest.raises(CorpusFormatError, match=message):
        parse_text(HEADER + body, source="doc.txt")


def test_missing_assembly_or_year():
    with pytest.raises(CorpusFormatError, match=r"doc\.txt: cannot tell the assembly"):
        parse_text("第5号决议\n标题\n忆及\na)\t甲；", source="doc.txt")
    with pytest.raises(CorpusFormatError, match=r"cannot tell the year"):
        parse_text("第5号决议\n标题\n世界电信标准化全会，\n忆及\na)\t甲；", source="doc.txt")
    document = parse_text("第5号决议\n标题\n忆及\na)\t甲；", metadata={"assembly": "WTSA", "year": "2020"})
    assert document.clauses[1].id == "wtsa-res5-2020/recalling/a"


def test_bad_metadata():
    with pytest.raises(CorpusFormatError, match="'year' must be a string"):
        parse_text(SEED_TEXT, metadata={"year": 2024})
    with pytest.raises(CorpusFormatError, match="document id 'WTSA/106'"):
        parse_text(SEED_TEXT, metadata={"id": "WTSA/106"})


def test_corpus_format_error_is_an_assistant_error():
    assert issubclass(CorpusFormatError, AssistantError)


def parsed_or_none(parse):
    """The parse result, or None for a CorpusFormatError; any other exception fails the test."""
    try:
        return parse()
    except CorpusFormatError as error:
        assert str(error)
        return None


@FAST
@given(st.text(max_size=2000))
def test_random_text(text):
    document = parsed_or_none(lambda: parse_text(text))
    if document is not None:
        assert_accounted_for(document, split_lines(text))


DIGIT = st.sampled_from("123")
LINE_POOL = st.one_of(
    st.sampled_from(SEED_LINES + EN_LINES),
    st.sampled_from(["忆及", "做出决议", "resolves", "considering further", "强调", "前言", "FOREWORD", "", " "]),
    st.builds("{}\t{}".format, st.sampled_from(["a)", "b)", "1", "2", "10bis"]), st.text(max_size=40)),
    st.builds("{}[footnoteRef:{}]{}{}".format, st.text(max_size=10), DIGIT, st.text(max_size=5), st.text(max_size=10)),
    st.builds("{} [{}: {}\t{}]".format, st.text(max_size=10), DIGIT, DIGIT, st.text(max_size=20)),
    st.text(max_size=60),
)


@FAST
@given(st.lists(LINE_POOL, max_size=40), st.booleans())
def test_random_documents_built_from_resolution_like_lines(lines, with_header):
    text = (HEADER if with_header else "") + "\n".join(lines)
    document = parsed_or_none(lambda: parse_text(text))
    if document is not None:
        assert_accounted_for(document, split_lines(text))


@FAST
@given(st.data())
def test_mutated_seed(data):
    lines = list(SEED_LINES)
    for _ in range(data.draw(st.integers(1, 6))):
        index = data.draw(st.integers(0, len(lines) - 1))
        operation = data.draw(st.sampled_from(["delete", "duplicate", "swap", "replace", "truncate", "insert"]))
        if operation == "delete" and len(lines) > 1:
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, lines[index])
        elif operation == "swap":
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif operation == "replace":
            lines[index] = data.draw(LINE_POOL)
        elif operation == "truncate":
            lines[index] = lines[index][: data.draw(st.integers(0, len(lines[index])))]
        elif operation == "insert":
            lines.insert(index, data.draw(LINE_POOL))
    text = "\n".join(lines)
    document = parsed_or_none(lambda: parse_text(text))
    if document is not None:
        assert_accounted_for(document, split_lines(text))


@FAST
@given(st.binary(max_size=2000), st.sampled_from(["random.txt", "random.docx"]))
def test_random_bytes_as_files(scratch, data, name):
    parsed_or_none(lambda: parse_file(write(scratch, name, data)))


@FAST
@given(st.data())
def test_damaged_seed_bytes(scratch, data):
    raw = bytearray(SEED.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        raw.insert(data.draw(st.integers(0, len(raw))), data.draw(st.integers(0, 255)))
    path = write(scratch, "damaged.txt", bytes(raw))
    document = parsed_or_none(lambda: parse_file(path))
    if document is not None:
        assert_accounted_for(document, split_lines(bytes(raw).decode("utf-8-sig")))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_docx(scratch, data):
    raw = bytearray(DOCX_BYTES)
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    for _ in range(data.draw(st.integers(0, 8))):
        if raw:
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    parsed_or_none(lambda: parse_file(write(scratch, "damaged.docx", bytes(raw))))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(DOCX_PARTS)), st.data())
def test_docx_with_damaged_parts(scratch, name, data):
    """A sound zip whose XML parts are damaged: python-docx fails in many ways, all reported alike."""
    part = bytearray(DOCX_PARTS[name])
    for _ in range(data.draw(st.integers(1, 5))):
        position = data.draw(st.integers(0, len(part)))
        part[position:position + data.draw(st.integers(0, 20))] = data.draw(st.binary(max_size=3))
    damaged = zip_bytes({**DOCX_PARTS, name: bytes(part)})
    parsed_or_none(lambda: parse_file(write(scratch, "parts.docx", damaged)))

