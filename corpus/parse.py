"""Parse one ITU resolution (.txt or .docx) into ordered, citable Clause records.

A resolution reads, line by line: an optional foreword ("前言" + paragraphs), the number line
("第106号决议（2024年，新德里）"), the title, "（2024年，新德里）", the assembly line
("世界电信标准化全会（2024年，新德里），"), then section headings ("忆及", "做出决议", …), each
followed by items ("a)<TAB>text", "1<TAB>text") or one unlabelled paragraph.

Every non-blank line lands in exactly one clause or is a heading or front matter
(`ParsedDocument.metadata_lines`); footnote bodies become "footnotes" clauses. The title block
is both: its lines are recorded with their roles and together form the "title" clause, which
document-level facts (number, title, assembly, place, year) cite.

>>> document = parse_file("corpus/texts/wtsa-res106-2024.zh.txt")
>>> document.clauses[18].id, document.clauses[18].labels["en"]
('wtsa-res106-2024/resolves/1', 'Resolution 106 (New Delhi, 2024), resolves 1')
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from corpus.assemblies import assembly_line_body
from corpus.clause import Clause
from corpus.errors import CorpusFormatError
from corpus.labels import clause_labels
from corpus.lines import CleanLine, clean_line, split_label, split_lines
from corpus.manifest import DocumentMeta, manifest_entry
from corpus.places import Adoption, parse_adoption, place_en
from corpus.references import find_references
from corpus.sections import (
    UNCLASSIFIED,
    Section,
    classify_heading,
    is_foreword_heading,
    is_unclassified,
    looks_like_heading,
)
from corpus.sources import read_lines

_NUMBER_LINE = re.compile(
    r"^第\s*(?P<zh>[0-9]+)\s*号决议\s*(?:[（(](?P<zh_in>[^（()）]*)[）)])?$"
    r"|^resolution\s+(?P<en>[0-9]+)\s*(?:\((?P<en_in>[^()]*)\))?$",
    re.IGNORECASE,
)
_DATE_LINE = re.compile(r"^[（(](?P<inside>[^（()）]*[0-9]{4}[^（()）]*)[）)]$")
_DATED = re.compile(r"[（(](?P<inside>[^（()）]*[0-9]{4}[^（()）]*)[）)]")
_DOCUMENT_ID = re.compile(r"[a-z0-9][a-z0-9.-]*")
_FOREWORD = Section(key="foreword", kind="foreword")
_TITLE = Section(key="title", kind="title")
_FOOTNOTES = Section(key="footnotes", kind="footnote")


@dataclass(frozen=True)
class MetadataLine:
    """A source line recorded as document structure rather than clause text."""

    line: int  # 1-based
    role: str  # "front-matter", "heading", "resolution-number", "title", "date" or "assembly"
    text: str  # cleaned


@dataclass(frozen=True)
class ParsedDocument:
    """A parsed resolution: its metadata, its clauses in order, what else it consumed, warnings.

    >>> document = parse_file("corpus/texts/wtsa-res106-2024.zh.txt")
    >>> document.meta.id, len(document.clauses), document.metadata_lines[1].role
    ('wtsa-res106-2024', 29, 'resolution-number')
    """

    source: str
    meta: DocumentMeta  # completed: id, resolution, assembly, place, place_en, year, language, title
    clauses: tuple[Clause, ...]
    metadata_lines: tuple[MetadataLine, ...]
    warnings: tuple[str, ...] = ()  # "source:line: message" for unknown headings, dangling footnote marks, …


@dataclass
class _Draft:
    """A clause being collected: its section, item and source lines."""

    section: Section
    heading: str
    item: str
    labelled: bool
    lines: list[int] = field(default_factory=list)  # 1-based
    texts: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    bare: set[str] = field(default_factory=set)  # marks that were only superscript digits

    def add(self, line: int, text: str, source: CleanLine | None = None) -> None:
        """Append one source line's text (and the footnote marks of the line it came from)."""
        self.lines.append(line)
        self.texts.append(text)
        if source is not None:
            self.marks.extend(source.marks)
            self.bare.update(source.bare)


@dataclass(frozen=True)
class _TitleBlock:
    """What the lines from the number line to the first heading say about the document."""

    end: int  # index of the first line after the block
    resolution: str
    assembly: str
    adoption: Adoption
    title: str


def parse_text(text: str, *, source: str = "<text>", metadata: DocumentMeta | dict | None = None) -> ParsedDocument:
    """Parse the text of one resolution; `metadata` (a manifest entry) overrides what the text says."""
    return _Parser(split_lines(text), source).parse(_as_meta(metadata, source))


