"""A bilingual glossary of ITU terms that expands queries across languages.

An English question shares no characters with a Chinese clause; adding the
Chinese terms for the English ones lets lexical matching work both ways.
"""

from __future__ import annotations

import re
from functools import lru_cache

from corpus.places import PLACES_ZH_EN
from assistant.text import normalize

# (English variants, Chinese variants). Longer English phrases are matched first.
GLOSSARY: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("tsag", "telecommunication standardization advisory group", "advisory group"), ("电信标准化顾问组",)),
    (("tsb", "telecommunication standardization bureau"), ("电信标准化局",)),
    (("director of tsb", "tsb director", "director"), ("电信标准化局主任", "主任")),
    (("study group", "study groups"), ("研究组",)),
    # ITU-T maps to itself only: its long Chinese name is the heading of the study-group
    # instructions, and expanding to it drew every "ITU-T" question to those clauses.
    (("itu-t", "itu-t sector"), ("ITU-T",)),
    (("standardization sector", "telecommunication standardization sector"), ("国际电联电信标准化部门",)),
    (("itu-d", "development sector"), ("ITU-D", "电信发展部门")),
    (("itu", "international telecommunication union", "union"), ("国际电联", "国际电信联盟")),
    (("this assembly", "the present assembly", "current assembly", "wtsa-24"), ("本届全会",)),
    # Not bare "assembly": "the assembly encourages..." speaks of the resolving body, and
    # expanding it drew such questions to the foreword, which names WTSA.
    (("wtsa", "world telecommunication standardization assembly"), ("世界电信标准化全会", "全会")),
    (("wtdc", "world telecommunication development conference"), ("世界电信发展大会", "WTDC")),
    (("plenipotentiary conference", "plenipotentiary", "pp"), ("全权代表大会",)),
    (("sdo", "sdos", "standards development organization", "standards development organizations",
      "standards developing organizations", "standards bodies", "other standards bodies"), ("标准制定组织", "SDO")),
    (("developing countries", "developing country", "developing nations"), ("发展中国家",)),
    (("developed countries", "developed country"), ("发达国家",)),
    (("least developed countries", "ldcs", "ldc"), ("最不发达国家",)),
    (("small island developing states", "sids", "small island"), ("小岛屿发展中国家",)),
    (("landlocked developing countries", "landlocked", "lldcs"), ("内陆发展中国家",)),
    (("economies in transition", "countries with economies in transition", "transition economies"), ("经济转型国家",)),
    # "an ITU-T Academia member" is one kind of member (学术成员), not academia and the whole membership.
    (("academia members", "academia member", "academic members", "academic member", "academia", "academic",
      "universities", "academics"), ("学术界", "学术成员")),
    (("member states", "member state", "countries", "governments"), ("成员国",)),
    (("sector members", "sector member"), ("部门成员",)),
    (("associate members", "associate member", "associates", "associate"), ("部门准成员",)),
    (("members", "membership", "member"), ("成员",)),
    (("wsis", "world summit on the information society"), ("信息社会世界峰会", "WSIS")),
    (("rapporteur group", "rg-dt"), ("报告人组", "RG-DT")),
    (("sustainable development", "2030 agenda", "agenda for sustainable development", "sustainable development goals", "sdgs", "sdg"),
     ("可持续发展", "2030年可持续发展议程")),
    (("sustainable digital transformation",), ("可持续数字化转型",)),
    (("digital transformation", "digitalization", "digitization", "digitalisation"), ("数字化转型", "数字化")),
    (("sustainable", "sustainability"), ("可持续",)),
    (("recommendations", "recommendation", "itu-t recommendations"), ("建议书",)),
    (("resolutions",), ("决议",)),
    (("guidelines", "guideline", "guidance"), ("导则",)),
    (("implementation guidelines",), ("实施导则",)),
    (("best practices", "best practice", "good practices"), ("最佳做法",)),
    (("use cases", "use case"), ("用例",)),
    (("technical reports", "technical report"), ("技术报告",)),
    (("capacity building", "capacity-building", "training", "build capacity", "skills"), ("能力建设",)),
    (("standardization gap", "bridging the standardization gap", "standardization gap between"), ("标准化工作差距", "差距")),
    (("standardization", "standardisation", "standards", "standard"), ("标准化", "标准")),
    (("strategic plan", "strategic goal", "strategic objective"), ("战略规划", "战略目标")),
    (("ict", "icts", "information and communication technologies", "information and communication technology"),
     ("ICT", "信息通信技术")),
    (("telecommunications", "telecommunication", "telecom"), ("电信",)),
    (("environment", "environmental"), ("环境",)),
    (("climate change", "climate"), ("气候变化",)),
    (("circular economy",), ("循环经济",)),
    (("global resource centre", "global resource center", "resource centre", "resource center", "repository"),
     ("全球资源中心",)),
    (("cooperation", "cooperate", "collaboration", "collaborate", "partnership", "work together", "working together"),
     ("合作", "协作")),
    (("coordination", "coordinate", "liaise", "liaison"), ("协调",)),
    (("duplication", "duplicate", "overlap", "duplication of work", "avoid duplication"), ("重复工作", "重复")),
    (("resources", "efficient use of resources", "efficiency"), ("资源", "高效利用")),
    (("stakeholders", "stakeholder", "interested parties"), ("利益攸关方",)),
    (("consensus", "common understanding", "agreement"), ("共识",)),
    (("knowledge", "share knowledge", "knowledge sharing"), ("知识", "分享知识")),
    (("experts", "expert community", "expert"), ("专家界", "专家")),
    (("participation", "participate", "engage", "involvement", "take part"), ("参与",)),
    (("contribute", "contributions", "contribution"), ("做出贡献", "贡献")),
    (("encourage", "encourages", "encouraged"), ("鼓励",)),
    (("invite", "invites", "invited"), ("请",)),
    (("instruct", "instructs", "instructed", "tasked", "mandate", "mandated", "asked", "task", "tasks"), ("责成",)),
    (("resolves", "resolved", "decides", "decided"), ("做出决议",)),
    (("recalling", "recalls", "recall"), ("忆及",)),
    (("considering further", "further considering"), ("进一步考虑到",)),
    (("considering",), ("考虑到",)),
    (("noting", "notes", "noted"), ("注意到",)),
    (("recognizing", "recognising"), ("认识到",)),
    (("bearing in mind",), ("顾及",)),
    (("foreword", "preface"), ("前言",)),
    (("footnote",), ("脚注",)),
    (("help", "assist", "assistance", "support", "supporting"), ("帮助", "协助", "支持")),
    (("promote", "promoting", "foster", "facilitate", "advance"), ("促进", "推动")),
    (("strengthen", "enhance", "enhancing", "reinforce"), ("加强",)),
    (("develop", "development", "draft", "drafting", "produce"), ("制定",)),
    (("adoption", "adopt", "uptake"), ("采用",)),
    (("implement", "implementation", "implementing", "apply", "application"), ("实施", "应用")),
    (("assessment", "assess", "evaluate", "evaluation", "measure"), ("评估",)),
    (("timely", "quickly", "rapidly", "fast", "speed"), ("及时", "快速")),
    (("high-quality", "quality"), ("高质量",)),
    (("interoperable", "interoperability"), ("可互操作",)),
    (("non-discriminatory",), ("非歧视性",)),
    (("demand-driven", "needs-driven"), ("以需求为导向",)),
    (("emerging technologies", "new and emerging", "emerging"), ("新兴",)),
    (("services", "service"), ("业务", "服务")),
    (("applications", "application", "apps"), ("应用",)),
    (("platforms", "platform"), ("平台",)),
    (("digital technologies", "digital technology"), ("数字技术",)),
    (("information society",), ("信息社会",)),
    (("industries", "sectors", "verticals", "industry"), ("行业",)),
    (("experts", "specialists"), ("专家",)),
    (("work programme", "continue the work", "continue", "continuation"), ("延续",)),
    (("established", "created", "set up", "founded", "establish"), ("成立",)),
    (("integrate", "integration", "consolidate", "bring together"), ("整合",)),
    (("approval", "approve", "approving"), ("批准",)),
    (("questions", "study questions"), ("课题",)),
    (("iso",), ("国际标准化组织", "ISO")),
    (("iec",), ("国际电工技术委员会", "IEC")),
    (("benefit", "benefits", "gain"), ("受益",)),
    (("broad participation", "all relevant stakeholders"), ("广泛参与",)),
    (("scope", "terms of reference", "mandate of the study groups"), ("工作范围", "职权范围")),
    (("key enabler", "enabler", "driver", "catalyst"), ("关键推动力", "推动力")),
    (("progress",), ("进展",)),
    (("all necessary measures", "necessary measures", "measures", "steps"), ("一切必要措施", "措施")),
)


