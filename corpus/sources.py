"""Reading resolution files safely: .txt (UTF-8) lines or .docx paragraphs, with size limits.

python-docx is imported here only, so the rest of the parser is plain text processing.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from corpus.errors import CorpusFormatError
from corpus.lines import split_lines

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DOCX_UNPACKED_BYTES = 50 * 1024 * 1024
SUFFIXES = (".txt", ".docx")
_MB = 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_lines(path: Path) -> list[str]:
    """The lines of a .txt file or the paragraphs of a .docx file (line N is paragraph N)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CorpusFormatError(f"{path}: unsupported file type {suffix or '(none)'!r}; use .txt (UTF-8) or .docx")
    _check_size(path)
    return _text_lines(path) if suffix == ".txt" else _docx_paragraphs(path)


def _check_size(path: Path) -> None:
    """Reject missing, non-regular, empty and oversized files before reading them."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CorpusFormatError(f"{path}: cannot open ({exc.strerror or exc})") from exc
    if not path.is_file():
        raise CorpusFormatError(f"{path}: not a regular file")
    if size == 0:
        raise CorpusFormatError(f"{path}: the file is empty; expected an ITU resolution")
    if size > MAX_FILE_BYTES:
        raise CorpusFormatError(
            f"{path}: {size / _MB:.1f} MB is over the {MAX_FILE_BYTES // _MB} MB limit for a resolution file"
        )


def _text_lines(path: Path) -> list[str]:
    """Lines of a UTF-8 text file (a BOM is allowed); binary or other encodings are refused."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusFormatError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if b"\x00" in data:
        raise CorpusFormatError(f"{path}: binary data (NUL bytes), not a text resolution; export it as UTF-8 .txt")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusFormatError(
            f"{path}:{line}: not UTF-8 text (invalid byte at offset {exc.start}); re-save the file as UTF-8"
        ) from exc
    return split_lines(text)


def _docx_paragraphs(path: Path) -> list[str]:
    """Paragraph texts of a .docx, after checking it is a sound, reasonably sized Word package.

    Word footnotes are written into the text as a .txt export of the file shows them: a mark
    "[footnoteRef:1]1" where the reference is, the body "[1: 1<TAB>text]" at the end of its paragraph.
    """
    _check_docx_package(path)
    import docx  # deferred: only .docx input needs python-docx

    try:
        document = docx.Document(str(path))
        bodies = _footnote_bodies(document)
        numbers: dict[str, int] = {}  # footnote id -> number shown, in order of first reference
        lines = []
        for paragraph in document.paragraphs:
            text, notes = "", ""
            for element in paragraph._p.xpath("w:r | w:hyperlink"):
                text += element.text
                for note in element.xpath(".//w:footnoteReference/@w:id"):  # also inside a w:hyperlink
                    number = numbers.setdefault(note, len(numbers) + 1)
                    text += f"[footnoteRef:{number}]{number}"
                    notes += f" [{number}: {number}\t{bodies.get(note, '')}]"
            lines.append(text + notes)
        return lines
    # python-docx reports a malformed package with whatever its internals hit: zipfile, zlib and lxml
    # errors, but also KeyError, AttributeError or TypeError on odd relationships. Only this call is
    # guarded, and every case means the same to the user: this .docx cannot be read.
    except Exception as exc:
        raise CorpusFormatError(f"{path}: damaged .docx ({type(exc).__name__}: {exc}); re-save it from Word") from exc


def _footnote_bodies(document) -> dict[str, str]:
    """{footnote id: text} of a python-docx Document's footnotes part ({} when it has none)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import parse_xml

    try:
        part = document.part.part_related_by(RELATIONSHIP_TYPE.FOOTNOTES)
    except KeyError:
        return {}
    bodies = {}
    for footnote in parse_xml(part.blob).iterchildren(_W + "footnote"):
        text = " ".join(p.text.strip() for p in footnote.iterchildren(_W + "p"))
        # "]" would end the "[1: …]" body early; a footnote's own brackets become parentheses.
        bodies[footnote.get(_W + "id")] = " ".join(text.replace("[", "(").replace("]", ")").split())
    return bodies


def _check_docx_package(path: Path) -> None:
    """Refuse non-zip, truncated and zip-bomb files, and zips that are not Word documents.

    The declared sizes are enough: zipfile stops decompressing an entry at its declared size.
    """
    if not zipfile.is_zipfile(path):
        raise CorpusFormatError(f"{path}: not a .docx (not a zip package, or truncated); re-save it from Word")
    try:
        with zipfile.ZipFile(path) as package:
            entries = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise CorpusFormatError(f"{path}: damaged or truncated .docx ({exc}); re-save it from Word") from exc
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_DOCX_UNPACKED_BYTES:
        raise CorpusFormatError(
            f"{path}: unpacks to {unpacked / _MB:.0f} MB, over the {MAX_DOCX_UNPACKED_BYTES // _MB} MB limit "
            "(a zip bomb?); refusing to read it"
        )
    if "word/document.xml" not in {entry.filename for entry in entries}:
        raise CorpusFormatError(f"{path}: no word/document.xml inside, so not a Word document; save it as .docx")
