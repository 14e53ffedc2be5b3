"""A seeded generator of resolution-shaped texts in Chinese and English, for scale benchmarks.

Each file is one invented WTSA resolution laid out like the shipped one: an optional
foreword, the number line ("第1001号决议（2022年，日内瓦）" / "RESOLUTION 1001 (Geneva, 2022)"),
title, date and assembly lines, then real section headings (忆及 / recalling, 考虑到,
做出决议, 做出决议，责成电信标准化顾问组, 责成…研究组在其职权范围内, 请成员国…) with items
"a)<TAB>" and "1<TAB>", inline footnotes ("[footnoteRef:1]1" … "[1: 1<TAB>…]") and
cross-references such as 第71号决议（2022年，布加勒斯特，修订版）. Sentences are composed
from a vocabulary of ITU phrases, so BM25 and the embedder see realistic term statistics.

Documents alternate Chinese (even) and English (odd). Document i depends only on
(seed, i), so the corpus of 1,000 clauses is a prefix of the one of 100,000, except
its last document, which is cut to hit the exact clause count.

    python -m benchmarks.synthetic /tmp/syn --clauses 10000

Every file starts with a line saying it is not an official ITU text.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass
from pathlib import Path

from corpus.clause import Clause
from corpus.parse import parse_file

NOTICE = {
    "zh": "非国际电联正式文本——基准测试用合成语料，内容为虚构。",
    "en": "NOT AN OFFICIAL ITU TEXT — synthetic benchmark corpus; the wording is invented.",
}
# WTSA sessions: year, venue in Chinese, venue in English.
SESSIONS = (
    ("2000", "蒙特利尔", "Montreal"),
    ("2004", "弗洛里亚诺波利斯", "Florianópolis"),
    ("2008", "约翰内斯堡", "Johannesburg"),
    ("2012", "迪拜", "Dubai"),
    ("2016", "哈马马特", "Hammamet"),
    ("2022", "日内瓦", "Geneva"),
    ("2024", "新德里", "New Delhi"),
)
# Bodies that adopt the resolutions a text recalls: Chinese, English, its own venues.
BODIES = (
    ("全权代表大会", "the Plenipotentiary Conference", (("2018", "迪拜", "Dubai"), ("2022", "布加勒斯特", "Bucharest"))),
    ("世界电信发展大会（WTDC）", "the World Telecommunication Development Conference",
     (("2017", "布宜诺斯艾利斯", "Buenos Aires"), ("2022", "基加利", "Kigali"))),
    ("本届全会", "this assembly", ()),
    ("无线电通信全会", "the Radiocommunication Assembly", (("2019", "沙姆沙伊赫", "Sharm el-Sheikh"), ("2023", "迪拜", "Dubai"))),
)
# (Chinese, English) topics: what resolutions are about.
TOPICS = (
    ("可持续数字化转型", "sustainable digital transformation"),
    ("人工智能", "artificial intelligence"),
    ("网络安全", "cybersecurity"),
    ("物联网及其在智慧城市和社区中的应用", "the Internet of things and its applications in smart cities and communities"),
    ("IMT-2020及其后续系统", "IMT-2020 and beyond"),
    ("量子信息技术", "quantum information technologies"),
    ("数字金融服务", "digital financial services"),
    ("应急通信和灾害救援", "emergency telecommunications and disaster relief"),
    ("信息通信技术无障碍获取", "accessibility of information and communication technologies"),
    ("信息通信技术、环境、气候变化和循环经济", "ICTs, the environment, climate change and the circular economy"),
    ("电子废物管理", "e-waste management"),
    ("缩小发展中国家与发达国家之间标准化工作差距", "bridging the standardization gap between developing and developed countries"),
    ("一致性和互操作性", "conformance and interoperability"),
    ("数字身份", "digital identity"),
    ("分布式账本技术", "distributed ledger technologies"),
    ("智能交通系统和车联网", "intelligent transport systems and connected vehicles"),
    ("光纤接入网络", "optical fibre access networks"),
    ("号码、命名、寻址和识别资源", "numbering, naming, addressing and identification resources"),
    ("开源软件在标准化中的作用", "the role of open source in standardization"),
    ("个人数据保护和隐私", "personal data protection and privacy"),
    ("电信/ICT的资费和核算原则", "tariff and accounting principles for telecommunications/ICTs"),
    ("服务质量和体验质量", "quality of service and quality of experience"),
    ("电磁场对人类的影响", "human exposure to electromagnetic fields"),
    ("数字健康", "digital health"),
    ("多媒体和视频编码", "multimedia and video coding"),
    ("未来网络和网络演进", "future networks and network evolution"),
    ("卫星与地面网络的融合", "the convergence of satellite and terrestrial networks"),
    ("打击假冒信息通信技术设备", "combating counterfeit ICT devices"),
    ("儿童在线保护", "child online protection"),
    ("性别平等和妇女参与标准化", "gender equality and the participation of women in standardization"),
)
# (Chinese, English) goals, completing "so as to …".
GOALS = (
    ("促进《2030年可持续发展议程》的落实", "support the implementation of the 2030 Agenda for Sustainable Development"),
    ("实现资源的高效利用并避免重复工作", "use resources efficiently and avoid duplication of work"),
    ("协助发展中国家开展能力建设", "assist developing countries in capacity building"),
    ("推动信息社会世界峰会（WSIS）成果的落实", "advance the implementation of the WSIS outcomes"),
    ("加强国际电联全球资源中心的作用", "strengthen the role of the ITU global resource centre"),
    ("确保网络和服务的安全与可靠", "ensure that networks and services are secure and reliable"),
    ("扩大所有利益攸关方的参与", "broaden the participation of all stakeholders"),
    ("就相关标准化问题寻求共识", "seek consensus on the related standardization issues"),
)
# (Chinese, English) sentence frames per section; {t} topic, {g} goal, {r} cross-reference.
RECALLING = (
    ("{r}批准的《国际电联战略规划》规定，{t}是国际电联的一项战略目标；",
     "{r}, approving the strategic plan of the Union, under which {t} is a strategic goal of ITU;"),
    ("{r}关于{t}的规定；", "{r}, on {t};"),
    ("{r}描述了国际电联在{t}方面的作用，并指出ITU-T研究组应{g}；",
     "{r}, which describes the role of ITU in {t} and states that ITU-T study groups should {g};"),
)
CONSIDERING = (
    ("{t}是朝着可持续发展取得进展的一种关键推动力，国际电联电信标准化部门（ITU-T）的工作须考虑到这一点；",
     "that {t} is a key enabler of progress towards sustainable development, which the work of the ITU "
     "Telecommunication Standardization Sector (ITU-T) must take into account;"),
    ("有必要快速制定高质量、以需求为导向、可互操作的有关{t}的ITU-T建议书，以便{g}；",
     "that there is a need to develop, rapidly, high-quality, demand-driven and interoperable ITU-T "
     "Recommendations on {t}, in order to {g};"),
    ("还有必要扩大标准制定组织（SDO）之间在{t}方面的合作，以{g}；",
     "that it is also necessary to expand cooperation among standards development organizations (SDOs) "
     "on {t}, in order to {g};"),
)
NOTING = (
    ("电信标准化顾问组于{y}年成立了{t}报告人组，", "that TSAG established a rapporteur group on {t} in {y},"),
    ("ITU-T各研究组在{t}方面已开展了大量工作，", "that ITU-T study groups have carried out extensive work on {t},"),
)
BEARING = (
    ("ITU-T成员可通过制定和应用有关{t}的ITU-T建议书从中受益；",
     "that ITU-T members can benefit from developing and applying ITU-T Recommendations on {t};"),
    ("需要与ITU-D研究组密切协调和协作，以{g}；",
     "the need for close coordination and collaboration with ITU-D study groups in order to {g};"),
)
RESOLVES = (
    ("有效整合ITU-T制定的有关{t}的导则、建议书、技术报告和最佳做法，以{g}；",
     "to integrate effectively the guidelines, Recommendations, technical reports and best practices on {t} "
     "developed by ITU-T, in order to {g};"),
    ("促进国际电联内部以及与其它相关利益攸关方在{t}方面的合作与协作，以{g}；",
     "to promote cooperation and collaboration on {t} within ITU and with other relevant stakeholders, "
     "in order to {g};"),
    ("鼓励成员，特别是学术界和发展中国家参与ITU-T有关{t}的活动；",
     "to encourage members, in particular academia and developing countries, to participate in ITU-T "
     "activities on {t};"),
)
TSAG = (
    ("采取一切必要措施，促进和加强有关{t}的标准化活动，以{g}，",
     "to take all necessary measures to promote and strengthen standardization activities on {t}, in order to {g},"),
)
TSB = (
    ("向发展中国家提供帮助，以加强{t}方面的能力建设，包括通过与学术界和其它利益攸关方开展协作，",
     "to provide assistance to developing countries in building capacity on {t}, including through "
     "collaboration with academia and other stakeholders,"),
)
STUDY_GROUPS = (
    ("制定有关{t}的ITU-T建议书、导则和最佳做法，以{g}；",
     "to develop ITU-T Recommendations, guidelines and best practices on {t}, in order to {g};"),
    ("与国际电联内部的其它组、经认可的SDO和主要负责{t}的机构进行协调与协作；",
     "to coordinate and collaborate with other groups within ITU, recognized SDOs and the bodies mainly "
     "responsible for {t};"),
)
MEMBERS = (
    ("为与{t}相关的ITU-T建议书、导则和最佳做法的研究和制定做出贡献。",
     "to contribute to the study and development of ITU-T Recommendations, guidelines and best practices "
     "related to {t}."),
)
# Section: Chinese heading, English heading, frames, labels ("a" letters, "1" numbers, "" one paragraph), max items.
SECTIONS = (
    ("忆及", "recalling", RECALLING, "a", 5),
    ("考虑到", "considering", CONSIDERING, "a", 4),
    ("进一步考虑到", "considering further", CONSIDERING, "", 1),
    ("注意到", "noting", NOTING, "", 1),
    ("顾及", "bearing in mind", BEARING, "a", 3),
    ("做出决议", "resolves", RESOLVES, "1", 5),
    ("做出决议，责成电信标准化顾问组", "resolves to instruct the Telecommunication Standardization Advisory Group", TSAG, "", 1),
    ("做出决议，责成电信标准化局主任",
     "resolves to instruct the Director of the Telecommunication Standardization Bureau", TSB, "", 1),
    ("责成国际电联电信标准化部门研究组在其职权范围内", "instructs ITU-T study groups, within their mandates",
     STUDY_GROUPS, "1", 4),
    ("请成员国、部门成员、部门准成员和学术成员", "invites Member States, Sector Members, Associates and Academia",
     MEMBERS, "", 1),
)
FOOTNOTE = {
    "zh": ("发展中国家", "这些国家包括最不发达国家、小岛屿发展中国家、内陆发展中国家和经济转型国家。"),
    "en": ("developing countries", "These include the least developed countries, small island developing states, "
           "landlocked developing countries and countries with economies in transition."),
}
FOREWORD = {
    "zh": ("前言", (
        "国际电信联盟（ITU）是从事电信领域工作的联合国专门机构。ITU-T是国际电联的常设机构，负责研究技术、操作和资费问题。",
        "每四年一届的世界电信标准化全会（WTSA）确定ITU-T各研究组的课题，再由各研究组制定有关{t}等课题的建议书。",
    )),
    "en": ("FOREWORD", (
        "The International Telecommunication Union (ITU) is the United Nations specialized agency in the field of "
        "telecommunications. ITU-T is a permanent organ of ITU responsible for studying technical, operating and "
        "tariff questions.",
        "The World Telecommunication Standardization Assembly (WTSA), which meets every four years, establishes the "
        "topics for study by the ITU-T study groups, including {t}.",
    )),
}
_FIRST_NUMBER = 1001


@dataclass(frozen=True)
class SyntheticCorpus:
    """A folder of generated resolutions, with the clauses it must parse into."""

    folder: Path
    documents: int
    clauses: int  # as planned by the generator
    seed: int


def write_corpus(folder: str | Path, clauses: int, *, seed: int = 106) -> SyntheticCorpus:
    """Write resolutions into `folder` until they hold exactly `clauses` clauses."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    left, index = clauses, 0
    while left > 0:
        language = "zh" if index % 2 == 0 else "en"
        text, count = _document(random.Random(f"{seed}:{index}"), index, language, budget=left)
        (folder / f"syn-{index:05d}-{language}.txt").write_text(text, encoding="utf-8")
        left -= count
        index += 1
    return SyntheticCorpus(folder=folder, documents=index, clauses=clauses, seed=seed)


