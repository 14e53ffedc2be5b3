"""How a question asks, beyond its intent: the shapes selection answers differently, the kinds
of fact it asks for, and the words that name its topic.

The intent (`intents.py`) says what kind of answer a question wants; these say how it narrows
one: "why", "going forward", "who set it up", "does it mention", "all the paragraphs that…",
a deadline or a budget. Each is a rule, because each turns on a word or two inside a question
that is otherwise of any intent, and a similarity over the whole question cannot see a word
(the comments give the dev-set case each was written for). `read_asks` reads them all once;
`assistant.answer` asks it, and reads no phrasing of its own.

>>> read_asks("Why does it stress working with ITU-D?").why
True
>>> read_asks("预算是多少？").facts != ()
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from assistant.glossary import concepts, leftover
from assistant.text import content_terms, normalize, stem
from assistant.understanding.routing import RESOLUTION_NUMBER, without_section_names
from corpus.actors import actor_vocabulary, without_actors
from corpus.assemblies import ASSEMBLY_NAMES


class KnowsWords(Protocol):
    """What topic reading needs of a corpus: whether a clause holds a word in any language."""

    def knows_word(self, word: str) -> bool: ...

_TASK_WORDS = frozenset(
    """instructed invited asked tasked encouraged requested required told called mandate mandated mandates task tasks
    role roles play plays job duty duties responsibility responsibilities do doing supposed expected need needs
    assigned given
    责成 请 要求 任务 职责 工作 作用 角色 应该 需要 负责 做出 决议 鼓励 被 干 做 邀请 哪些 什么 布置 交给 分配 安排 起到 中起
    能起 发挥 扮演
    全会""".split()
)

_META = frozenset(
    """clause clauses paragraph paragraphs part parts section sections where which mention mentions mentioned refer
    refers referred cite cites cited cover covers covered about address addresses include includes contain contains
    discuss discusses say says said state states text document anything something topic topics issue issues
    subject subjects point points item items under have has having list show give
    条款 地方 哪些地方 哪些条款 部分 提到 提及 引用 涉及 讲到 谈到 关于 有关 有没有 是否 包括 哪些 哪几 哪里 段 项 条 点
    几点 哪几点 哪一点 一点 事项 议题 主题 问题 内容 方面 具体 其中 中 里 分别 下面 以下 一共 总共 共有 全部 所有 都
    all total altogether adopt adopted adopting 通过 including also para paras 以及
    tl dr tldr actually basically summary summarise summarize overview gist brief briefly quick 概括 总结 简单 大概 主要
    assembly wtsa 全会""".split()
)

_DOCUMENT_WORDS = re.compile(
    r"\b(?:the|this|that) (?:resolution|text|document)\b|本决议|该决议|这项决议|决议(?:中|里|对)|文中|文本|全文|这份文件"
)

# "在这项决议中", "本决议里", "in this resolution": the text itself, not a topic.
_THIS_TEXT = re.compile(
    r"在?(?:这|本|该|此)(?:一|项|份|个|篇)?(?:决议|文件|文本|案文)(?:中|里|当中)?|\bin (?:this|the) (?:resolution|text|document)\b"
)

_COUNTED_ITEMS = re.compile(
    r"[0-9一二两三四五六七八九十几]+\s*(?:段|项|点|条|个)|\b(?:two|three|four|five|six)\b(?:\W+\w+)?\W+(?:paragraphs|points|items)\b"
)


def focus_concepts(question: str) -> list[tuple[str, ...]]:
    """What the question is about, as concepts with their corpus-side forms.

    Glossary terms come first (so "SDOs" matches 标准制定组织 and SDO); every other
    content word stands for itself.
    """
    text = _DOCUMENT_WORDS.sub(" ", question)
    found = list(concepts(text))
    for word in content_terms(leftover(text), precise=True):
        if word in _META or word in _TASK_WORDS or (len(word) < 2 and not word.isdigit()):
            continue
        found.append((word,))
    return list(dict.fromkeys(found))


def topic_terms(question: str, corpus: KnowsWords | None = None, *, asking: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The question's words that name a topic: not an actor, a section, a word of asking (`asking`, and
    the task and meta words every question uses), nor, with `corpus`, a word no clause holds."""
    actor_words = actor_vocabulary()
    plain = _THIS_TEXT.sub(" ", _COUNTED_ITEMS.sub(" ", without_section_names(without_actors(question))))
    plain = RESOLUTION_NUMBER.sub(" ", normalize(plain))  # "under res 106" names where, not what
    return tuple(
        t
        for t in content_terms(plain)
        if t not in _TASK_WORDS and t not in actor_words and t not in _META and t not in asking and len(t) > 1
        and stem(t) not in asking and (corpus is None or corpus.knows_word(t))
    )


