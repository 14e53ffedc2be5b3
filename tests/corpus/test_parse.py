"""The clause parser on the seed (WTSA Resolution 106), the English and .docx fixtures and small texts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corpus.clause import Clause, Reference
from corpus.errors import CorpusFormatError
from corpus.parse import parse_file, parse_text
from corpus.places import Adoption, parse_adoption, place_en, place_zh
from tests.corpus.support import DOCX_FIXTURE, EN_FIXTURE, SEED

# (id without the document, English label after "Resolution 106 (New Delhi, 2024), ", Chinese after "（2024年，新德里）")
SEED_CLAUSES = [
    ("foreword/1", "foreword paragraph 1", "前言 第1段"),
    ("foreword/2", "foreword paragraph 2", "前言 第2段"),
    ("foreword/3", "foreword paragraph 3", "前言 第3段"),
    ("foreword/4", "foreword paragraph 4", "前言 第4段"),
    ("title/1", "title", "标题"),
    ("recalling/a", "recalling a)", "忆及 a)"),
    ("recalling/b", "recalling b)", "忆及 b)"),
    ("recalling/c", "recalling c)", "忆及 c)"),
    ("recalling/d", "recalling d)", "忆及 d)"),
    ("recalling/e", "recalling e)", "忆及 e)"),
    ("considering/a", "considering a)", "考虑到 a)"),
    ("considering/b", "considering b)", "考虑到 b)"),
    ("considering/c", "considering c)", "考虑到 c)"),
    ("considering-further/1", "considering further", "进一步考虑到"),
    ("noting/1", "noting", "注意到"),
    ("bearing-in-mind/a", "bearing in mind a)", "顾及 a)"),
    ("bearing-in-mind/b", "bearing in mind b)", "顾及 b)"),
    ("bearing-in-mind/c", "bearing in mind c)", "顾及 c)"),
    ("resolves/1", "resolves 1", "做出决议 第1段"),
    ("resolves/2", "resolves 2", "做出决议 第2段"),
    ("resolves/3", "resolves 3", "做出决议 第3段"),
    ("resolves/4", "resolves 4", "做出决议 第4段"),
    ("resolves-to-instruct-tsag/1", "resolves to instruct TSAG", "做出决议，责成电信标准化顾问组"),
    ("resolves-to-instruct-tsb-director/1", "resolves to instruct the Director of TSB", "做出决议，责成电信标准化局主任"),
    ("instructs-study-groups/1", "instructs ITU-T study groups 1", "责成国际电联电信标准化部门研究组 第1段"),
    ("instructs-study-groups/2", "instructs ITU-T study groups 2", "责成国际电联电信标准化部门研究组 第2段"),
    ("instructs-study-groups/3", "instructs ITU-T study groups 3", "责成国际电联电信标准化部门研究组 第3段"),
    (
        "invites-members/1",
        "invites Member States, Sector Members, Associates and Academia",
        "请成员国、部门成员、部门准成员和学术成员",
    ),
    ("footnotes/1", "footnote 1", "脚注1"),
]


@pytest.fixture(scope="module")
def seed():
    return parse_file(SEED)


@pytest.fixture(scope="module")
def seed_by_id(seed):
    return {clause.id: clause for clause in seed.clauses}


def test_seed_has_exactly_the_29_contract_clauses_in_order(seed):
    got = [(c.id, c.labels["en"], c.labels["zh"]) for c in seed.clauses]
    want = [
        (f"wtsa-res106-2024/{rest}", f"Resolution 106 (New Delhi, 2024), {en}", f"第106号决议（2024年，新德里）{zh}")
        for rest, en, zh in SEED_CLAUSES
    ]
    assert got == want
    assert [c.order for c in seed.clauses] == list(range(29))


def test_seed_clause_fields(seed_by_id):
    clause = seed_by_id["wtsa-res106-2024/resolves/1"]
    assert (clause.document, clause.section, clause.item) == ("wtsa-res106-2024", "resolves", "1")
    assert clause.kind == "operative"
    assert (clause.resolution, clause.assembly, clause.place, clause.year) == ("106", "WTSA", "新德里", "2024")
    assert (clause.language, clause.heading, clause.actor, clause.span) == ("zh", "做出决议", "", (32, 32))
    assert clause.text.startswith("有效整合ITU-T制定的导则") and clause.text.endswith("可持续数字化转型；")


def test_seed_kinds_actors_and_headings(seed):
    kinds = {c.section: c.kind for c in seed.clauses}
    assert kinds["foreword"] == "foreword" and kinds["footnotes"] == "footnote" and kinds["title"] == "title"
    for section in ("recalling", "considering", "considering-further", "noting", "bearing-in-mind"):
        assert kinds[section] == "preambular"
    actors = {c.section: c.actor for c in seed.clauses if c.kind == "operative"}
    assert actors == {
        "resolves": "",
        "resolves-to-instruct-tsag": "tsag",
        "resolves-to-instruct-tsb-director": "tsb-director",
        "instructs-study-groups": "study-groups",
        "invites-members": "members",
    }
    headings = {c.section: c.heading for c in seed.clauses}
    assert headings["instructs-study-groups"] == "责成国际电联电信标准化部门研究组在其职权范围内"
    assert headings["foreword"] == "前言" and headings["footnotes"] == ""


def test_seed_metadata(seed):
    meta = seed.meta
    assert (meta.id, meta.resolution, meta.assembly, meta.year, meta.language) == (
        "wtsa-res106-2024",
        "106",
        "WTSA",
        "2024",
        "zh",
    )
    assert (meta.place, meta.place_en) == ("新德里", "New Delhi")
    assert meta.title == "加强可持续数字化转型方面的标准化活动"
    assert meta.title_en.startswith("Enhancing standardization")
    assert seed.warnings == ()


def test_artefacts_are_removed(seed):
    for clause in seed.clauses:
        assert "[" not in clause.text and "]" not in clause.text
        assert clause.text == clause.text.strip() and "\t" not in clause.text


def test_footnote_mark_becomes_superscript_linked_to_the_footnote_clause(seed_by_id):
    host = seed_by_id["wtsa-res106-2024/recalling/b"]
    assert "发展中国家¹与发达国家" in host.text
    assert host.text.endswith("（2024年，新德里，修订版）；")
    assert host.footnotes == ("wtsa-res106-2024/footnotes/1",)
    note = seed_by_id["wtsa-res106-2024/footnotes/1"]
    assert note.text == "这些国家包括最不发达国家、小岛屿发展中国家、内陆发展中国家和经济转型国家。"
    assert (note.kind, note.section, note.item, note.span) == ("footnote", "footnotes", "1", (12, 12))


def test_cross_references(seed_by_id):
    def refs(item):
        return seed_by_id[f"wtsa-res106-2024/{item}"].refs

    assert refs("recalling/a") == (
        Reference(number="71", body="PP", year="2022", place="布加勒斯特", revised=True, text="第71号决议（2022年，布加勒斯特，修订版）"),
    )
    items = ("recalling/b", "recalling/c", "recalling/d", "recalling/e")
    assert [(r.number, r.body, r.year, r.place, r.revised) for item in items for r in refs(item)] == [
        ("44", "WTSA", "2024", "新德里", True),
        ("89", "WTDC", "2022", "基加利", False),
        ("73", "WTSA", "2024", "新德里", True),
        ("2", "WTDC", "2022", "基加利", True),
    ]
    assert refs("foreword/3") == (Reference(number="1", body="WTSA", text="第1号决议"),)
    assert refs("resolves/1") == ()


def test_parse_text_without_manifest_infers_the_same_clauses(seed):
    inferred = parse_text(SEED.read_text(encoding="utf-8"), source="seed.txt")
    assert [c.to_dict() for c in inferred.clauses] == [c.to_dict() for c in seed.clauses]
    assert inferred.meta.place_en == "New Delhi" and inferred.meta.title_en == ""


def test_windows_newlines_and_a_byte_order_mark_change_nothing(seed):
    crlf = parse_text("\ufeff" + SEED.read_text(encoding="utf-8").replace("\n", "\r\n"))
    assert [c.to_dict() for c in crlf.clauses] == [c.to_dict() for c in seed.clauses]


def test_clauses_round_trip_through_dicts(seed):
    for clause in seed.clauses:
        assert Clause.from_dict(clause.to_dict()) == clause


def test_metadata_overrides_the_text():
    document = parse_text(
        SEED.read_text(encoding="utf-8"), metadata={"id": "custom-106", "place_en": "Delhi", "language": "en"}
    )
    assert document.clauses[0].id == "custom-106/foreword/1"
    assert document.clauses[0].labels["en"].startswith("Resolution 106 (Delhi, 2024)")
    assert document.meta.language == "zh"
    assert any("language" in warning for warning in document.warnings)


def test_english_fixture():
    document = parse_file(EN_FIXTURE)
    by_id = {c.id.split("/", 1)[1]: c for c in document.clauses}
    assert document.meta.id == "wtsa-res900-2022" and document.meta.language == "en"
    assert document.metadata_lines[0].role == "front-matter"
    assert document.metadata_lines[0].text.startswith("NOT AN OFFICIAL ITU TEXT — test fixture")
    assert list(by_id) == [
        "foreword/1",
        "foreword/2",
        "title/1",
        "recalling/a",
        "recalling/b",
        "considering/a",
        "considering/b",
        "considering-further/1",
        "noting/1",
        "recognizing/a",
        "recognizing/b",
        "bearing-in-mind/1",
        "resolves/1",
        "resolves/2",
        "resolves-to-instruct-tsb-director/1",
        "resolves-to-instruct-tsb-director/2",
        "instructs-study-groups/1",
        "instructs-study-groups/2",
        "invites-members/1",
        "encourages-members/1",
        "requests-secretary-general/1",
        "footnotes/1",
    ]
    assert by_id["considering/a"].text == "that test fixtures make parser behaviour visible;"
    assert by_id["recalling/b"].footnotes == ("wtsa-res900-2022/footnotes/1",)
    assert "developing¹ and developed" in by_id["recalling/b"].text
    assert by_id["footnotes/1"].text.startswith("These include the least developed countries")
    [reference] = by_id["recalling/a"].refs
    assert reference == Reference("71", "PP", "2022", "Bucharest", revised=True, text="Resolution 71 (Rev. Bucharest, 2022)")
    assert by_id["recalling/b"].refs[0].body == "WTSA"
    assert by_id["considering-further/1"].refs[0].body == "WTDC"
    assert by_id["requests-secretary-general/1"].actor == "secretary-general"
    assert by_id["resolves-to-instruct-tsb-director/2"].labels == {
        "en": "Resolution 900 (Geneva, 2022), resolves to instruct the Director of TSB 2",
        "zh": "第900号决议（2022年，日内瓦）做出决议，责成电信标准化局主任 第2段",
    }
    assert by_id["noting/1"].labels["en"] == "Resolution 900 (Geneva, 2022), noting"
    assert by_id["recognizing/a"].kind == "preambular" and by_id["encourages-members/1"].kind == "operative"


def test_docx_fixture():
    document = parse_file(DOCX_FIXTURE)
    assert document.meta.id == "wtsa-res901-2022" and document.meta.language == "zh"
    assert document.metadata_lines[0].text.startswith("NOT AN OFFICIAL ITU TEXT — test fixture")
    assert [c.id.split("/", 1)[1] for c in document.clauses] == [
        "foreword/1",
        "foreword/2",
        "title/1",
        "recalling/a",
        "recalling/b",
        "considering/1",
        "recognizing/a",
        "recognizing/b",
        "resolves/1",
        "resolves/2",
        "instructs-tsb-director/1",
        "invites-secretary-general/1",
        "encourages-members/1",
    ]
    by_id = {c.id.split("/", 1)[1]: c for c in document.clauses}
    assert by_id["foreword/2"].text == "其编号、日期和措辞均为虚构， 不得引用。"  # soft line break read as a space
    assert by_id["recalling/b"].refs[0] == Reference(
        number="1", body="WTSA", year="2022", place="日内瓦", revised=True, text="第1号决议（2022年，日内瓦，修订版）"
    )
    assert by_id["resolves/2"].span == (20, 20)  # paragraph numbers
    label = by_id["instructs-tsb-director/1"].labels["en"]
    assert label == "Resolution 901 (Geneva, 2022), instructs the Director of TSB"


MINIMAL = """第5号决议（2020年，日内瓦）
测试
世界电信标准化全会（2020年，日内瓦），
{body}"""


def parse_body(body: str):
    """The document of MINIMAL around `body`, without its title clause (every document has one)."""
    document = parse_text(MINIMAL.format(body=body), source="mini.txt")
    assert document.clauses[0].id == "wtsa-res5-2020/title/1"
    return replace(document, clauses=document.clauses[1:])


def test_unknown_heading_is_kept_as_unclassified_with_a_warning():
    document = parse_body("考虑到\n甲，\n强调\n乙，\n做出决议\n丙。\n深表关切\n丁。")
    assert [(c.section, c.kind, c.heading) for c in document.clauses] == [
        ("considering", "preambular", "考虑到"),
        ("unclassified", "preambular", "强调"),
        ("resolves", "operative", "做出决议"),
        ("unclassified-2", "operative", "深表关切"),
    ]
    assert document.clauses[1].labels["zh"] == "第5号决议（2020年，日内瓦）强调"
    assert document.clauses[1].labels["en"] == "Resolution 5 (Geneva, 2020), unclassified"
    assert len(document.warnings) == 2
    assert document.warnings[0].startswith("mini.txt:6: unknown section heading '强调'")


def test_english_unknown_heading_and_an_addressee_nobody_knows():
    document = parse_text(
        "RESOLUTION 7 (Geneva, 2020)\nA test\nThe World Telecommunication Standardization Assembly (Geneva, 2020),\n"
        "emphasizing\nthat this is a test,\nresolves\nthat it works,\ninvites the regional offices\nto help.\n"
    )
    assert [(c.section, c.kind) for c in document.clauses] == [
        ("title", "title"),
        ("unclassified", "preambular"),
        ("resolves", "operative"),
        ("unclassified-2", "operative"),
    ]
    assert document.clauses[1].labels["en"] == "Resolution 7 (Geneva, 2020), emphasizing"
    assert len(document.warnings) == 2


def test_text_before_any_heading_is_unclassified():
    document = parse_body("在任何标题之前出现的一段文字，\n及其续行；\n做出决议\n丙。")
    assert [c.id for c in document.clauses] == ["wtsa-res5-2020/unclassified/1", "wtsa-res5-2020/resolves/1"]
    assert document.clauses[0].text == "在任何标题之前出现的一段文字，\n及其续行；"
    assert "before the first section heading" in document.warnings[0]


def test_unlabelled_lines_after_an_item_continue_it():
    document = parse_body("做出决议\n1\t第一段：\n–\t分项一；\n\n–\t分项二；\n2\t第二段。")
    first, second = document.clauses
    assert (first.item, first.span, first.text) == ("1", (5, 8), "第一段：\n–\t分项一；\n–\t分项二；")
    assert (second.item, second.span) == ("2", (9, 9))


def test_a_repeated_heading_gets_a_numbered_section():
    document = parse_body("责成电信标准化局主任\n甲，\n做出决议\n乙，\n责成电信标准化局主任\n丙。")
    assert [c.section for c in document.clauses] == ["instructs-tsb-director", "resolves", "instructs-tsb-director-2"]
    assert document.clauses[2].labels["en"] == "Resolution 5 (Geneva, 2020), instructs the Director of TSB"


def test_english_labels_tolerate_spaces_and_lettered_items_keep_their_letter():
    document = parse_text(
        "RESOLUTION 8 (Rev. Hammamet, 2016)\nT\n"
        "The World Telecommunication Standardization Assembly (Hammamet, 2016),\n"
        "considering\na) that one;\nb)  that two,\nresolves\n1) that three;\n2\tthat four.\n"
    )
    assert [(c.item, c.text) for c in document.clauses[1:]] == [
        ("a", "that one;"),
        ("b", "that two,"),
        ("1", "that three;"),
        ("2", "that four."),
    ]
    assert document.meta.id == "wtsa-res8-2016"
    assert document.clauses[1].labels == {
        "en": "Resolution 8 (Hammamet, 2016), considering a)",
        "zh": "第8号决议（2016年，哈马马特）考虑到 a)",
    }


def test_other_assemblies_give_other_document_ids():
    document = parse_text(
        "第2号决议（2022年，基加利，修订版）\n标题\n世界电信发展大会（2022年，基加利），\n做出决议\n本届大会第1号决议适用。"
    )
    assert document.meta.id == "wtdc-res2-2022"
    assert document.clauses[1].refs[0].body == "WTDC"


def test_a_footnote_mark_without_a_body_is_reported_and_not_linked():
    document = parse_body("做出决议\n甲[footnoteRef:3]3乙。")
    assert document.clauses[0].text == "甲³乙。" and document.clauses[0].footnotes == ()
    assert "footnote mark 3 has no footnote text" in document.warnings[0]


def test_a_duplicate_item_names_the_file_and_both_lines():
    with pytest.raises(CorpusFormatError, match=r"mini\.txt:7: .*'wtsa-res5-2020/resolves/2'.*first at line 6"):
        parse_body("做出决议\n1\t甲；\n2\t乙；\n2\t丙。")


def test_a_heading_without_paragraphs_is_reported():
    document = parse_body("忆及\n做出决议\n甲。")
    assert [c.id for c in document.clauses] == ["wtsa-res5-2020/resolves/1"]
    assert document.warnings == ("mini.txt:4: section heading '忆及' has no paragraphs",)


@pytest.mark.parametrize(
    ("inside", "year", "place", "revised"),
    [
        ("2024年，新德里", "2024", "新德里", False),
        ("2022年，布加勒斯特，修订版", "2022", "布加勒斯特", True),
        ("Rev. Bucharest, 2022", "2022", "Bucharest", True),
        ("Hammamet, 2016; New Delhi, 2024", "2024", "New Delhi", False),
        ("", "", "", False),
    ],
)
def test_adoption_parsing(inside, year, place, revised):
    assert parse_adoption(inside) == Adoption(year=year, place=place, revised=revised)


def test_place_names():
    assert place_en("布加勒斯特") == "Bucharest" and place_en("Atlantis") == "Atlantis"
    assert place_zh("geneva") == "日内瓦" and place_zh("新德里") == "新德里"


def test_a_superscript_that_is_not_a_footnote_mark_is_left_alone():
    text = EN_FIXTURE.read_text(encoding="utf-8").replace(
        "that a single unlabelled paragraph becomes item 1,", "that a band of 10⁶ Hz over 5 km² becomes item 1,"
    )
    document = parse_text(text, source="units.txt")
    noting = next(c for c in document.clauses if c.section == "noting")
    assert "10⁶ Hz over 5 km²" in noting.text and noting.footnotes == ()
    assert not [w for w in document.warnings if "footnote mark" in w]


def test_the_parts_of_a_resolution_are_named_in_both_languages():
    from corpus.sections import parts_named, without_part_names

    assert parts_named("Summarize the operative part, please") == {"operative"}
    assert parts_named("序言部分讲了什么？") == {"preambular"}
    # "operative paragraphs" is the resolves section's other name, routed as a section.
    assert parts_named("What do the operative paragraphs say?") == set()
    assert "operative" not in without_part_names("What is in the operative part?")
