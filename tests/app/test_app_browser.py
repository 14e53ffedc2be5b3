"""The chat app in a real Chromium: answers, citations, sources, mandates, safety, languages."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest


playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
BOT_MESSAGES = "#ra-chat .ra-answer, #ra-chat .ra-abstain, #ra-chat .ra-error"
LOCAL_HOSTS = ("127.0.0.1", "localhost")


@dataclass
class Tab:
    """A page on the app, with what it tried to fetch from elsewhere and the script errors it raised."""

    page: object
    blocked: list = field(default_factory=list)
    errors: list = field(default_factory=list)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: run scripts/ensure-chromium")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture()
def tab(browser, app_server):
    context = browser.new_context(viewport={"width": 1400, "height": 950}, locale="en-US")
    tab = Tab(context.new_page())

    def only_local(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            tab.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.page.goto(app_server.url, wait_until="load")
    tab.page.wait_for_selector("#ra-question textarea:not([disabled])")  # open once the saved chat is back
    yield tab
    context.close()


def ask(page, question: str):
    """Type a question, press Enter, and return the locator of the reply once it is there."""
    before = page.locator(BOT_MESSAGES).count()
    box = page.locator("#ra-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "([selector, n]) => document.querySelectorAll(selector).length > n", arg=[BOT_MESSAGES, before], timeout=90_000
    )
    return page.locator(BOT_MESSAGES).last


def open_card(page):
    card = page.locator("#ra-sources .ra-source.is-open")
    card.wait_for(state="visible")
    return card


def test_chinese_question_is_answered_and_its_clause_opens(tab, output_dir):
    page = tab.page
    reply = ask(page, "电信标准化顾问组需要做什么？")
    assert reply.get_attribute("class") == "ra-answer"
    label = reply.locator(".ra-citations .ra-label-text").first.inner_text()
    assert label == "第106号决议（2024年，新德里）做出决议，责成电信标准化顾问组"
    marker = reply.locator("a.ra-cite").first
    assert marker.inner_text() == "1"
    marker.click()
    card = open_card(page)
    assert card.get_attribute("data-clause") == "wtsa-res106-2024/resolves-to-instruct-tsag/1"
    quote = card.locator(".ra-current mark").first.inner_text()  # the English interface: the English version first
    assert quote and quote in card.locator(".ra-current").inner_text()
    assert card.locator(".ra-source-section").inner_text() == "Section: resolves to instruct TSAG"  # the interface language
    page.screenshot(path=output_dir / "chinese-answer.png", full_page=True, animations="disabled")
    assert tab.blocked == [] and tab.errors == []


def test_english_question_with_sources_open(tab, output_dir):
    page = tab.page
    reply = ask(page, "What are ITU-T study groups instructed to do?")
    labels = reply.locator(".ra-citations .ra-label-text").all_inner_texts()
    assert labels and all(text.startswith("Resolution 106 (New Delhi, 2024), instructs ITU-T study groups") for text in labels)
    reply.locator(".ra-citations a.ra-cite-label").nth(1 if len(labels) > 1 else 0).click()
    card = open_card(page)
    # The English quote is highlighted; the Chinese original, one click away, highlights its own.
    assert card.locator(".ra-current mark").first.is_visible()
    assert "unofficial" in card.locator(".ra-current").inner_text().lower()
    assert card.locator(".ra-neighbour").count() >= 1  # section context around the clause
    assert "instructs ITU-T study groups" in card.locator(".ra-source-label").inner_text()
    page.screenshot(path=output_dir / "english-answer-with-sources.png", full_page=True, animations="disabled")

    clause_id = card.get_attribute("data-clause")
    card.locator("a.ra-open-in-text").click()
    anchor = page.locator(f"#clause-{clause_id.replace('/', '__')}")
    anchor.wait_for(state="visible")
    assert page.locator("#ra-tab-resolution-button").get_attribute("aria-selected") == "true"
    assert "instructs ITU-T study groups" in anchor.locator(".ra-clause-label").inner_text()


def test_an_example_question_starts_the_conversation(tab):
    page = tab.page
    page.get_by_role("button", name="本决议请成员国做什么？").click()
    page.locator("#ra-chat .ra-answer").wait_for(timeout=90_000)
    assert "请成员国" in page.locator("#ra-chat .ra-answer .ra-citations").inner_text()


def test_status_line_names_model_corpus_index_and_mode(tab):
    page = tab.page
    ask(page, "What is TSAG instructed to do?")  # the first answer waits for the model and index
    status = page.locator("#ra-status").inner_text()
    for part in ("Ready", "intfloat/multilingual-e5-small", "embedded Chroma index", "extractive answers"):
        assert part in status
    assert re.search(r"\d+ documents? · \d+ clauses", status)


def test_follow_up_questions_use_the_conversation(tab):
    page = tab.page
    ask(page, "What is TSAG instructed to do?")
    reply = ask(page, "And the Director of TSB?")
    assert "resolves to instruct the Director of TSB" in reply.locator(".ra-citations").inner_text()
    assert page.locator("#ra-chat .ra-answer").count() == 2


def test_a_question_the_text_does_not_answer_looks_different(tab):
    page = tab.page
    reply = ask(page, "What is the budget of the resolution?")
    assert reply.get_attribute("class") == "ra-abstain"
    assert reply.locator(".ra-abstain-tag").inner_text().casefold() == "not answered by the text"
    assert reply.evaluate("el => getComputedStyle(el).borderTopStyle") == "dashed"
    reply.locator("a.ra-cite-label").first.click()
    card = open_card(page)
    assert card.locator(".ra-related-tag").inner_text().casefold() == "related, not an answer"


def test_markup_in_a_question_is_shown_as_text(tab):
    page = tab.page
    question = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"><b>bold?</b>'
    ask(page, question)
    user = page.locator('#ra-chat [data-testid="user"]').last
    assert user.inner_text() == question
    assert page.locator("#ra-chat script, #ra-chat img[src='x'], #ra-chat b").count() == 0
    assert page.evaluate("window.pwned") is None


def test_the_question_box_has_the_focus_once_the_page_is_ready(tab):
    tab.page.wait_for_function("document.activeElement === document.querySelector('#ra-question textarea')")


def test_a_refused_question_says_the_limit_and_keeps_its_text(tab):
    reply = ask(tab.page, "ITU " * 600)
    assert reply.get_attribute("class") == "ra-error"
    assert "2,000" in reply.inner_text()
    assert tab.page.locator("#ra-question textarea").input_value() == "ITU " * 600  # to shorten, not to paste again


def test_a_reload_keeps_the_conversation(tab):
    page = tab.page
    ask(page, "What is TSAG instructed to do?")
    ask(page, "And the Director of TSB?")
    page.reload(wait_until="load")
    page.wait_for_function("document.querySelectorAll('#ra-chat .ra-answer').length === 2", timeout=30_000)
    assert page.locator('#ra-chat [data-testid="user"]').all_inner_texts() == [
        "What is TSAG instructed to do?", "And the Director of TSB?"]
    assert page.locator("#ra-sources .ra-source").count() == 2
    reply = ask(page, "What about the study groups?")  # the restored conversation is what follow-ups lean on
    assert "ITU-T study groups" in reply.locator(".ra-citations").inner_text()
    page.locator("#ra-clear").click()
    page.wait_for_function("document.querySelectorAll('#ra-chat .message-row').length === 0")
    page.reload(wait_until="load")
    page.wait_for_selector("#ra-question textarea")
    page.wait_for_timeout(1500)
    assert page.locator("#ra-chat .message-row").count() == 0  # Clear emptied the saved copy too


def test_a_question_asked_while_an_answer_is_pending_waits_its_turn_and_is_answered(tab):
    page = tab.page
    box = page.locator("#ra-question textarea")
    box.fill("What is TSAG asked to do by this resolution, in short?")  # a new question: its answer takes a while
    box.press("Enter")
    page.wait_for_function("document.querySelector('#ra-question textarea').value === ''")  # echoed, still pending
    box.fill("And the Director of TSB?")
    box.press("Enter")
    page.wait_for_function("document.querySelectorAll('#ra-chat [data-testid=\"user\"]').length === 2", timeout=30_000)
    page.wait_for_function("document.querySelectorAll('#ra-chat .ra-answer').length === 2", timeout=90_000)
    citations = page.locator("#ra-chat .ra-answer .ra-citations").all_inner_texts()
    assert "resolves to instruct TSAG" in citations[0]
    assert "resolves to instruct the Director of TSB" in citations[1]


def test_chinese_text_renders_with_a_cjk_font(tab, output_dir):
    page = tab.page
    # document.fonts.check() says True even for a font that does not exist: ask fontconfig, which Chromium uses.
    families = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    assert "Noto Sans CJK" in families, "no CJK font for Chinese glyphs: run scripts/ensure-chromium"
    page.locator("#ra-lang label", has_text="中文").click()
    page.wait_for_function("document.querySelector('#ra-footer').innerText.includes('通过 API 使用')")
    assert "Use via API" not in page.locator("body").inner_text()
    page.screenshot(path=output_dir / "chinese-interface.png", full_page=True, animations="disabled")
    page.locator("#ra-footer a.ra-api-link").click()  # the page's own footer still opens Gradio's API page
    page.get_by_text("API documentation").wait_for()


def test_clear_starts_a_new_conversation(tab):
    page = tab.page
    ask(page, "What is TSAG instructed to do?")
    page.locator("#ra-clear").click()
    page.wait_for_function("document.querySelectorAll('#ra-chat .message-row').length === 0")
    assert page.locator("#ra-sources .ra-source").count() == 0
    ask(page, "What are ITU-T study groups instructed to do?")
    assert page.locator("#ra-chat .message-row").count() == 2


def test_mandates_filter_by_actor_and_text_and_download(tab, output_dir):
    page = tab.page
    page.locator("#ra-tab-mandates-button").click()
    rows = page.locator("#ra-mandates tbody tr")
    rows.first.wait_for()
    everyone = rows.count()

    def actors() -> set[str]:
        return set(rows.evaluate_all("rs => rs.map(r => r.dataset.actor)"))

    assert {"tsag", "tsb-director", "study-groups", "members"} <= actors()

    page.locator("#ra-actor input").click()
    page.get_by_role("option", name="TSAG", exact=True).click()
    page.wait_for_function("n => document.querySelectorAll('#ra-mandates tbody tr').length < n", arg=everyone)
    assert actors() == {"tsag"}
    assert "RG-DT" in page.locator("#ra-mandates").inner_text()
    page.screenshot(path=output_dir / "mandates-tsag.png", full_page=True, animations="disabled")

    with page.expect_download() as download:
        page.locator("#ra-download").click()
    table = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert {row["actor"] for row in table} == {"tsag"}
    assert "Resolution 106 (New Delhi, 2024), resolves to instruct TSAG" in [row["label_en"] for row in table]

    actor = page.locator("#ra-actor input")  # a name typed in Chinese goes through list_mandates' matching
    actor.fill("研究组")
    actor.press("Enter")
    page.wait_for_function("() => [...document.querySelectorAll('#ra-mandates tbody tr')].every("
                           "r => r.dataset.actor === 'study-groups')")
    assert actors() == {"study-groups"} and rows.count() >= 3

    page.locator("#ra-filter textarea").fill("coordinate")  # the English interface filters the English text
    page.wait_for_function("() => [...document.querySelectorAll('#ra-mandates .ra-col-text')].every("
                           "td => td.innerText.includes('coordinate'))")
    assert rows.count() >= 1


def test_interface_language_follows_the_toggle(tab):
    page = tab.page
    page.locator("#ra-lang label", has_text="中文").click()
    page.wait_for_function("document.querySelector('#ra-tab-mandates-button').innerText.includes('任务分工')")
    assert page.locator("#ra-title h1").inner_text() == "决议助手"
    assert page.locator("#ra-clear").inner_text() == "清空"
    page.locator("#ra-tab-resolution-button").click()
    page.wait_for_selector("#ra-resolution .ra-clause-label")
    assert "做出决议" in page.locator("#ra-resolution").inner_text()
    page.locator("#ra-tab-chat-button").click()
    reply = ask(page, "What are ITU-T study groups instructed to do?")  # answers follow the question, not the interface
    reply.locator("a.ra-cite").last.click()
    opened = open_card(page).get_attribute("id")
    page.locator("#ra-lang label", has_text="English").click()
    page.wait_for_function("document.querySelector('#ra-clear').innerText === 'Clear'")
    assert open_card(page).get_attribute("id") == opened  # the source the reader opened, not the first one
    page.locator("#ra-lang label", has_text="中文").click()
    page.wait_for_function("document.querySelector('#ra-clear').innerText === '清空'")
    reply = ask(page, "What is TSAG instructed to do?")
    assert reply.locator(".ra-label-text").first.inner_text().startswith("Resolution 106")
    error = ask(page, "ITU " * 600)  # the interface's own messages follow the interface
    assert error.get_attribute("class") == "ra-error"
    assert "上限" in error.inner_text() and "2,000" in error.inner_text()