_ASKS_WHY = re.compile(r"\bwhy\b|\bfor what reason\b|为什么|为啥|为何|何以|什么原因|出于什么")
# "What happens to that group going forward?", "以后还接着干吗？": what is still to be done, which the
# operative part decides (the preamble records what was).
_ASKS_FUTURE = re.compile(
    r"\bgoing forward\b|\bfrom now on\b|\bin (?:the )?future\b|\bnext steps?\b|\bwhat happens (?:to|with|next)\b"
    r"|以后|今后|接下来|下一步|将来|未来|接着|后续|(?<!最)后面"
    # Whether something goes on ("is it supposed to keep going?", "RG-DT还会继续吗"): what the operative part keeps.
    r"|\bkeep (?:going|running|working)\b|\bcontinu\w*|\bcarr(?:y|ies) on\b|\bstill (?:exist|run|operat|active|around|going)\w*"
    r"|继续|延续|存续"
)
# "Who is responsible for…", "谁负责…": a question about who is tasked with something.
_ASKS_WHO_ACTS = re.compile(
    r"\b(?:who|which (?:body|bodies|group|groups|organ|entity|one))(?:'s| is| are)? (?:\w+ ){0,2}"
    r"(?:responsible|in charge|tasked|charged|supposed|expected|meant|told|asked|instructed|required|has to|have to|must|should|is to)\b|"
    r"谁(?:来)?(?:负责|承担|牵头|落实|去做|应该|要)|谁被(?:责成|要求|请|邀请|鼓励)|哪个机构(?:负责|要)|归谁|由谁|交给了?谁|(?:让|叫|要求|责成)谁"
)
# "谁牵头成立的", "who set it up": who did something in the past, which a recital records, not a task.
_ASKS_WHO_DID = re.compile(r"\bwho (?:\w+ )?(?:established|created|set up|founded|launched|started)\b|成立的|设立的|建立的|发起的")
# "When was RG-DT set up?": a past act, which a recital records.
_ASKS_WHEN_DONE = re.compile(r"\bwhen (?:was|were|did)\b.{0,40}\b(?:established|created|set up|founded|formed|launched|started)\b")
# Words a who-must-act question uses for the actors it asks about.
_WHO_WORDS = re.compile(
    r"\b(?:bod(?:y|ies)|organi[sz]ations?|organs?|entit(?:y|ies)|people|persons?|actors?|parties|members?|membership|officials?)\b|"
    r"机构|人员|成员|组织|部门|单位|哪些人|什么人|各方"
)
# Words for any task, whatever its verb: "which bodies get tasks or invitations", "被要求、鼓励或者邀请" ask
# for every actor.
# (_EITHER is what joins them.)
_ANY_TASK = re.compile(r"\btask(?:s|ed)?\b|\bduties\b|\bmandates?\b|\bjobs?\b|\bwork\b|任务|职责|分工|活儿|工作|被要求")
_EITHER = re.compile(r"\bor\b|或者|或是|还是|或(?=[a-z\u4e00-\u9fff])")
_LIST_MENTION = re.compile(
    r"\b(mention\w*|refer\w*|cite[sd]?|anywhere|where (?:is|are|does|do)|(?:which|what) (?:[\w-]+ ){0,3}(?:clauses|paragraphs|parts|resolutions))\b|提到|提及|引用|涉及|哪些地方|哪些条款|哪几条|哪些段|哪几段|哪些决议"
    # "all the bits on capacity building", "every paragraph that deals with SDOs", "所有讲到学术界的段落".
    r"|\b(?:all|every|each)\b (?:[\w-]+ ){0,2}(?:clauses?|paragraphs?|parts|bits|places|provisions|passages)\b|所有.{0,10}(?:条款|段落|地方)|凡是"
)
# "Does it mention…?", "有没有提到…": whether the text names something at all.
_ASKS_IF_MENTIONED = re.compile(
    r"\b(?:mention\w*|refer\w* to|by name|names?|named|talk\w* about|say\w* anything about)\b"
    r"|有没有(?:提到|提及|点名|说到|讲到|涉及)|是否(?:提到|提及|点名|涉及)|(?:提到|提及|点名|涉及)了?.{0,12}吗|点名"
)
# What a resolution itself decides: its instructions, requirements, measures (as opposed to its subject).
_ASKS_PROVISIONS = re.compile(
    r"\b(?:instruct\w*|requir\w*|oblig\w*|mandat\w*|measures?|steps|actions?|provisions?|resolves?|decide[sd]?"
    r"|tell\w* (?:\w+ ){0,3}to|ask\w* (?:\w+ ){0,3}to|call\w* (?:on|upon))\b"
    r"|要求|责成|做出了?(?:哪些)?决议|规定了|措施|举措|安排|行动|做什么|干什么|怎么做|做哪些|决定了|条款|步骤|流程|具体程序"
)
_ROLE = re.compile(r"\broles?\b|\bplay\b|\bpart (?:of|for)\b|\binvolve\w*|作用|角色|地位|参与")
# The asker speaking of themselves ("my company", "we're an LDC", 我们公司, 我国): a question from their side.
_ASKER = re.compile(r"\b(?:i|i'm|i've|we|we're|we've|my|our|ours|us|me)\b|我|咱|本公司|本单位|本校")
# "Which countries count as developing countries?", "其中的发展中国家具体指哪些国家？": the
# meaning of a marked term is its footnote's business.
_DEFINITION = re.compile(
    r"\bcounts? as\b|\bcounted as\b|\bdefin\w*|\bmeant by\b|\bwhat does [\w\s-]{2,40} mean\b|\bwho (?:are|is) meant\b"
    r"|具体指|指哪些|是指|指的是|定义|算作|算是|也算|算不算|包括哪些国家|包含哪些国家"
)
# "Which clause is it attached to?", "这个脚注标在哪一段？": where a footnote is marked.
_ANCHOR = re.compile(
    r"\battached\b|\bfootnote (?:to|of|for) (?:which|what)\b|\bwhich (?:clause|paragraph|part|text) (?:is it|does it|uses|marks|carries|has)\b"
    r"|附在|标在|挂在|标注在|加在|注的是哪|出自哪|哪一段的脚注|哪段的脚注|哪一段用|哪一段引用"
)
# A footnote question that also asks for the footnote's own words.
_ALSO_ITS_WORDS = re.compile(
    r"\b(?:and|also) what (?:does|do|is) (?:it|they|the (?:foot)?note) (?:say|says|define|defines|mean|means|list|lists|contain)\b"
    r"|\band what (?:it|they) (?:say|says|define|defines|mean|means)\b"
    r"|(?:，|,)\s*(?:它|脚注)?(?:的)?(?:说了什么|讲了什么|内容是(?:什么|啥)|是什么内容|定义了什么|指什么|说(?:了)?啥|写(?:了)?(?:什么|啥))"
)
# (what the question asks for, evidence a cited clause must contain to answer it)
FACT_TYPES = (
    (r"how much|budget|cost|funding|fund(?:s|ed)?\b|\bfees?\b|\bsalar(?:y|ies)\b|\bremuneration\b|预算|经费|资金|费用|多少钱|薪水|薪酬|工资|报酬", r"[0-9]+\s*(?:万|亿|美元|瑞郎|法郎|chf|usd|\$)|预算|经费|资金"),
    # A year something is due by ("targets Member States must hit by 2030", "到2030年要完成什么"): the text sets none.
    (r"deadline|due date|by when|by which year|by what year|截止|期限|之前完成|(?:哪一?年|什么时候|何时)之?前"
     r"|\bby (?:the end of )?(?:19|20)[0-9]{2}\b|到(?:19|20)[0-9]{2}年(?!议程)|(?:19|20)[0-9]{2}年(?:之前|以前|底前|前)", r"截止|期限|前完成|之前|[0-9]{4}年[0-9]+月[0-9]+日|deadline"),
    (r"复审|review(?:ed)?\b", r"复审|审议|审查|review"),
    # A bare 一 is the article ("一项战略目标": a strategic goal), not a count.
    (r"how many|多少(?:个|名|位|家|人|条|项|份|篇)|几(?:个国家|名|位|家)|数量",
     r"(?:[0-9０-９]+|[一二两三四五六七八九十百千]{2,}|[二两三四五六七八九十百千])\s*(?:个|名|家|国|项|members|countries|states)"),
    # Asking who holds a post, not speaking as a chairman ("As a study group chairman, what am I to deliver?"). A
    # post is a noun for a person, which ends the question: English ones end in -or/-eur ("who is the rapporteur
    # of RG-DT?", "who is the TSB Director?", not "who is the Director asked to work with?") or are the chair;
    # Chinese ones in 人, 长, 主席 or 主任 (报告人是谁, 谁是组长).
    (r"\bwho (?:chair(?:s|ed)|lead|leads|led|head(?:s|ed)?|(?:is|was) (?:the |its |their )?(?:[\w-]+ ){0,2}(?:chair\w*|\w{3,}(?:or|eur))(?: (?:of|for|in) [\w-]+(?: [\w-]+)?)?\W*$)"
     r"|\b(?:chairs|leads|heads) the\b|主席是|主席由|任主席|(?:人|长|主席|主任)是谁|谁是[^，。？?]{0,10}(?:人|长|主席|主任)(?![\u4e00-\u9fff])|谁担任"
     # Where the holder of a post comes from: "ITU-D第2研究组的主席来自哪个国家", "what nationality is the rapporteur".
     r"|(?:人|长|主席|主任)(?:来自|是)哪(?:个|一个)?(?:国|国家|里)|国籍|\bnationality\b"
     r"|\b(?:chair\w*|director|rapporteur|convenor|head)s? (?:\w+ ){0,4}(?:from|of) (?:which|what) (?:country|nation)\b"
     r"|\b(?:which|what) (?:country|nation) (?:is|are|does|do) (?:the |its )?(?:[\w-]+ ){0,3}(?:chair\w*|director|rapporteur|convenor|head)s?\b",
     r"主席|担任|牵头|chair"),
    (r"几次|多少次|how many times|how often|多久", r"每[0-9一二两三四五六七八九十]+年|[0-9一二两三四五六七八九十]+次|every \w+ years|times a year"),
    (r"penalt|sanction|punish|\bfine[sd]\b|\b(?:a|any|no) fine\b|处罚|惩罚|制裁", r"处罚|惩罚|制裁"),
    (r"expir|lapse|cease to apply|valid until|失效|过期|到期|有效期", r"失效|过期|到期|有效期|expir"),
    # A share or a rate asked for as a number ("what % of…", "普及率目标是多少"): the text states none.
    (r"percent|percentage|per cent|百分之|百分比|比例|%|\bwhat (?:share|proportion|rate)\b|率[^，。？?]{0,6}(?:多少|目标)",
     r"[0-9]\s*%|百分之|per cent|percent"),
    # National targets and the meeting something is due at: the text sets neither.
    (r"\b(?:national|country|domestic) (?:[a-z/-]+ ){0,3}(?:targets?|goals?)\b|国家(?:层面)?的?(?:目标|指标)|本国(?:的)?目标",
     r"国家目标|national (?:targets?|goals?)"),
    (r"\b(?:which|what) (?:[a-z/-]+ ){0,2}meeting\b|\bat which (?:[a-z/-]+ ){0,2}(?:meeting|session)\b|哪一?次[^，。？?]{0,8}(?<!全)会议|哪个会议",
     r"会议|全会|大会|meeting|session|assembly|conference"),
    # The next assembly's host or date is never in the text of this one.
    (r"\bnext (?:wtsa|wtdc|pp|plenipotentiary|assembly|meeting|session|conference)\b|下一届|下届|下一?次(?:全会|会议|开会)|下次.{0,6}(?:开|举行|召开)", r"下一届|下届|next (?:assembly|wtsa)"),
    # Legal force and the seat of the Union are facts about ITU, not in the text of a resolution.
    (r"\b(?:legally )?binding\b|\bmandatory\b|\bcompulsory\b|\blegal (?:force|effect|status)\b|约束力|强制性|法律效力",
     r"约束力|强制|法律效力|binding|mandatory|compulsory"),
    (r"\bheadquarter\w*|\bhq\b|\bseat of (?:the )?(?:itu|union)\b|总部|总部设在", r"总部|headquarter"),
    # Measures of progress: the text sets goals, never indicators.
    (r"\bkpis?\b|\bindicators?\b|\bmetrics?\b|\bbenchmarks?\b|\bmeasure[sd]? (?:the )?(?:progress|success)|指标|衡量|考核|评估标准"
     r"|\b(?:numeric(?:al)?|quantified|quantitative) (?:targets?|goals?)\b|量化目标|数量目标|目标[^，。？?]{0,6}多少",
     r"指标|衡量|考核|indicator|metric|kpi"),
    # Numbered Recommendations ("ITU-T L.1480"): the text speaks of Recommendations, never of one by number.
    (r"\brecommendation numbers?\b|\bnumbers? of (?:the |those |these )?recommendations\b|\b(?:give|list) their numbers\b|建议书.{0,6}编号",
     r"\b[a-z]\.[0-9]{2,}|编号"),
    # How the assembly voted is in its records, not in the text it adopted.
    (r"\bvot(?:e|ed|es|ing)\b|\babstain(?:ed)?\b|\bobject(?:ed|ions?)\b|(?<!as )\bopposed\b(?! to)|\b(?:co-?)?sponsor\w*|\bproposed by\b|\bwho (?:first )?(?:proposed|submitted|drafted)\b"
     r"|\bwhich (?:country|countries|administration|region) (?:\w+ ){0,3}(?:proposed|submitted|put forward)\b"
     r"|反对|赞成|投票|表决|弃权|提案国|提出的国家|哪些国家提出|哪个(?:国家|成员国|区域组织|组织).{0,10}(?:提出|提的|提案)",
     r"投票|表决|反对|赞成|弃权|提案|vot(?:e|ed|ing)|sponsor"),
    # A day of the month: the text dates things by year, or by month and year ("2023年6月").
    (r"\b(?:what|which|exact) (?:date|day)\b|\bon what day\b|哪一?天|几月几[日号]|具体日期|确切日期|日期是",
     r"[0-9]+\s*月\s*[0-9]+\s*[日号]|\b[0-9]{1,2} (?:january|february|march|april|may|june|july|august|september|october|november|december)\b"),
    # Who has joined a group: the text records that a group was set up, never its membership.
    (r"\b(?:which|what) (?:countries|members|administrations|companies|organi[sz]ations|states) (?:have |has )?(?:already )?joined\b"
     r"|哪些(?:国家|成员|公司|机构|单位)[^，。？?]{0,6}加入", r"加入|\bjoin"),
    # A web address: the text names the ITU global resource centre, never where it is online.
    (r"\burls?\b|\bwebsite\b|\bweb (?:address|page|site)\b|\bhyperlink\b|网址|网站|链接", r"https?://|www\.|网址"),
    # A lead study group: the text instructs the study groups together and names none to lead.
    (r"\blead (?:study )?group\b|\blead sgs?\b|\bleading study group\b|牵头研究组|主导研究组|哪个研究组(?:牵头|主导)",
     r"牵头研究组|主导研究组|lead study group"),
    # A person's name: the text names bodies and posts, never who holds them.
    (r"\bcurrent (?:director|chair\w*|secretary|head)\b"
     r"|\bwho(?:'s| is| was) the (?:[\w-]+ )?(?:director|secretary|head)(?: of (?:the )?[\w-]+(?: [\w-]+){0,3})?(?: (?:right )?now| currently| today| at present| at the moment)?\W*$|\bname of the (?:director|chair\w*|secretary|head)\b"
     r"|现任|叫什么名字|(?:主任|秘书长|主席)是谁|谁是.{0,12}(?:主任|秘书长|主席)",
     r"先生|女士|博士|\b(?:mr|ms|mrs|dr)\.? [a-z]"),
)