@lru_cache(maxsize=1)
def _entries() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    places = tuple(((en.casefold(),), (zh,)) for zh, en in PLACES_ZH_EN.items())
    return GLOSSARY + places


# Everyday Chinese words -> the formal terms resolutions use, so a newcomer's wording
# ("落地", "好处", "大学") still meets the clause's ("实施", "受益", "学术界").
ZH_SYNONYMS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("好处", "益处", "收益", "得到什么"), ("受益",)),
    (("配合", "联手", "携手"), ("协作", "协调")),
    (("汇总", "汇集", "集中", "整合起来"), ("整合", "全球资源中心")),
    (("落地", "用起来", "落实", "推广", "应用起来"), ("实施", "采用", "应用")),
    (("刚起步", "起步", "初期", "刚开始"), ("引入初期", "发展中国家")),
    (("全球目标", "国际目标", "全球议程", "可持续发展目标"), ("2030年可持续发展议程", "WSIS成果")),
    (("大学", "高校", "科研机构", "研究机构", "学者"), ("学术界", "学术成员")),
    (("会员",), ("成员",)),
    (("达成一致", "一致意见", "统一认识"), ("共识",)),
    (("经验", "做法", "实践"), ("最佳做法",)),
    (("培训", "培养", "提升能力"), ("能力建设",)),
    (("穷国", "贫困国家", "落后国家"), ("发展中国家", "最不发达国家")),
    (("各方", "相关方", "利益相关者", "持份者"), ("利益攸关方",)),
    (("重复劳动", "重复建设"), ("重复工作",)),
    (("起什么作用", "作用", "意义"), ("推动力", "关键推动力")),
    (("质量", "什么样的标准"), ("高质量", "可互操作", "非歧视性")),
    (("战略", "整体战略", "战略地位"), ("战略目标", "战略规划")),
    (("发展部门",), ("ITU-D", "电信发展部门")),
)