def synthetic_clauses(folder: str | Path, clauses: int, *, seed: int = 106) -> list[Clause]:
    """Generate, parse and check a corpus: exactly `clauses` clauses and no parser warnings."""
    corpus = write_corpus(folder, clauses, seed=seed)
    parsed = [parse_file(path) for path in sorted(corpus.folder.glob("syn-*.txt"))]
    problems = [warning for document in parsed for warning in document.warnings]
    if problems:
        raise ValueError(f"the synthetic corpus parses with {len(problems)} warnings, e.g. {problems[0]}")
    # Each document's title block is a clause too; the sizes planned count the paragraphs.
    found = [clause for document in parsed for clause in document.clauses if clause.kind != "title"]
    if len(found) != corpus.clauses:
        raise ValueError(f"the synthetic corpus parses into {len(found)} clauses; {corpus.clauses} were written")
    return found


def _document(rng: random.Random, index: int, language: str, *, budget: int) -> tuple[str, int]:
    """The text of document `index` and its clause count (at most `budget`)."""
    zh = language == "zh"
    topic = rng.choice(TOPICS)
    year, place_zh, place_en = rng.choice(SESSIONS)
    number = _FIRST_NUMBER + index
    lines = [NOTICE[language]]
    count = 0
    if rng.random() < 0.5 and budget >= 6:
        heading, paragraphs = FOREWORD[language]
        lines.append(heading)
        lines.extend(p.format(t=topic[0 if zh else 1]) for p in paragraphs)
        count += len(paragraphs)
    if zh:
        lines += [f" 第{number}号决议（{year}年，{place_zh}）", f"加强{topic[0]}方面的标准化活动",
                  f"（{year}年，{place_zh}）", f"世界电信标准化全会（{year}年，{place_zh}），"]
    else:
        lines += [f" RESOLUTION {number} ({place_en}, {year})", f"Enhancing standardization activities for {topic[1]}",
                  f"({place_en}, {year})", f"The World Telecommunication Standardization Assembly ({place_en}, {year}),"]
    footnote = rng.random() < 0.3 and budget - count >= 3
    if footnote:
        count += 1
    for heading_zh, heading_en, frames, labels, most in _sections(rng):
        room = budget - count
        if room <= 0:
            break
        items = min(room, 1 if not labels else rng.randint(2 if most > 1 else 1, most))
        lines.append(heading_zh if zh else heading_en)
        for i in range(items):
            sentence = _sentence(rng, frames, topic, language)
            if footnote and labels == "a":
                word, body = FOOTNOTE[language]
                sentence = sentence.replace(word, f"{word}[footnoteRef:1]1", 1) if word in sentence else (
                    f"{sentence[:-1]}（{word}[footnoteRef:1]1）{sentence[-1]}" if zh
                    else f"{sentence[:-1]} ({word}[footnoteRef:1]1){sentence[-1]}"
                )
                sentence += f" [1: 1\t{body}]"
                footnote = False
            lines.append(f"{_label(labels, i)}\t{sentence}" if labels else sentence)
        count += items
    if footnote:  # no lettered section was drawn: the reserved footnote clause is not written
        count -= 1
    return "\n".join(lines) + "\n", count