_DIGIT_TOKEN = re.compile(r"(?<![a-z0-9])(?=[a-z0-9.-]*[0-9])(?=[a-z0-9.-]*[a-z])[a-z0-9.-]{2,}(?![a-z0-9])")
_STUDY_GROUP_NUMBER = re.compile(r"\b(?:study group|sg)[\s-]*([0-9]{1,2})(?![0-9])|第\s*([0-9]{1,2})\s*研究组")
# An assembly and its year as delegates write them: "WTSA-24", "PP-22", "wtdc2022".
_ASSEMBLY_YEAR = re.compile(rf"({'|'.join(body.casefold() for body in ASSEMBLY_NAMES)})-?((?:20)?[0-9]{{2}})")
# A resolution number right after a body's name: "WTSA Res 106", "WTSA-24 Resolution 106", "WTSA第106号决议".
_RESOLUTION_AFTER = re.compile(r"[\s-]*(?:[0-9]{2,4}\s*)?(?:res(?:olution|\.)?\s*(?:no\.?\s*)?[0-9]+|第\s*[0-9]+\s*号决议)", re.IGNORECASE)


@dataclass(frozen=True)
class Asks:
    """The shapes of one question (each field: the pattern above of that name matches it)."""

    why: bool
    future: bool
    who_acts: bool  # who is tasked with something
    who_did: bool  # who set something up: a past act
    when_done: bool  # when something was set up: a past act
    any_task: bool
    either: bool  # topics joined by "or"
    list_mention: bool
    if_mentioned: bool
    provisions: bool
    role: bool
    asker: bool  # speaks of the asker ("my company", 我国)
    definition: bool
    anchor: bool
    also_its_words: bool
    # The evidence a cited clause must hold for each kind of fact asked ("预算" -> an amount), from FACT_TYPES.
    facts: tuple[str, ...] = ()