@lru_cache(maxsize=1)
def _english_patterns() -> tuple[tuple[str, re.Pattern, int], ...]:
    pairs = [(en, i) for i, (ens, _) in enumerate(_entries()) for en in ens]
    pairs.sort(key=lambda p: -len(p[0]))
    return tuple((en, re.compile(rf"(?<![a-z0-9]){re.escape(en)}(?![a-z0-9])"), i) for en, i in pairs)


@lru_cache(maxsize=1)
def _chinese_terms() -> tuple[tuple[str, int], ...]:
    pairs = [(zh.lower(), i) for i, (_, zhs) in enumerate(_entries()) for zh in zhs if not zh.isascii()]
    pairs.sort(key=lambda p: -len(p[0]))
    return tuple(pairs)


@lru_cache(maxsize=2048)
def _scan(text: str) -> tuple[tuple[tuple[int, str], ...], str]:
    """The glossary entries a text names, as (entry index, "en" or "zh" side matched), and the text
    with them cut out; longest names first, so "Director of TSB" is not read as "TSB"."""
    masked = normalize(text)
    found: list[tuple[int, str]] = []
    for term, pattern, index in _english_patterns():
        # A pattern matches only where its term is a substring: `in` rules out most terms ~10x faster.
        if term in masked and pattern.search(masked):
            found.append((index, "en"))
            masked = pattern.sub(" ", masked)
    for term, index in _chinese_terms():
        if term in masked:
            found.append((index, "zh"))
            masked = masked.replace(term, " ")
    return tuple(dict.fromkeys(found)), masked