def _sections(rng: random.Random) -> list[tuple]:
    """A document's sections in canonical order: "resolves" always, the others by chance."""
    return [s for s in SECTIONS if s[1] == "resolves" or rng.random() < 0.6]


def _label(labels: str, i: int) -> str:
    return f"{chr(ord('a') + i)})" if labels == "a" else str(i + 1)


def _sentence(rng: random.Random, frames: tuple, topic: tuple[str, str], language: str) -> str:
    """One item: a frame filled with the document's topic (or, now and then, another), a goal and a reference."""
    side = 0 if language == "zh" else 1
    subject = topic if rng.random() < 0.6 else rng.choice(TOPICS)
    return rng.choice(frames)[side].format(
        t=subject[side], g=rng.choice(GOALS)[side], r=_reference(rng, language), y=rng.choice(SESSIONS)[0]
    )


def _reference(rng: random.Random, language: str) -> str:
    """A cross-reference such as "全权代表大会第71号决议（2022年，布加勒斯特，修订版）"."""
    body_zh, body_en, venues = rng.choice(BODIES)
    year, place_zh, place_en = rng.choice(venues or SESSIONS[-2:])
    number, revised = rng.randint(1, 210), rng.random() < 0.5
    if language == "zh":
        return f"{body_zh}第{number}号决议（{year}年，{place_zh}{'，修订版' if revised else ''}）"
    return f"Resolution {number} ({'Rev. ' if revised else ''}{place_en}, {year}) of {body_en}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic corpus of resolution-shaped texts and check it parses.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--clauses", type=int, default=10_000, help="exact number of clauses (default 10000)")
    parser.add_argument("--seed", type=int, default=106)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    found = synthetic_clauses(args.folder, args.clauses, seed=args.seed)
    files = len(list(args.folder.glob("syn-*.txt")))
    print(f"{len(found)} clauses in {files} files in {args.folder} ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