@lru_cache(maxsize=4096)
def read_asks(question: str) -> Asks:
    """Every shape of the question, read once (the patterns match its normalized form)."""
    norm = normalize(question)
    return Asks(
        why=bool(_ASKS_WHY.search(norm)),
        future=bool(_ASKS_FUTURE.search(norm)),
        who_acts=bool(_ASKS_WHO_ACTS.search(norm)),
        who_did=bool(_ASKS_WHO_DID.search(norm)),
        when_done=bool(_ASKS_WHEN_DONE.search(norm)),
        any_task=bool(_ANY_TASK.search(norm)),
        either=bool(_EITHER.search(norm)),
        list_mention=bool(_LIST_MENTION.search(norm)),
        if_mentioned=bool(_ASKS_IF_MENTIONED.search(norm)),
        provisions=bool(_ASKS_PROVISIONS.search(norm)),
        role=bool(_ROLE.search(norm)),
        asker=bool(_ASKER.search(norm)),
        definition=bool(_DEFINITION.search(norm)),
        anchor=bool(_ANCHOR.search(norm)),
        also_its_words=bool(_ALSO_ITS_WORDS.search(norm)),
        facts=tuple(evidence for pattern, evidence in FACT_TYPES if re.search(pattern, norm)),
    )


def without_who_words(text: str) -> str:
    """The text without the words a who-must-act question uses for its actors ("bodies", "机构")."""
    return _WHO_WORDS.sub(" ", text)