def translate_terms(text: str) -> list[str]:
    """Glossary terms of the other language for what the text mentions, plus formal synonyms."""
    entries = _entries()
    found, masked = _scan(text)
    terms: list[str] = []
    for index, side in found:
        ens, zhs = entries[index]
        terms.extend(zhs if side == "en" else ens[:1])
    for words, formal in ZH_SYNONYMS:
        if any(w in masked for w in words):
            terms.extend(formal)
    return list(dict.fromkeys(terms))


def expand_query(text: str) -> str:
    """The question followed by the glossary terms of the other language."""
    extra = translate_terms(text)
    return f"{text} {' '.join(extra)}" if extra else text


def concepts(text: str) -> list[tuple[str, ...]]:
    """The glossary concepts a text names, each as its corpus-side (Chinese) forms.

    "Where are SDOs mentioned?" -> [("标准制定组织", "SDO")]; `leftover` gives the rest of the text.
    """
    entries = _entries()
    return list(dict.fromkeys(entries[index][1] for index, _ in _scan(text)[0]))


def leftover(text: str) -> str:
    """The text with every glossary term cut out."""
    return _scan(text)[1]


def formal_terms(text: str) -> list[str]:
    """The formal Chinese terms for the everyday words of a Chinese text."""
    norm = normalize(text)
    return list(dict.fromkeys(t for words, formal in ZH_SYNONYMS if any(w in norm for w in words) for t in formal))


# Technologies and topics that ITU texts often address. A question naming one that the
# corpus never mentions asks about something the resolution does not cover.
TOPICS: tuple[tuple[str, ...], ...] = (
    ("artificial intelligence", "ai", "machine learning", "人工智能", "机器学习"),
    ("internet of things", "iot", "物联网"),
    ("blockchain", "distributed ledger", "区块链", "分布式账本"),
    ("quantum", "量子"),
    ("5g", "6g", "imt-2020", "imt-2030"),
    ("satellite", "satellites", "卫星"),
    ("cybersecurity", "cyber security", "security", "网络安全", "信息安全"),
    ("cloud computing", "cloud", "云计算"),
    ("metaverse", "元宇宙"),
    ("digital twin", "digital twins", "数字孪生"),
    ("smart city", "smart cities", "智慧城市", "智能城市"),
    ("big data", "大数据"),
    ("e-health", "digital health", "电子卫生", "数字健康"),
    ("fintech", "digital financial services", "金融科技", "数字金融"),
    ("spectrum", "频谱"),
    ("gender", "性别"),
    ("accessibility", "persons with disabilities", "无障碍", "残疾人"),
    ("child online protection", "儿童在线保护"),
    ("emergency telecommunications", "应急通信"),
    ("numbering", "编号"),
    ("open source", "开源"),
    ("data centres", "data centers", "数据中心"),
    ("energy efficiency", "能效"),
    ("e-waste", "电子废物"),
)


def topics_named(text: str) -> list[tuple[str, ...]]:
    """The TOPICS entries a text names (whole words for Latin names)."""
    norm = normalize(text)
    named = []
    for names, patterns in _topic_patterns():
        if any(name in norm and pattern.search(norm) for name, pattern in patterns):
            named.append(names)
    return named


@lru_cache(maxsize=1)
def _topic_patterns() -> tuple[tuple[tuple[str, ...], tuple[tuple[str, re.Pattern], ...]], ...]:
    """Each TOPICS entry with its names' patterns, compiled once (a question tries them all)."""
    return tuple(
        (names, tuple(
            (name, re.compile(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])" if name.isascii() else re.escape(name)))
            for name in names
        ))
        for names in TOPICS
    )
