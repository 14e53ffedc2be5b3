"""Hand-made clauses and documents for the in-process app tests (one Chinese resolution with English versions), and `run`."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from assistant.types import Clause, Document

DOC = "res-test"
NAMES = {"en": "Resolution 1 (Geneva, 2024)", "zh": "第1号决议（2024年，日内瓦）"}


def clause(section: str, item: str, text: str, *, english: str = "", official: bool = False, heading: str = "做出决议",
           actor: str = "", order: int = 0) -> Clause:
    en_section = {"resolves": "resolves", "resolves-to-instruct-tsag": "resolves to instruct TSAG"}[section]
    zh_section = {"resolves": "做出决议", "resolves-to-instruct-tsag": "做出决议，责成电信标准化顾问组"}[section]
    return Clause(
        id=f"{DOC}/{section}/{item}", document=DOC, section=section, item=item, kind="operative", text=text,
        language="zh", heading=heading, actor=actor, order=order,
        labels={"en": f"{NAMES['en']}, {en_section} {item}", "zh": f"{NAMES['zh']}{zh_section} 第{item}段"},
        versions={"en": {"text": english, "official": official}} if english else {},
    )


CLAUSES = (
    clause("resolves", "1", "加强能力建设，支持发展中国家。", english="to strengthen capacity building, supporting developing countries;", order=0),
    clause("resolves", "2", "鼓励成员参与相关活动。", order=1),
    clause("resolves-to-instruct-tsag", "1", "采取一切必要措施，延续RG-DT的工作。", heading="做出决议，责成电信标准化顾问组",
           english="to take all necessary measures, continuing the work of RG-DT", official=True, actor="tsag", order=2),
)
SECTIONS = {
    "resolves": {"en": "resolves", "zh": "做出决议"},
    "resolves-to-instruct-tsag": {"en": "resolves to instruct TSAG", "zh": "做出决议，责成电信标准化顾问组"},
}
DOCUMENTS = (Document(DOC, NAMES, {"zh": "测试决议", "en": "A test resolution"}, CLAUSES, SECTIONS),)


def run(coroutine):
    """The coroutine's result, from an event loop of its own (a browser test may leave one running here)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