def without_this_text(text: str) -> str:
    """The text without the words naming the text itself ("在本决议中", "in this resolution")."""
    return _THIS_TEXT.sub(" ", text)


def without_provision_words(text: str) -> str:
    """The text without the words asking for what a resolution decides ("measures", "措施")."""
    return _ASKS_PROVISIONS.sub(" ", text)


def codes_named(question: str) -> list[str]:
    """The question's codes: words of letters and digits ("sg13", "wtsa-24", "l.1480"), lowercased."""
    return _DIGIT_TOKEN.findall(normalize(question))


def assembly_session(code: str) -> tuple[str, str]:
    """The assembly and the year of the session a code names ("wtsa-24" -> ("wtsa", "2024")), or ("", "")."""
    session = _ASSEMBLY_YEAR.fullmatch(code)
    return (session.group(1), "20" + session.group(2)[-2:]) if session else ("", "")


def is_study_group_code(code: str) -> bool:
    """Whether a code is a study group by number ("sg2", "sg-13")."""
    return bool(_STUDY_GROUP_NUMBER.fullmatch(code))


def study_group_numbers(question: str) -> list[str]:
    """The numbers of the study groups a question names ("ITU-D Study Group 1", "SG-13", "第3研究组")."""
    return [m.group(1) or m.group(2) for m in _STUDY_GROUP_NUMBER.finditer(normalize(question))]


def resolution_follows(question: str, at: int) -> bool:
    """Whether a resolution's number follows position `at` ("WTSA Res 106": after "WTSA")."""
    return bool(_RESOLUTION_AFTER.match(question, at))


def years_named(question: str) -> set[str]:
    """The years a question names ("2022", "1999")."""
    return set(re.findall(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])", normalize(question)))

