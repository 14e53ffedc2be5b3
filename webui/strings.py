"""Every string the interface shows, in English and Chinese: one table, so a third language is one more column.

>>> text("zh", "clear")
'清空'
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")

UI = {
    "en": {
        "title": "Resolution Assistant",
        "subtitle": "Ask about ITU resolutions in English or Chinese. Every answer quotes and cites the exact clause.",
        "tab_chat": "Chat",
        "tab_mandates": "Mandates",
        "tab_resolution": "Resolution",
        "chat_label": "Conversation",
        "placeholder": "<strong>Ask a question about the resolution</strong><br>"
        "Answers quote the text and cite clauses as [1], [2]… Click a marker to read the clause.",
        "question_placeholder": "Ask in English or 中文, e.g. What is TSAG instructed to do?",
        "clear": "Clear",
        "sources": "Sources",
        "sources_empty": "Click a citation marker such as [1] or a clause label to read the full clause here, "
        "with the quoted words highlighted and the clauses around it.",
        "related_tag": "Related, not an answer",
        "no_answer": "Not answered by the text",
        "open_in_text": "Show in the full resolution",
        "section": "Section",
        # Pending messages end without punctuation: the page adds an animated "…".
        "thinking": "Searching the resolution",
        "loading": "Loading the model and index; the answer follows as soon as they are ready",
        "queued": "Waiting for the previous answer; this question is asked next",
        "checking": "Written by the LLM, not yet checked against the clauses it cites",
        "load_timeout": "The model and index are still loading. Ask again in a moment.",
        "load_failed": "Could not load the model and index: {error}",
        "restore_dropped": "The saved conversation in this browser could not be read and was cleared.",
        "status_loading": "Loading the model and index…",
        "status_ready": "Ready",
        "status_error": "Could not load",
        "status_model": "model",
        "status_counts": "{documents} document{s} · {clauses} clauses",
        "status_extractive": "extractive answers",
        "status_embedded": "embedded Chroma index",
        "status_server": "Chroma server",
        "error": "Something went wrong while answering; the server log has the details.",
        "actor": "Actor",
        "all_actors": "All actors",
        "filter": "Filter",
        "filter_placeholder": "Words in the clause, e.g. capacity building or 能力建设",
        "download": "Download CSV",
        "col_actor": "Actor",
        "col_verb": "Mandate",
        "col_clause": "Clause",
        "col_text": "Text",
        "mandates_count": "{n} of {total} mandates",
        "mandates_none": "No mandate matches these filters.",
        "shortened": "shortened for display; {n:,} characters in all",
        "unofficial": "Unofficial English rendering — the Chinese text is authoritative",
        "original": "Chinese original",
        "footer_api": "Use via API",
        "footer_note": "Answers quote the resolutions' text; they are not legal advice.",
    },
    "zh": {
        "title": "决议助手",
        "subtitle": "用中文或英文提问国际电联决议。每个回答都引用并标注具体条款。",
        "tab_chat": "问答",
        "tab_mandates": "任务分工",
        "tab_resolution": "决议全文",
        "chat_label": "对话",
        "placeholder": "<strong>就本决议提问</strong><br>回答直接引用原文，并以 [1]、[2]… 标注条款。点击标注即可查看条款全文。",
        "question_placeholder": "可用中文或 English 提问，例如：电信标准化顾问组需要做什么？",
        "clear": "清空",
        "sources": "出处",
        "sources_empty": "点击 [1] 等引用标注或条款名称，即可在此查看条款全文、高亮的引文及其上下文条款。",
        "related_tag": "相关条款，并非答案",
        "no_answer": "决议文本未作回答",
        "open_in_text": "在决议全文中查看",
        "section": "部分",
        "thinking": "正在检索决议",
        "loading": "正在加载模型和索引，加载完成后立即回答",
        "queued": "正在等待上一个回答，随后回答这个问题",
        "checking": "大语言模型正在撰写，尚未与所引条款核对",
        "load_timeout": "模型和索引仍在加载，请稍后再问。",
        "load_failed": "无法加载模型和索引：{error}",
        "restore_dropped": "此浏览器中保存的对话无法读取，已清除。",
        "status_loading": "正在加载模型和索引…",
        "status_ready": "就绪",
        "status_error": "加载失败",
        "status_model": "模型",
        "status_counts": "{documents} 份文件 · {clauses} 个条款",
        "status_extractive": "抽取式回答",
        "status_embedded": "嵌入式 Chroma 索引",
        "status_server": "Chroma 服务器",
        "error": "回答时出错，详情见服务器日志。",
        "actor": "对象",
        "all_actors": "全部对象",
        "filter": "筛选",
        "filter_placeholder": "条款中的词语，例如 能力建设 或 capacity building",
        "download": "下载 CSV",
        "col_actor": "对象",
        "col_verb": "任务",
        "col_clause": "条款",
        "col_text": "原文",
        "mandates_count": "共 {total} 项任务，显示 {n} 项",
        "mandates_none": "没有符合筛选条件的任务。",
        "shortened": "显示时已缩短；全文共 {n:,} 个字符",
        "unofficial": "非官方英文译本，以中文文本为准",
        "original": "中文原文",
        "footer_api": "通过 API 使用",
        "footer_note": "回答引用决议原文，不构成法律意见。",
    },
}


def text(lang: str, key: str, **values) -> str:
    """The string `key` in `lang` (English for an unknown language), formatted with `values`."""
    template = UI.get(lang, UI["en"])[key]
    return template.format(**values) if values else template


def other(lang: str) -> str:
    """The interface's other language."""
    return "en" if lang == "zh" else "zh"
