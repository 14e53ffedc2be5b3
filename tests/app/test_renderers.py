"""The page's HTML as pure functions: citations, abstentions, sources, language versions, status, tables."""

import csv
import io

from assistant.types import Answer, Citation, Mandate, Status
from tests.app.fakes import CLAUSES, DOCUMENTS
from webui.renderers import render_answer, render_card, render_sources, render_status, source_cards
from webui.tables import csv_name, filter_mandates, mandates_csv, render_mandates, render_resolution
from webui.view import Corpus, SourceCard

CORPUS = Corpus(DOCUMENTS)
UNOFFICIAL = "Unofficial English rendering — the Chinese text is authoritative"
CAPACITY, OTHER, TSAG = CLAUSES


def citation(clause, quote: str, english_quote: str = "", marker: int = 1) -> Citation:
    versions = {"en": {**clause.versions["en"], "quote": english_quote}} if english_quote else {}
    return Citation(marker, clause.id, clause.label("en"), quote, clause.text, dict(clause.labels), versions)


def card_for(clause, quote: str, english_quote: str) -> SourceCard:
    answer = Answer("… [1]", (citation(clause, quote, english_quote),), language="en")
    return source_cards(answer, 7)[0]


def test_the_english_interface_shows_the_english_version_with_the_chinese_one_click_away():
    html = render_card(card_for(CAPACITY, "加强能力建设", "strengthen capacity building"), CORPUS, "en", is_open=True)
    current = html[html.index('class="ra-current"'):]
    assert '<span class="ra-version" lang="en">to <mark>strengthen capacity building</mark>' in current
    assert UNOFFICIAL in current
    assert '<details class="ra-original"><summary>Chinese original</summary>' in current
    assert "<mark>加强能力建设</mark>，支持发展中国家。" in current
    assert "Section: resolves" in html


def test_the_chinese_interface_shows_the_original_only():
    html = render_card(card_for(CAPACITY, "加强能力建设", "strengthen capacity building"), CORPUS, "zh", is_open=True)
    assert "<mark>加强能力建设</mark>" in html
    assert "strengthen" not in html and "ra-original" not in html and UNOFFICIAL not in html
    assert "部分: 做出决议" in html


def test_an_official_version_carries_no_unofficial_label_and_a_clause_without_one_shows_the_original():
    official = render_card(card_for(TSAG, "采取一切必要措施", "take all necessary measures"), CORPUS, "en", is_open=True)
    assert "<mark>take all necessary measures</mark>" in official and UNOFFICIAL not in official
    plain = render_card(SourceCard(1, "r1", OTHER.id, OTHER.text, "en", related=True), CORPUS, "en", is_open=False)
    assert "鼓励成员参与相关活动。" in plain and "ra-original" not in plain
    assert "Related, not an answer" in plain


def test_an_answer_links_its_markers_and_labels_and_escapes_the_text():
    answer = Answer('<b>bold</b> “加强能力建设” [1]', (citation(CAPACITY, "加强能力建设"),), language="en")
    html = render_answer(answer, source_cards(answer, 3))
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>" not in html
    assert '<a class="ra-cite" href="#ra-src-3-1" title="[1]">1</a>' in html
    assert '<span class="ra-label-text">Resolution 1 (Geneva, 2024), resolves 1</span>' in html


def test_an_abstention_links_the_related_clauses_it_carries():
    text = f"The resolution does not say this.\nRelated, not an answer: {TSAG.label('en')}; {OTHER.label('en')}"
    answer = Answer(text, abstained=True, language="en", related=(TSAG, OTHER))
    cards = source_cards(answer, 4)
    assert [(c.key, c.clause_id, c.related) for c in cards] == [("r1", TSAG.id, True), ("r2", OTHER.id, True)]
    html = render_answer(answer, cards)
    assert f'<a class="ra-cite-label" href="#ra-src-4-r1">{TSAG.label("en")}</a>' in html
    assert 'class="ra-abstain"' in html and "Not answered by the text" in html