def parse_file(path: str | Path, *, metadata: DocumentMeta | dict | None = None) -> ParsedDocument:
    """Parse a .txt or .docx resolution; without `metadata`, its entry in the manifest.json beside it is used."""
    path = Path(path)
    lines = read_lines(path)
    if metadata is None:
        metadata = manifest_entry(path)
    return _Parser(lines, str(path)).parse(_as_meta(metadata, str(path)))


def _as_meta(metadata: DocumentMeta | dict | None, source: str) -> DocumentMeta:
    """Metadata as a DocumentMeta, from a manifest-style dict if need be."""
    if isinstance(metadata, DocumentMeta):
        return metadata
    return DocumentMeta.from_dict(metadata or {}, where=f"{source}: metadata")


def _language(text: str) -> str:
    """ "zh" when Chinese characters dominate, else "en" (one character weighs about a short word)."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "zh" if cjk and cjk * 3 >= latin else "en"


class _Parser:
    """The state of one parse: cleaned lines in; drafts, metadata lines and warnings out."""

    def __init__(self, raw_lines: list[str], source: str):
        self.source = source
        self.lines: list[CleanLine] = [clean_line(raw) for raw in raw_lines]
        self.drafts: list[_Draft] = []
        self.metadata: list[MetadataLine] = []
        self.warnings: list[str] = []
        self.opened: Counter = Counter()  # section key -> times opened
        self.first_heading: dict[str, int] = {}  # section key -> 1-based line of its first heading

    def parse(self, given: DocumentMeta) -> ParsedDocument:
        """Run the phases in source order, then turn drafts into clauses."""
        if not any(line.text or line.footnotes for line in self.lines):
            raise CorpusFormatError(f"{self.source}: no text in the file; expected an ITU resolution")
        number_index = self._number_line()
        self._front(number_index)
        block = self._title_block(number_index)
        self._body(block.end)
        self._footnotes()
        meta = self._meta(given, block)
        return ParsedDocument(
            source=self.source,
            meta=meta,
            clauses=tuple(self._clauses(meta)),
            metadata_lines=tuple(sorted(self.metadata, key=lambda m: m.line)),
            warnings=tuple(self.warnings),
        )

    def _fail(self, message: str, index: int | None = None) -> CorpusFormatError:
        """An error naming the source and, when given, the 0-based line index (shown 1-based)."""
        where = self.source if index is None else f"{self.source}:{index + 1}"
        return CorpusFormatError(f"{where}: {message}")

    def _record(self, index: int, role: str) -> None:
        """Note line `index` (0-based) as document structure with its role."""
        self.metadata.append(MetadataLine(line=index + 1, role=role, text=self.lines[index].text))

    def _number_line(self) -> int:
        """Index of the "第106号决议（…）" / "RESOLUTION 106 (…)" line that starts the resolution."""
        for index, line in enumerate(self.lines):
            if _NUMBER_LINE.match(line.text):
                return index
        raise self._fail(
            "no resolution number line such as '第106号决议（2024年，新德里）' or "
            "'RESOLUTION 106 (New Delhi, 2024)'; is this an ITU resolution?"
        )

    def _front(self, end: int) -> None:
        """Lines before the number line: front matter, then the foreword's paragraphs after "前言"."""
        foreword: int | None = None
        for index in range(end):
            text = self.lines[index].text
            if not text:
                continue
            if foreword is None and is_foreword_heading(text):
                foreword = index
                self._record(index, "heading")
            elif foreword is None:
                self._record(index, "front-matter")
            else:
                draft = _Draft(_FOREWORD, self.lines[foreword].text, item=str(len(self.drafts) + 1), labelled=False)
                draft.add(index + 1, text, self.lines[index])
                self.drafts.append(draft)

    def _title_block(self, start: int) -> _TitleBlock:
        """Number line, title, "（2024年，新德里）" and assembly line, up to the first heading: the "title" clause.

        Each line is also recorded as metadata with its role, which is where the document's facts come from.
        """
        match = _NUMBER_LINE.match(self.lines[start].text)
        self._record(start, "resolution-number")
        draft = _Draft(_TITLE, "", item="1", labelled=False)
        draft.add(start + 1, self.lines[start].text, self.lines[start])
        self.drafts.append(draft)
        adoption = parse_adoption(match.group("zh_in") or match.group("en_in") or "")
        title, assembly, end = "", "", len(self.lines)
        for index in range(start + 1, len(self.lines)):
            text = self.lines[index].text
            if not text:
                continue
            section = classify_heading(text)
            if section is not None and section.key != UNCLASSIFIED:
                end = index
                break
            assembly = assembly_line_body(text)
            dated = _DATED.search(text)
            # The number line's "（2024年，新德里）" counts first; the date or assembly line stand in for it.
            if dated and not adoption.year and (assembly or _DATE_LINE.match(text)):
                adoption = parse_adoption(dated.group("inside"))
            if assembly:
                self._record(index, "assembly")
                draft.add(index + 1, text, self.lines[index])
                end = index + 1
                break
            if _DATE_LINE.match(text):
                self._record(index, "date")
            elif not title:
                title = text
                self._record(index, "title")
            else:
                end = index
                break
            draft.add(index + 1, text, self.lines[index])
        resolution = match.group("zh") or match.group("en")
        return _TitleBlock(end=end, resolution=resolution, assembly=assembly, adoption=adoption, title=title)

    def _body(self, start: int) -> None:
        """Section headings and their items, from the end of the title block to the end."""
        section: Section | None = None
        heading = -1  # index of the current section's heading line
        current: list[_Draft] = []
        operative = False  # unknown headings after an operative one are operative too
        for index in range(start, len(self.lines)):
            line = self.lines[index]
            if not line.text:
                continue
            if _NUMBER_LINE.match(line.text):
                first = next(m.line for m in self.metadata if m.role == "resolution-number")
                raise self._fail(
                    f"a second resolution number line {line.text!r} (the first is at line {first}); "
                    "put each resolution in a file of its own",
                    index,
                )
            opened = self._open_section(index, after_operative=operative)
            if opened is not None:
                self._warn_if_empty(heading, current)
                section, heading, current = opened, index, []
                operative = operative or opened.kind == "operative"
                continue
            if section is None:
                section = self._unclassified(index, kind="preambular", heading="")
            label, text = split_label(line.text)
            if label or not current:
                heading_text = self.lines[heading].text if heading >= 0 else ""
                current.append(_Draft(section, heading_text, item=label or "1", labelled=bool(label)))
                self.drafts.append(current[-1])
            current[-1].add(index + 1, text, line)
        self._warn_if_empty(heading, current)
        if all(is_unclassified(d.section.key) for d in self.drafts if d.section.kind not in ("foreword", "title")):
            raise self._fail(
                "no known section heading with paragraphs (e.g. 'considering', 'resolves', '考虑到', '做出决议'); "
                "is this an ITU resolution?"
            )

    def _open_section(self, index: int, *, after_operative: bool) -> Section | None:
        """The section a heading line opens (numbered if its key came before), else None."""
        text = self.lines[index].text
        section = classify_heading(text)
        if section is None and not looks_like_heading(text):
            return None
        if section is None or section.key == UNCLASSIFIED:
            kind = "operative" if after_operative or (section and section.verb) else "preambular"
            return self._unclassified(index, kind=kind, heading=text)
        # An addressed heading may come twice ("instructs the Director" in two places); a fixed one
        # ("recalling", "resolves") twice means the resolution, or part of it, is in the file twice.
        if not section.verb and section.key in self.first_heading:
            raise self._fail(
                f"section heading {text!r} again (first at line {self.first_heading[section.key]}): "
                "is the resolution repeated in this file? keep one copy",
                index,
            )
        self.first_heading.setdefault(section.key, index + 1)
        self._record(index, "heading")
        return self._numbered(section)

    def _unclassified(self, index: int, *, kind: str, heading: str) -> Section:
        """An "unclassified" section for an unknown heading or for text before any heading."""
        if heading:
            self._record(index, "heading")
            self.warnings.append(
                f"{self.source}:{index + 1}: unknown section heading {heading!r}; "
                f"its paragraphs are filed under '{UNCLASSIFIED}'"
            )
        else:
            self.warnings.append(
                f"{self.source}:{index + 1}: text before the first section heading; filed under '{UNCLASSIFIED}'"
            )
        return self._numbered(Section(key=UNCLASSIFIED, kind=kind))

    def _numbered(self, section: Section) -> Section:
        """A section heading met again (e.g. a second "instructs the Director of TSB") gets key "-2", "-3"…"""
        self.opened[section.key] += 1
        count = self.opened[section.key]
        return section if count == 1 else replace(section, key=f"{section.key}-{count}")

    def _warn_if_empty(self, heading: int, drafts: list[_Draft]) -> None:
        """Report a heading (line index `heading`, -1 for none) that no paragraph follows."""
        if heading >= 0 and not drafts:
            text = self.lines[heading].text
            self.warnings.append(f"{self.source}:{heading + 1}: section heading {text!r} has no paragraphs")

    def _footnotes(self) -> None:
        """One clause per footnote body, after all other clauses; a number may be defined once."""
        defined: dict[str, int] = {}
        for index, line in enumerate(self.lines):
            for footnote in line.footnotes:
                if footnote.number in defined:
                    raise self._fail(
                        f"footnote {footnote.number} is defined twice (first at line {defined[footnote.number]})",
                        index,
                    )
                defined[footnote.number] = index + 1
                draft = _Draft(_FOOTNOTES, "", item=footnote.number, labelled=True)
                draft.add(index + 1, footnote.text)
                self.drafts.append(draft)

    def _meta(self, given: DocumentMeta, block: _TitleBlock) -> DocumentMeta:
        """The document's metadata: the manifest's values, completed from the text."""
        language = _language("\n".join(line.text for line in self.lines))
        if given.language and given.language != language:
            self.warnings.append(
                f"{self.source}: metadata says language {given.language!r}, the text reads as {language!r}"
            )
        if given.resolution and given.resolution != block.resolution:
            self.warnings.append(
                f"{self.source}: metadata says resolution {given.resolution}, the text says {block.resolution}"
            )
        inferred = DocumentMeta(
            resolution=block.resolution,
            assembly=block.assembly,
            place=block.adoption.place,
            year=block.adoption.year,
            title=block.title,
        )
        meta = replace(given.completed(inferred), language=language)
        if not meta.assembly or not meta.year:
            missing = "assembly" if not meta.assembly else "year"
            raise self._fail(
                f"cannot tell the {missing} of the resolution (expected a line like "
                f"'世界电信标准化全会（2024年，新德里），' or 'The World Telecommunication Standardization "
                f"Assembly (New Delhi, 2024),'); give {missing!r} in manifest.json"
            )
        document_id = meta.id or f"{meta.assembly.lower()}-res{meta.resolution}-{meta.year}"
        if not _DOCUMENT_ID.fullmatch(document_id):
            raise self._fail(f"document id {document_id!r} must be lower-case letters, digits, '.' and '-'")
        return replace(meta, id=document_id, place_en=meta.place_en or place_en(meta.place))

    def _clauses(self, meta: DocumentMeta) -> list[Clause]:
        """Clause records from the drafts, in document order, footnotes last."""
        per_section = Counter(draft.section.key for draft in self.drafts)
        footnotes = {d.item: f"{meta.id}/footnotes/{d.item}" for d in self.drafts if d.section.kind == "footnote"}
        first_line: dict[str, int] = {}
        clauses = []
        for order, draft in enumerate(self.drafts):
            clause_id = f"{meta.id}/{draft.section.key}/{draft.item}"
            if clause_id in first_line:
                raise self._fail(
                    f"clause id {clause_id!r} again (first at line {first_line[clause_id]}): two paragraphs of one "
                    "section have the same item label (an unlabelled paragraph counts as item 1)",
                    draft.lines[0] - 1,
                )
            first_line[clause_id] = draft.lines[0]
            text = "\n".join(draft.texts)
            numbered = draft.labelled or per_section[draft.section.key] > 1
            clauses.append(
                Clause(
                    id=clause_id,
                    document=meta.id,
                    section=draft.section.key,
                    item=draft.item,
                    kind=draft.section.kind,
                    text=text,
                    language=meta.language,
                    heading=draft.heading,
                    actor=draft.section.actor,
                    resolution=meta.resolution,
                    assembly=meta.assembly,
                    place=meta.place,
                    year=meta.year,
                    order=order,
                    span=(draft.lines[0], draft.lines[-1]),
                    labels=clause_labels(
                        meta, section=draft.section.key, item=draft.item, numbered=numbered, heading=draft.heading
                    ),
                    # The title block names the resolution itself, which is no cross-reference.
                    refs=() if draft.section is _TITLE else find_references(text, own=meta.assembly),
                    footnotes=self._links(draft, footnotes),
                )
            )
        return clauses

    def _links(self, draft: _Draft, footnotes: dict[str, str]) -> tuple[str, ...]:
        """Ids of the footnotes a clause marks; a mark with no footnote body is reported, not linked."""
        links = []
        for mark in dict.fromkeys(draft.marks):
            if mark in footnotes:
                links.append(footnotes[mark])
            elif mark not in draft.bare:
                self.warnings.append(
                    f"{self.source}:{draft.lines[0]}: footnote mark {mark} has no footnote text; left unlinked"
                )
        return tuple(links)
