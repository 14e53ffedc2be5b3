"""Where answer time goes: pyinstrument over a pass of questions, summarized by function.

Two views: the project's own functions by cumulative time (what to look at first) and
every function by self time (where the CPU actually is).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Callable, Sequence

from evals.gold import EvalCase

ROOT = Path(__file__).resolve().parent.parent
_OWN = tuple(f"{ROOT / package}/" for package in ("assistant", "embeddings", "corpus"))


def profile_answers(ask: Callable, cases: Sequence[EvalCase], *, top: int = 12) -> dict:
    """Profile one pass of `ask` over the cases; the top functions by cumulative and by self time (ms)."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for case in cases:
        ask(case.question, list(case.history))
    profiler.stop()
    root = profiler.last_session.root_frame()
    cumulative: dict[str, float] = defaultdict(float)
    own: dict[str, float] = defaultdict(float)
    _walk(root, cumulative, own, active=set())
    total = root.time if root is not None else 0.0
    return {
        "questions": len(cases),
        "total_ms": round(total * 1000, 1),
        "project_cumulative_ms": _top(cumulative, top),
        "self_ms": _top(own, top),
    }


def _walk(frame, cumulative: dict, own: dict, *, active: set) -> None:
    if frame is None:
        return
    name = _name(frame)
    # pyinstrument puts a frame's own time in a synthetic "[self]" child: count it as the frame's.
    children_time = sum(child.time for child in frame.children if not child.is_synthetic)
    own[name] += max(0.0, frame.time - children_time)
    recursive = name in active  # count a recursive function's time once
    if (frame.file_path or "").startswith(_OWN) and not recursive:
        cumulative[name] += frame.time
    active = active | {name}
    for child in frame.children:
        if not child.is_synthetic:
            _walk(child, cumulative, own, active=active)


def _name(frame) -> str:
    path = frame.file_path or ""
    where = path.removeprefix(f"{ROOT}/") if path.startswith(_OWN) else (frame.file_path_short or path)
    function = f"{frame.class_name}.{frame.function}" if frame.class_name else frame.function
    return f"{function} ({where}:{frame.line_no})"


def _top(times: dict, n: int) -> list[dict]:
    ranked = sorted(times.items(), key=lambda item: -item[1])[:n]
    return [{"function": name, "ms": round(seconds * 1000, 1)} for name, seconds in ranked]