def test_the_sources_panel_keeps_the_card_the_reader_opened():
    cards = [SourceCard(1, "1", CAPACITY.id, CAPACITY.text, "en"), SourceCard(2, "1", TSAG.id, TSAG.text, "en")]
    assert 'class="ra-source is-open" id="ra-src-2-1"' in render_sources(cards, CORPUS, "en")  # the latest reply's
    reopened = render_sources(cards, CORPUS, "zh", open_anchor="ra-src-1-1")
    assert 'class="ra-source is-open" id="ra-src-1-1"' in reopened and 'class="ra-source" id="ra-src-2-1"' in reopened


def test_neighbours_are_clamped_inside_the_padded_item():
    html = render_card(SourceCard(1, "1", CAPACITY.id, CAPACITY.text, "zh"), CORPUS, "zh", is_open=True)
    assert '<li class="ra-neighbour"><span class="ra-item">2</span><span class="ra-clamp">鼓励成员参与相关活动。</span></li>' in html


def test_the_status_line_says_loading_ready_or_the_error_and_where_the_index_is():
    status = Status("intfloat/multilingual-e5-small", 1, 3, ready=False, chroma_server="db.example:8000")
    loading = render_status(status, "en")
    assert "is-loading" in loading and "Chroma server db.example:8000" in loading and "1 document · 3 clauses" in loading
    failed = render_status(status, "zh", error="索引已损坏")
    assert "is-error" in failed and "加载失败: 索引已损坏" in failed
    assert "LLM m" in render_status(Status("e5", 2, 9, ready=True, llm_model="m", llm=True), "en")


MANDATES = [
    Mandate("tsag", {"en": "TSAG", "zh": "电信标准化顾问组"}, "resolves-to-instruct", TSAG.id, dict(TSAG.labels), TSAG.text),
    Mandate("members", {"en": "Members", "zh": "成员"}, "encourages", OTHER.id, dict(OTHER.labels), OTHER.text),
]


def test_mandates_follow_the_interface_language_and_english_words_find_english_versions():
    assert filter_mandates(MANDATES, "necessary measures", CORPUS) == MANDATES[:1]
    assert filter_mandates(MANDATES, "必要措施", CORPUS) == MANDATES[:1]
    assert filter_mandates(MANDATES, "encourages", CORPUS) == MANDATES[1:]
    english = render_mandates(MANDATES, 2, CORPUS, "en")
    assert "to take all necessary measures" in english and "resolves to instruct" in english
    chinese = render_mandates(MANDATES, 2, CORPUS, "zh")
    assert "采取一切必要措施" in chinese and "take all" not in chinese and "做出决议，责成" in chinese


def test_the_csv_carries_both_texts_and_is_named_after_the_filter():
    rows = list(csv.DictReader(io.StringIO(mandates_csv(MANDATES, CORPUS))))
    assert rows[0]["text"] == TSAG.text and rows[0]["text_en"].startswith("to take") and rows[0]["text_en_official"] == "true"
    assert rows[1]["text_en"] == "" and rows[1]["text_en_official"] == ""
    assert csv_name("tsag", "", MANDATES[:1]) == "mandates-tsag.csv"
    assert csv_name("研究组", "", MANDATES[:1]) == "mandates-tsag.csv"  # a typed name: the actor the rows have
    assert csv_name("all", "capacity building", MANDATES) == "mandates-all-capacity-building.csv"
    assert csv_name(None, "", MANDATES) == "mandates-all.csv"


def test_the_resolution_tab_names_sections_and_shows_versions_in_the_interface_language():
    english = render_resolution(CORPUS, "en")
    assert "<h3>resolves to instruct TSAG</h3>" in english and "Resolution 1 (Geneva, 2024)" in english
    assert "to strengthen capacity building" in english and "A test resolution" in english
    chinese = render_resolution(CORPUS, "zh")
    assert "<h3>做出决议，责成电信标准化顾问组</h3>" in chinese and "strengthen" not in chinese
