"""Which answers changed between two runs of `resolution-assistant eval`, and whether for the better.

    python -m evals.changes BEFORE AFTER [--cases]

BEFORE and AFTER are the `--out` folders of two runs (each holding a results.json), or two folders of such
folders, matched by name (one per gold file). A case changed when it cites other clauses or abstains where it
answered (or the reverse); it is better or worse by its score: its citation F1, or, for a question the text
cannot answer, 1 when it abstained and 0 when it answered. By default only the counts are printed, which keeps
a blind set blind; `--cases` lists each changed case with its question (for dev sets only).

The batches' "won N, lost M" in the README come from this: `resolution-assistant eval --gold FILE --out
runs/BEFORE/NAME` at each commit, for each gold file, then `python -m evals.changes runs/BEFORE runs/AFTER`.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from evals.report import PRODUCT

RESULTS = "results.json"


@dataclass(frozen=True)
class Changes:
    """The changed cases of one gold file: (case id, score before, score after, question) each."""

    name: str
    cases: tuple[tuple[str, float, float, str], ...]
    compared: int

    @property
    def better(self) -> int:
        return sum(after > before for _, before, after, _ in self.cases)

    @property
    def worse(self) -> int:
        return sum(after < before for _, before, after, _ in self.cases)


def _score(case: dict) -> float:
    f1 = case["scores"].get("citation_f1")
    if f1 is None:  # a question the text cannot answer: right when it abstained
        return 1.0 if case["abstained"] else 0.0
    return f1


def _cases(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        cases = data["configurations"][PRODUCT]["cases"]
        return {case["case_id"]: case for case in cases}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SystemExit(f"error: {path} is not the results.json of an eval run ({error.__class__.__name__}: {error})") from None


def compare(before: Path, after: Path, name: str = "") -> Changes:
    """The changed cases between two results.json files."""
    old, new = _cases(before), _cases(after)
    shared = [cid for cid in new if cid in old]
    changed = tuple(
        (cid, _score(old[cid]), _score(new[cid]), new[cid].get("question", ""))
        for cid in shared
        if old[cid]["cited"] != new[cid]["cited"] or old[cid]["abstained"] != new[cid]["abstained"]
    )
    return Changes(name or after.parent.name, changed, len(shared))


def pairs(before: Path, after: Path) -> list[tuple[str, Path, Path]]:
    """(name, before's results.json, after's) for two run folders, or for each run both folders of runs hold."""
    if (after / RESULTS).is_file():
        return [(after.name, before / RESULTS, after / RESULTS)]
    names = sorted(p.name for p in after.iterdir() if (p / RESULTS).is_file()) if after.is_dir() else []
    found = [(n, before / n / RESULTS, after / n / RESULTS) for n in names if (before / n / RESULTS).is_file()]
    if not found:
        raise SystemExit(f"error: no run of the same gold file in both {before} and {after} (each needs a {RESULTS})")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evals.changes",
        description="Count the answers that changed between two eval runs, and how many got better or worse.",
        epilog="Example: python -m evals.changes runs/before runs/after",
    )
    parser.add_argument("before", type=Path, help="the earlier run's --out folder (or a folder of them)")
    parser.add_argument("after", type=Path, help="the later run's --out folder (or a folder of them)")
    parser.add_argument("--cases", action="store_true", help="also list each changed case and its question (not for blind sets)")
    args = parser.parse_args(argv)
    total = [0, 0, 0]
    for name, old, new in pairs(args.before, args.after):
        changes = compare(old, new, name)
        print(f"{name}: {len(changes.cases)} of {changes.compared} changed, {changes.better} better, {changes.worse} worse")
        if args.cases:
            for cid, before, after, question in changes.cases:
                print(f"  {cid} {before:.2f} -> {after:.2f}  {question}")
        total = [total[0] + len(changes.cases), total[1] + changes.better, total[2] + changes.worse]
    print(f"total: {total[0]} changed, {total[1]} better, {total[2]} worse")
    return 0


if __name__ == "__main__":
    sys.exit(main())
