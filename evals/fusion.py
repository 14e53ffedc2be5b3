"""How well each weighting of the search's similarity signals ranks the gold clause first.

`python -m evals.fusion evals/dev.jsonl evals/test.jsonl …` searches every answerable,
single-turn question of the kinds a ranking alone answers (lookup, paraphrase, purpose) once,
keeps each clause's rank in every signal, and re-fuses those ranks under each weighting of a grid
(reciprocal rank fusion, as `assistant.search` does): the share of questions whose first clause is a
gold one, per language, for the shipped weights, the best weights of each language on all files,
and leave-one-file-out (the weights chosen on the other files, scored on the one left out).
It is how `WEIGHTS` and `RRF_K` in `assistant/search.py` were set; it reads gold files, so the files it
reads are dev sets from then on.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from assistant.search import RRF_K, WEIGHTS, WEIGHTS_WITH_GISTS

RANKED_TYPES = ("lookup", "paraphrase", "purpose")
# The signals weighed against "dense" (held at 1) and "route" (the question's own words: 2).
TUNED = ("lexical", "version-dense", "version", "dictionary", "gist", "gist-dense")
GRID = (0.25, 0.5, 1.0, 2.0, 3.0)
# The fusion's k: how much a first place outweighs a tenth (1/(k+1) against 1/(k+10)). It was chosen
# from (5, 10, 20, 30, 60) before the gists came (10 in 15 of 17 folds); with six tuned signals a grid
# over k too would take minutes, so `--k` scores another one.
K_GRID = (RRF_K,)


def shipped(language: str) -> Mapping[str, float]:
    """The weights the search uses for a question in `language` (the shipped corpus has gists)."""
    return WEIGHTS_WITH_GISTS.get(language, WEIGHTS)


@dataclass(frozen=True)
class Ranked:
    """One question's candidates: per clause, its rank in each signal and the search's tie-breakers."""

    source: str  # the gold file it came from
    lang: str
    gold: frozenset[str]
    ranks: tuple[tuple[str, Mapping[str, int], tuple], ...]  # (clause id, {signal: rank from 0}, tie-break key)


@dataclass(frozen=True)
class Fusion:
    """One way to fuse the signals: a weight per signal and the k of reciprocal rank fusion."""

    weights: Mapping[str, float]
    k: int = RRF_K


def first(question: Ranked, weights: Mapping[str, float], *, k: int = RRF_K) -> str:
    """The clause the weights put first: reciprocal rank fusion, ties broken as the search breaks them.

    >>> q = Ranked("f", "en", frozenset({"b"}), (("a", {"dense": 0}, (0,)), ("b", {"dense": 1, "lexical": 0}, (1,))))
    >>> first(q, {"dense": 1.0, "lexical": 1.0}), first(q, {"dense": 1.0, "lexical": 0.0})
    ('b', 'a')
    """
    def key(candidate):
        cid, ranks, tie = candidate
        score = sum(weights.get(name, 1.0) / (k + rank + 1) for name, rank in ranks.items())
        return (-round(score, 12), *tie)

    return min(question.ranks, key=key)[0]


def top1(questions: Sequence[Ranked], weights: Mapping[str, float] | None, *, k: int = RRF_K) -> Counter:
    """Per language, how many questions have a gold clause first (with no weights: as shipped)."""
    hits = Counter()
    for q in questions:
        hits[q.lang] += first(q, shipped(q.lang) if weights is None else weights, k=k) in q.gold
    return hits


def grid() -> list[Fusion]:
    """Every weighting of the tuned signals (the others as shipped), at every k."""
    return [
        Fusion({**WEIGHTS, **dict(zip(TUNED, values))}, k)
        for k in K_GRID for values in itertools.product(GRID, repeat=len(TUNED))
    ]


def gold_first(questions: Sequence[Ranked], candidates: Sequence[Fusion]) -> np.ndarray:
    """A (candidate, question) table: whether that fusion puts a gold clause first (as `first` decides).

    The ranks are stacked once into arrays, so a grid of thousands of fusions over every question
    of the dev files takes seconds rather than the hour one `first` at a time would.
    """
    signals = sorted({name for q in questions for _, ranks, _ in q.ranks for name in ranks})
    width = max(len(q.ranks) for q in questions)
    # Candidates in tie-break order: the first of equal scores is the one the search returns.
    ordered = [sorted(q.ranks, key=lambda c: tuple(c[2])) for q in questions]
    rank = np.full((len(questions), width, len(signals)), np.inf)
    valid = np.zeros((len(questions), width), dtype=bool)
    gold = np.zeros((len(questions), width), dtype=bool)
    for row, (q, entries) in enumerate(zip(questions, ordered)):
        for column, (cid, ranks, _) in enumerate(entries):
            valid[row, column], gold[row, column] = True, cid in q.gold
            for name, place in ranks.items():
                rank[row, column, signals.index(name)] = place
    table = np.zeros((len(candidates), len(questions)), dtype=bool)
    rows = np.arange(len(questions))
    for index, fusion in enumerate(candidates):
        weight = np.array([fusion.weights.get(name, 1.0) for name in signals])
        score = np.round((weight / (fusion.k + rank + 1)).sum(axis=2), 12)
        score[~valid] = -1.0
        table[index] = gold[rows, score.argmax(axis=1)]
    return table


def best(questions: Sequence[Ranked], candidates: Sequence[Fusion], table: np.ndarray | None = None) -> Fusion:
    """The fusion with the most gold-first questions (the first of equals, in grid order)."""
    table = gold_first(questions, candidates) if table is None else table
    return candidates[int(table.sum(axis=1).argmax())]


def collect(paths: Sequence[Path]) -> list[Ranked]:
    """Search each ranked-kind question of the gold files once (the bundled model and corpus)."""
    from assistant.core import Assistant
    from assistant.settings import Settings, use_offline_environment
    from evals.gold import load_gold

    use_offline_environment()
    assistant = Assistant(Settings.from_env())
    assistant.load()
    search = assistant._load().search
    position = {c.id: i for i, c in enumerate(assistant.clauses)}
    questions = []
    for path in paths:
        for case in load_gold(path, assistant.clauses):
            if not case.answerable or case.history or case.type not in RANKED_TYPES:
                continue
            turn = assistant.prepare(case.question).turn
            hits = search.search(turn.question, turn.route, k=len(position))
            candidates = tuple(
                (h.clause.id, dict(h.ranks), (-h.lexical, -h.similarity, position[h.clause.id]))
                for h in hits
            )
            questions.append(Ranked(path.name, case.lang, frozenset(case.gold), candidates))
    return questions


def _weights(text: str) -> dict[str, float]:
    """`--weights`: a JSON object of signal names (those of WEIGHTS) and numbers."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or any(k not in WEIGHTS or isinstance(v, bool) or not isinstance(v, (int, float))
                                         for k, v in data.items()):
        raise argparse.ArgumentTypeError(f"an object of numbers by signal name, among {', '.join(WEIGHTS)}")
    return {k: float(v) for k, v in data.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.fusion", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold", nargs="+", type=Path, help="gold files (JSONL); two or more for leave-one-file-out")
    parser.add_argument("--weights", metavar="JSON", type=_weights, default={},
                        help="also score these weights over the shipped ones, e.g. '{\"version-dense\": 0.5, \"dictionary\": 1}'")
    parser.add_argument("--k", type=int, default=RRF_K, metavar="K",
                        help="the fusion's k for --weights (default: the shipped %(default)s)")
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error(f"--k must be a positive whole number, not {args.k}")
    missing = [str(p) for p in args.gold if not p.is_file()]
    if missing:
        print(f"error: no such gold file: {', '.join(missing)}", file=sys.stderr)
        return 2
    questions = collect(args.gold)
    if not questions:
        print("error: no answerable single-turn lookup, paraphrase or purpose question in those files", file=sys.stderr)
        return 2
    counts = Counter(q.lang for q in questions)
    candidates = grid()

    def row(name: str, hits: Counter) -> None:
        cells = "  ".join(f"{lang} {hits[lang]}/{counts[lang]} ({hits[lang] / counts[lang]:.3f})" for lang in sorted(counts))
        print(f"{name:<22}{cells}")

    row(f"shipped (k={RRF_K})", top1(questions, None))
    if args.weights or args.k != RRF_K:
        row(f"--weights (k={args.k})", top1(questions, {**WEIGHTS, **args.weights}, k=args.k))
    # Each language chooses its own weights, as the search uses them.
    chosen, best_hits, held_out = {}, Counter(), Counter()
    for lang in sorted(counts):
        asked = [q for q in questions if q.lang == lang]
        table = gold_first(asked, candidates)
        chosen[lang] = best(asked, candidates, table)
        best_hits.update(top1(asked, chosen[lang].weights))
        sources = sorted({q.source for q in asked})
        for source in sources if len(sources) > 1 else ():
            inside = np.array([q.source == source for q in asked])
            fusion = candidates[int(table[:, ~inside].sum(axis=1).argmax())]
            held_out.update(top1([q for q in asked if q.source == source], fusion.weights, k=fusion.k))
    row("best per language", best_hits)
    if held_out:
        row("leave-one-file-out", held_out)
    for lang, fusion in chosen.items():
        print(f"best for {lang}: k={fusion.k}, weights", {name: fusion.weights[name] for name in TUNED})
    return 0


if __name__ == "__main__":
    sys.exit(main())
