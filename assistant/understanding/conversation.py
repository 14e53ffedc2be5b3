"""Follow-up questions resolved against the conversation, by deterministic rules.

"那成员国呢？" after "研究组的任务是什么？" asks the same about Member States;
"and paragraph 2?" refers to the section last discussed.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

from corpus.actors import actor_mentions, without_actors
from assistant.understanding.asks import read_asks
from assistant.understanding.routing import IN_CONTEXT, NEXT_ITEM, ORDINAL_WORD, Route, route_question
from assistant.text import CJK, acronyms, content_terms, detect_language, normalize

_FOLLOWUP_EN = re.compile(
    r"^\s*(?:(?:ok|okay|so|right|alright|thanks|great|cool)\b[\s,.!]*)?(?:and|what about|how about|what of|same for|and for|and what about|also|then)\b|"
    # ("that group", "this clause" point back at any length: _POINTING_BACK.)
    r"\b(?:it|its|they|them|their|those|these|that one|this one|he|she|him|her)\b|"
    # "the one from the plenipot", "the ones on climate": one of what was just listed.
    r"\bthe (?:one|ones) (?:from|by|of|on|about|with|that|which|adopted|cited|recalled)\b|"
    # "when was that?", "who did that": "that" closing a short question is what was just said.
    r"\b(?:was|is|did|does|do|about|of) (?:that|this)\W*$"
)
# "that group", "these bodies": a demonstrative with a noun points back however long the question
# ("what does the resolution want done with that group going forward?"); a bare "it" may be the text.
_POINTING_BACK = re.compile(r"\b(?:that|this|those|these) (?:person|body|bodies|group|groups|office|official|officials|clause|paragraph)\b")
# A Chinese question without a subject ("是什么时候成立的？", "要和哪些机构协调？") leans on the last one.
_FOLLOWUP_ZH = re.compile(
    r"(?:呢[？?。!！\s]*$|^\s*(?:那|那么|还有|另外|其|该|这个|那个|这|他|她|是|要(?!求)|还要|也要|和|跟|与|同)|它|其中)"
)
# A Chinese question this short (in characters) naming nothing of the text leans on the last one.
SHORT_CHINESE = 8
# "Which clause says that?", "哪一条规定的？": where the last answer comes from, i.e. its citations.
_LOCATE = re.compile(
    r"^(?:so |and |but )?(?:(?:which|what) (?:clause|paragraph|part|section|item|provision|article|bit)s? "
    r"(?:say|says|said|state|states|mention|mentions|cover|covers|is (?:that|this|it) in|(?:does|did) (?:that|this|it) come from)"
    r"|where (?:does|did|is) (?:it|that|this) (?:say|says|said|stated|mentioned|written)|(?:source|citation|reference)s?)"
    r"(?: that| this| it| so)?\s*[?.!]*$|"
    r"^(?:这|那)?(?:是|个)?在?(?:哪一?(?:条|项|段|款|部分|句|节)|什么地方|哪里|出处|依据)(?:里|中)?"
    r"(?:规定|提到|说|写|讲|载|提及|来|出自)?(?:的|了)?[？?。]?$"
)


@dataclass(frozen=True)
class Turn:
    """A question made standalone, its route, and what its answer discussed."""

    question: str
    route: Route
    sections: tuple[str, ...] = ()  # sections of the clauses the answer cited
    cited: tuple[str, ...] = ()  # clause ids the answer cited
    before: tuple[str, ...] = ()  # clause ids the turn before it cited ("the other one" picks among them)
    # Clause ids the earlier answers of its chain of follow-ups cited: what the asker has already been shown.
    shown: tuple[str, ...] = ()


def is_followup(question: str) -> bool:
    """Short questions that lean on the previous one ("What about academia?", "那成员国呢？")."""
    norm = normalize(question)
    if _LOCATE.search(norm):
        return True
    route = route_question(question)
    if detect_language(question) == "zh":
        if bool(_FOLLOWUP_ZH.search(norm)) and len(norm) <= 30:
            return True
        # "谁成立的？", "啥时候？": a few characters naming nothing of the text (no actor, section,
        # paragraph, resolution or abbreviation) have no subject of their own.
        names = route.sections or route.items or route.actors or route.references or acronyms(question)
        if len(CJK.findall(norm)) <= SHORT_CHINESE and not names:
            return True
    elif bool(_FOLLOWUP_EN.search(norm)) and len(norm.split()) <= 10 or _POINTING_BACK.search(norm):
        return True
    # "What is the second one about?", "第三条讲了啥": a paragraph number with no section or
    # actor to belong to counts in what was just discussed.
    return bool(route.items) and not (route.sections or route.actors or route.references)


# Where a question may hold a second one: after a question mark, or at a comma or semicolon, a joining
# word after it ("…set up, and does the resolution say it should carry on?", "它是哪年成立的，决议对它后续有啥安排").
_PART_BREAK = re.compile(
    r"(?<=[?？])\s*(?:and|also|plus|then|那|还有|另外|以及)?\s*"
    r"|\s*[,，;；]\s*(?:(?:and|also|plus|then)\b|以及|还有|另外|并且|而且|那么?|同时)?\s*"
)
# What makes a part a question of its own: a question word (English: opening it; Chinese: anywhere in it).
_ASKS_EN = re.compile(
    r"^(?:what|what's|which|who|who's|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|should"
    r"|will|would|has|have|had|must)\b"
)
_ASKS_ZH = re.compile(r"什么|啥|哪|谁|吗|怎么|怎样|如何|多少|几[个年月项条段次点]|是否|有没有|是不是|为什么|为何")
MAX_PARTS = 3


def question_parts(question: str) -> tuple[str, ...]:
    """The questions one message asks, when it asks two or three, each a question of its own
    ("When was it set up, and does the resolution say it should carry on?"); else the message alone.

    A comma inside one question ("除了TSAG以外，还有谁…", "my country is in transition, does any of
    this apply to us") does not split it: every part must ask, with a question word of its own.

    >>> question_parts("When was RG-DT set up, and does the resolution say it should carry on?")
    ('When was RG-DT set up', 'does the resolution say it should carry on?')
    >>> question_parts("除了TSAG以外，还有哪些机构有任务？")
    ('除了TSAG以外，还有哪些机构有任务？',)
    """
    parts = [p.strip() for p in _PART_BREAK.split(question.strip()) if p and p.strip(" \t?？.。!！")]
    if not 2 <= len(parts) <= MAX_PARTS:
        return (question,)
    for part in parts:
        norm = normalize(part)
        if detect_language(part) == "zh":
            if len(CJK.findall(norm)) < 4 or not _ASKS_ZH.search(norm):
                return (question,)
        elif len(norm.split()) < 3 or not _ASKS_EN.search(norm):
            return (question,)
    return tuple(parts)


def parts_answered_apart(question: str) -> tuple[str, ...]:
    """The parts of a message that asks what was done and what is to come ("When was it set up, and does the
    resolution say it should carry on?"): the preamble records the one and the operative part decides the
    other, so no clause answers both. Else the message alone: splitting every message that asks two things
    lost more dev answers than it won (7 to 4: "标准出来以后怎么落地，有没有说要出配套的实施指南？" asks one
    thing twice)."""
    parts = question_parts(question)
    asks = [read_asks(part) for part in parts]
    if len(parts) > 1 and any(a.who_did or a.when_done for a in asks) and any(a.future for a in asks):
        return parts
    return (question,)


def chain_with(chain: tuple[str, ...], question: str) -> tuple[str, ...]:
    """The questions `question`'s turn depends on, given those of the turn before it.

    A question that stands alone starts a new chain: `resolve` ignores what came before it.
    """
    return (*chain, question) if chain and is_followup(question) else (question,)


class TurnMemory:
    """Recently answered turns by their `chain_with` key, so a follow-up does not redo earlier turns.

    Bounded (the least recently used turn goes first) and safe to share between threads;
    it belongs to one index, since a turn records the clauses its answer cited.

    >>> memory = TurnMemory(size=1024)
    >>> memory.put(("研究组的任务是什么？",), turn)
    >>> memory.get(("研究组的任务是什么？",)) is turn
    True
    """

    def __init__(self, *, size: int):
        self._size = size
        self._turns: OrderedDict[tuple[str, ...], Turn] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, chain: tuple[str, ...]) -> Turn | None:
        with self._lock:
            turn = self._turns.get(chain)
            if turn is not None:
                self._turns.move_to_end(chain)
            return turn

    def put(self, chain: tuple[str, ...], turn: Turn) -> None:
        with self._lock:
            self._turns[chain] = turn
            self._turns.move_to_end(chain)
            if len(self._turns) > self._size:
                self._turns.popitem(last=False)

    def __len__(self) -> int:
        return len(self._turns)


def _swap_actor(previous: Turn, question: str) -> str:
    """The previous question with its actor replaced by the one the follow-up names (or it added).

    The follow-up's own words are kept: "那成员国呢？" asks about Member States, not about the
    whole membership the actor's full name lists.
    """
    new_name = " ".join(dict.fromkeys(question[start:end] for start, end, _ in actor_mentions(question)))
    text = previous.question
    mentions = actor_mentions(text)
    if not mentions:
        return f"{text} {new_name}"
    start, end, _ = mentions[0]
    return f"{text[:start]}{new_name}{text[end:]}"


# Words that ask among what was just listed or cited.
_AMONG = re.compile(r"其中|当中|之中|这些|那些|这几|那几|哪一个|\b(?:of (?:them|those|these)|among|which one|either|each)\b")
_BARE_NUMBER = re.compile(r"^\D*?(?:第\s*)?(\d+)\s*(?:号)?\D*$")


# Words that only lead into a follow-up ("还有研究组呢").
_LEAD_INS = frozenset({"还有", "另外", "那么", "then", "also"})


def _own_words(question: str) -> list[str]:
    """The follow-up's words besides the actors it names and the words leading into it."""
    return [t for t in content_terms(without_actors(question)) if t not in _LEAD_INS]


def _swap_reference(previous: Turn, question: str) -> str | None:
    """The previous question about a resolution, asked about the one the follow-up numbers.

    "and 89?" after "what does res 44 deal with?" asks what Resolution 89 deals with; "那第73号呢"
    after "第44号决议是关于什么的？" the same of Resolution 73.
    """
    numbers = previous.route.references
    found = _BARE_NUMBER.match(normalize(question))
    if len(numbers) != 1 or found is None or found.group(1) == numbers[0]:
        return None
    swapped = re.sub(rf"(?<!\d){re.escape(numbers[0])}(?!\d)", found.group(1), previous.question, count=1)
    return swapped if swapped != previous.question else None


# "另一个呢？", "and the other one?": the one of a list not yet asked about; "the others", "其余的": the rest.
_OTHER_ONE = re.compile(r"另一个|另外一个|另一项|另一条|另一份|\bthe other(?: one| resolution| paragraph| clause| item)?\b(?!s)")
_THE_OTHERS = re.compile(r"其余|其他几|剩下的|\bthe others\b|\bthe other (?:ones|resolutions|paragraphs|clauses|items)\b|\bthe rest\b")


def resolve(question: str, previous: Turn | None) -> Turn:
    """The question made standalone against the previous turn (unchanged if it stands alone)."""
    turn = _resolve(question, previous)
    if previous is None:
        return turn
    shown = tuple(dict.fromkeys([*previous.shown, *previous.cited])) if is_followup(question) else ()
    return replace(turn, before=previous.cited, shown=shown)


def _the_others(question: str, previous: Turn) -> tuple[str, ...]:
    """For "the other one" after a question about one item of the list the turn before gave, the
    items of that list the previous answer did not cite: exactly one for "the other one", any for
    "the others"; none when the question asks neither."""
    norm = normalize(question)
    plural = bool(_THE_OTHERS.search(norm))
    if not (plural or _OTHER_ONE.search(norm)) or not set(previous.cited) & set(previous.before):
        return ()
    rest = tuple(cid for cid in previous.before if cid not in previous.cited)
    return rest if len(rest) == 1 or (plural and rest) else ()


def _resolve(question: str, previous: Turn | None) -> Turn:
    route = route_question(question)
    if previous is None or not is_followup(question):
        return Turn(question, route)
    if _LOCATE.search(normalize(question)) and not (route.sections or route.items or route.actors):
        return previous  # answered by the clauses the last answer cited
    others = _the_others(question, previous) if not (route.sections or route.items or route.actors or route.references) else ()
    if others:
        # "另一个呢？" after "决议忆及了WTDC哪些决议？" and "第89号决议是关于什么的？": recalling e.
        counted = tuple(f"{IN_CONTEXT}{n}" for n in range(1, len(others) + 1))
        return Turn(f"{previous.question} {question}", replace(route, items=counted, context=others))
    if route.actors and route.addressed and not route.items:
        return Turn(question, route)  # "and what is TSAG told to do?" names who and what: it stands alone
    swapped = _swap_reference(previous, question) if route.references or not (route.sections or route.items) else None
    if swapped is not None:
        return Turn(swapped, route_question(swapped))  # "那第89号呢？" after "第44号是关于什么的"
    if route.references and not route.items:
        return Turn(question, route)  # "其中第44号决议是关于什么的？" names the resolution it asks about
    # A number where the cited paragraphs are lettered ("那2呢？" after recalling b and d) counts too.
    lettered = bool(previous.cited) and all(not cited.rsplit("/", 1)[-1].isdigit() for cited in previous.cited)
    counts = ORDINAL_WORD.search(normalize(question)) or (lettered and all(item.isdigit() for item in route.items))
    # "And the fourth?" after "What is the second one about?" counts in the same list as the second.
    listed = previous.route.context if any(i.startswith(IN_CONTEXT) for i in previous.route.items) else previous.cited
    # "其中第二个…", "the second of those": asking among them counts in the list even when the
    # question names an actor or a section on the way ("其中第二个说了ITU-D哪个研究组？").
    asks_among = bool(_AMONG.search(normalize(question)))
    if route.items and len(listed) > 1 and counts and NEXT_ITEM not in route.items and (
        asks_among or not (route.sections or route.actors)
    ):
        # "What is the second one about?" after a list counts in the clauses the list cited.
        counted = tuple(f"{IN_CONTEXT}{item}" for item in route.items if item.lstrip("-").isdigit())
        if counted:
            return Turn(f"{previous.question} {question}", replace(route, items=counted, context=tuple(listed)))
    if NEXT_ITEM in route.items:
        return Turn(f"{previous.question} {question}", replace(route, context=previous.cited))
    if route.items and not route.sections and not route.actors:
        sections = previous.route.sections or previous.sections
        actors = previous.route.actors if not previous.route.sections else ()
        return Turn(
            f"{previous.question} {question}",
            replace(route, sections=tuple(sections), actors=tuple(actors)),
        )
    if route.actors and not route.items and _own_words(question):
        # "那决议让TSAG对它怎么处理？" after "RG-DT是什么时候成立的": the follow-up says what it asks
        # of the actor; the earlier question lends only the names its pronoun stands for.
        carried = [name for name in acronyms(previous.question) if not actor_mentions(name)]
        standalone = " ".join([question, *carried])
        return Turn(standalone, replace(route_question(standalone), actors=route.actors))
    if route.actors and not route.items:
        standalone = _swap_actor(previous, question)
        new_route = route_question(standalone)
        return Turn(
            standalone,
            replace(
                new_route,
                actors=route.actors,
                addressed=new_route.addressed or previous.route.addressed,
                wants_list=new_route.wants_list or previous.route.wants_list,
            ),
        )
    if route.sections or route.items:
        return Turn(question, route)
    # A follow-up on a topic ("其中…", "Who should they coordinate with?") stays with what was just
    # discussed: the previous route, or else the clauses the previous answer cited. Those clauses
    # hold it when it asks among them ("其中…", "which of those…"), when the previous question
    # numbered a resolution ("它是哪年通过的" after "第44号决议…"), or when it named nothing else.
    # When it named an abbreviation, that is what the pronoun points at: "它现在还要继续工作吗？"
    # after "RG-DT是谁成立的？" asks about RG-DT wherever the text says it, and carries "RG-DT",
    # not the previous question's other words ("谁成立的" would pull the clause on who set it up).
    among = bool(_AMONG.search(normalize(question)) or previous.route.references or not acronyms(previous.question))
    # A paragraph named by its number ("做出决议第4段讲什么？") is what "it" is next ("它特别点名了哪些群体？"):
    # the clauses that answer cited, not the whole section it is in.
    named_paragraph = bool(previous.route.items) and bool(previous.cited)
    context = previous.route if (previous.route.sections or previous.route.addressed) and not named_paragraph else replace(
        route, context=previous.cited if among or named_paragraph else ()
    )
    named = " ".join(acronyms(previous.question)) if not among else ""
    return Turn(f"{question} {named or previous.question}", replace(context, items=(), wants_list=route.wants_list))
