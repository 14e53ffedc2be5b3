"""The page: Blocks, components and the events that tie them to the handlers (webui.handlers)."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from webui.handlers import App, Components
from webui.renderers import render_footer, render_header
from webui.strings import text

STATIC = Path(__file__).resolve().parent / "static"
QUEUE_CONCURRENCY = 4
QUEUE_MAX_SIZE = 64
EXAMPLES = (
    "电信标准化顾问组需要做什么？",
    "What are ITU-T study groups instructed to do?",
    "本决议请成员国做什么？",
    "What does the resolution say about developing countries?",
)
BROWSER_LANGUAGE = "() => (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en'"
OPEN_SOURCE = "document.querySelector('#ra-sources .ra-source.is-open')?.id || ''"
FOCUS_QUESTION = "() => { document.querySelector('#ra-question textarea')?.focus(); }"


def theme() -> gr.themes.Theme:
    """Soft, with system fonts only: the page loads no web fonts, so it works offline."""
    sans = ("system-ui", "-apple-system", "Segoe UI", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "sans-serif")
    return gr.themes.Soft(
        primary_hue="indigo",
        font=[gr.themes.Font(name) for name in sans],
        font_mono=[gr.themes.Font(name) for name in ("ui-monospace", "SFMono-Regular", "Menlo", "monospace")],
    )


def launch_options() -> dict:
    """What `Blocks.launch` needs for this page's look: theme, the static css and script, the API page."""
    # "api" keeps ?view=api working; app.css hides Gradio's footer, which follows the browser's language,
    # and the page's own footer links there in the interface's language.
    return {"theme": theme(), "css_paths": [STATIC / "app.css"], "head_paths": [STATIC / "head.html"],
            "footer_links": ["api"]}


def build(app: App) -> gr.Blocks:
    """The Blocks of the app, its events wired to `app`'s handlers; also the `/ask` API endpoint."""
    en = "en"
    with gr.Blocks(title="Resolution Assistant · 决议助手", analytics_enabled=False) as demo:
        saved = gr.BrowserState({}, storage_key="ra-conversation")
        with gr.Row(elem_id="ra-header"):
            header = gr.HTML(render_header(en), elem_id="ra-title")
            lang = gr.Radio([("English", "en"), ("中文", "zh")], value=en, show_label=False, container=False,
                            elem_id="ra-lang", min_width=160)
        status = gr.HTML(app.status_html(en), elem_id="ra-status")
        timer = gr.Timer(1.0)
        with gr.Tabs(elem_id="ra-tabs"):
            with gr.Tab(text(en, "tab_chat"), id="chat", elem_id="ra-tab-chat") as tab_chat:
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=360):
                        chatbot = gr.Chatbot(
                            label=text(en, "chat_label"), show_label=False, elem_id="ra-chat", height=560,
                            render_markdown=False, sanitize_html=True, feedback_options=None, buttons=["copy"],
                            placeholder=text(en, "placeholder"), autoscroll=True, latex_delimiters=[],
                            examples=[{"text": q} for q in EXAMPLES],
                        )
                        with gr.Row(equal_height=True):
                            # Editable once the saved conversation is back (on_restore): a question sent before
                            # that could be shown and then overwritten by the restored chat arriving after it.
                            question = gr.Textbox(
                                show_label=False, placeholder=text(en, "question_placeholder"), lines=1, max_lines=6,
                                submit_btn=True, interactive=False, scale=8, elem_id="ra-question", container=False,
                            )
                            clear = gr.Button(text(en, "clear"), variant="secondary", size="md", scale=0, min_width=90,
                                              elem_id="ra-clear")
                    with gr.Column(scale=2, min_width=300, elem_id="ra-sources-col"):
                        sources = gr.HTML(app.sources_html([], en), elem_id="ra-sources")
            with gr.Tab(text(en, "tab_mandates"), id="mandates", elem_id="ra-tab-mandates") as tab_mandates:
                with gr.Row(equal_height=False):
                    actor = gr.Dropdown(app.actor_choices(en), value="all", label=text(en, "actor"),
                                        allow_custom_value=True, filterable=True, scale=2, elem_id="ra-actor")
                    words = gr.Textbox(label=text(en, "filter"), placeholder=text(en, "filter_placeholder"), scale=3,
                                       elem_id="ra-filter")
                    download = gr.DownloadButton(text(en, "download"), scale=1, min_width=140, size="md",
                                                 elem_id="ra-download")
                table = gr.HTML(elem_id="ra-mandates")
            with gr.Tab(text(en, "tab_resolution"), id="resolution", elem_id="ra-tab-resolution",
                        render_children=True) as tab_resolution:
                resolution = gr.HTML(app.resolution_html[en], elem_id="ra-resolution")
        footer = gr.HTML(render_footer(en), elem_id="ra-footer")
        open_source = gr.Textbox(visible=False)  # filled in the browser by the language switch's js (a State would not be)
        app.ui = Components(
            header=header, status=status, timer=timer, footer=footer, tab_chat=tab_chat, tab_mandates=tab_mandates,
            tab_resolution=tab_resolution, chatbot=chatbot, question=question, clear=clear, sources=sources,
            saved=saved, actor=actor, words=words, download=download, table=table,
            resolution=resolution,
        )
        quick = {"queue": False, "show_progress": "hidden", "api_visibility": "private"}

        # Echo at once, then answer in the queue; both show the chat as app.pages holds it at that moment.
        answering = []
        for asked in (
            # "multiple": a question asked while an answer is pending is taken (Gradio's default drops it).
            question.submit(app.on_submit, [question, lang], [question, chatbot], trigger_mode="multiple", **quick),
            chatbot.example_select(app.on_example, [lang], [question, chatbot], trigger_mode="multiple", **quick),
        ):
            answering.append(asked.then(app.on_answer, [lang], [chatbot, saved, sources, status], trigger_mode="multiple",
                                        show_progress="hidden", api_visibility="private"))
        # Our own Clear button only: the chatbot's trash icon overlapped the first message after scrolling.
        clear.click(app.on_clear, [lang], [chatbot, saved, sources, question], cancels=answering, **quick)
        # The chatbot's own trash icon (hidden by the stylesheet, but still there in other locales)
        # clears the same conversation as the Clear button, on the server and in the saved copy.
        chatbot.clear(app.on_clear, [lang], [chatbot, saved, sources, question], cancels=answering, **quick)
        demo.load(app.on_restore, [saved, lang], [chatbot, sources, saved, question], **quick).then(
            None, None, None, js=FOCUS_QUESTION, api_visibility="private")
        demo.unload(app.on_close)

        for shown in (demo.load, timer.tick):
            shown(app.on_tick, [lang], [status, timer], **quick)
        mandate_outputs = [table, download]
        for event in (actor.change, words.change):
            event(app.on_mandates, [actor, words, lang], mandate_outputs, **quick)
        demo.load(app.on_mandates, [actor, words, lang], mandate_outputs, **quick)
        lang.change(
            app.on_language, [lang, open_source, actor, words],
            [header, status, footer, tab_chat, tab_mandates, tab_resolution, chatbot, question, clear, sources, actor,
             words, resolution, table, download],
            js=f"(lang, open, actor, words) => [lang, {OPEN_SOURCE}, actor, words]", **quick,
        )
        demo.load(None, None, [lang], js=BROWSER_LANGUAGE, api_visibility="private")
        gr.api(app.api_ask, api_name="ask")
    demo.queue(default_concurrency_limit=QUEUE_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    return demo
