"""CPU seconds per test: where the test loop's time goes on a machine whose two cores are always busy.

Wall time per test (`pytest --durations`) says little under `-n 2`: a test that waits for a child process
at low priority looks slow while the other worker uses the cores. This pytest plugin adds up, around each
test, the user and system time of the worker and of the children it waited for, and writes one file per
worker; `python -m benchmarks.cpu_per_test` prints the totals by file and the costliest tests.

    PYTEST_ADDOPTS="-p benchmarks.cpu_per_test" make test-fast
    python -m benchmarks.cpu_per_test --top 25

A child a test leaves running (the app's Assistant process, until its fixture ends) is counted where it is
waited for, so module fixtures' children land on the last test of their module.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path
from typing import Sequence

import pytest

OUT = Path(__file__).resolve().parent / "out" / "cpu_per_test"
_seconds: dict[str, float] = {}


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller: an earlier run's files go
        for old in OUT.glob("*.json"):
            old.unlink()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = _cpu()
    yield
    _seconds[item.nodeid] = _cpu() - started


def pytest_sessionfinish(session):
    if _seconds:
        OUT.mkdir(parents=True, exist_ok=True)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        (OUT / f"{worker}.json").write_text(json.dumps(_seconds, indent=1), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sum the CPU seconds the plugin recorded in the last test run "
                                     f"({OUT}/*.json): by file, then the costliest tests.")
    parser.add_argument("--top", type=int, default=20, help="how many files and tests to list (default 20)")
    args = parser.parse_args(argv)
    seconds: dict[str, float] = {}
    for path in sorted(OUT.glob("*.json")):
        seconds.update(json.loads(path.read_text(encoding="utf-8")))
    if not seconds:
        parser.error(f"nothing recorded in {OUT}: run the tests with -p benchmarks.cpu_per_test first")
    by_file = Counter()
    for test, spent in seconds.items():
        by_file[test.split("::", 1)[0]] += spent
    print(f"{len(seconds)} tests, {sum(seconds.values()):,.0f} CPU-s in all")
    for name, spent in by_file.most_common(args.top):
        print(f"{spent:8.1f}  {name}")
    print()
    for test, spent in sorted(seconds.items(), key=lambda item: -item[1])[: args.top]:
        print(f"{spent:8.1f}  {test}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
